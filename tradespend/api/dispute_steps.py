"""Trade-spend API: a dispute's steps (tradespend.DisputeStep), as the disputes API and the deductions API's detail
answer them, newest first. Kept apart from api/matching.py, which builds on contracts.api: the deductions API
(contracts.api) reads this serializer too."""

from rest_framework import serializers

from ka_portal import api_fields

from ..models import Dispute, DisputeStep


class DisputeStepSerializer(serializers.ModelSerializer):
    """One step of a dispute, kept for good: who (``by``, a username; null for none), when (``at``), what
    (``action``), the status before (``from_status``, empty for the opening) and after (``to_status``), and what was
    typed with it (``note``, as typed: the dispute's reason, a recovery's or write-off's note, the reason a write-off
    was rejected). ``amount``: what a recovery gave back or a write-off accepts; ``on``: a recovery's day."""

    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    step = serializers.CharField(
        source="get_action_display", read_only=True, help_text="The action in the reader's language."
    )
    amount = api_fields.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)
    # the opening step has no status before it: "" (the schema says so, beside the statuses)
    from_status = serializers.ChoiceField(choices=Dispute.Status.choices, allow_blank=True, read_only=True)

    class Meta:
        model = DisputeStep
        fields = ["action", "step", "from_status", "to_status", "by", "at", "note", "amount", "on"]
        read_only_fields = fields
