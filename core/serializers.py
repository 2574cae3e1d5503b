from rest_framework import serializers

from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_label", "action", "from_state", "to_state", "reason", "data", "request_id"]


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
