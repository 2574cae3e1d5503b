from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator

from .models import Organisation, Region, User


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent"]


class OrganisationSerializer(serializers.ModelSerializer):
    region_code = serializers.SlugRelatedField(
        source="region",
        slug_field="code",
        queryset=Region.objects.all(),
        error_messages={"does_not_exist": "未知地区代码：{value}。"},
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name",
            "region_code",
            "parent",
            "employer",
            "credit_code",
            "industry",
            "headcount",
            "is_small_micro",
            "address",
            "legal_representative",
        ]
        validators = [
            UniqueTogetherValidator(
                queryset=Organisation.objects.all(), fields=["kind", "name"], message="同类组织中已存在同名组织。"
            )
        ]

    def validate(self, attrs):
        instance = Organisation(**{k: v for k, v in attrs.items()})
        instance.clean()  # the model's own rules (employer needs a credit code, union needs its enterprise)
        return attrs


class MeSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True, allow_null=True, help_text="null for the system administrator")

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "organisation"]
