from rest_framework import serializers

from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text="the action in the reader's language")
    from_label = serializers.CharField(read_only=True)
    to_label = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_label", "action", "label", "from_state", "from_label", "to_state", "to_label",
                  "reason", "data", "request_id"]


class DueDateSerializer(serializers.Serializer):
    rule = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()
    start = serializers.DateField()
    due = serializers.DateField()
    unit = serializers.CharField()
    length = serializers.IntegerField()
    rolled_over = serializers.BooleanField()
    paused_days = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()
