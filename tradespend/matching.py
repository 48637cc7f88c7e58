"""Deduction matching (扣款核销, issue 12 item 5): every deduction against the spend lines it pays for.

The interface the rest of trade spend calls (remittances, deduction_record, the nightly job):

    deductions_match(*, deductions=None, account_ids=None) -> MatchSummary
        Match automatically every deduction given (a queryset or list), or every deduction of the accounts
        given, or (both None) every deduction not yet fully matched; sets each one's ``state`` and
        ``matched_amount``. Idempotent: running it again changes nothing.
"""


def deductions_match(*, deductions=None, account_ids=None):
    """Placeholder until matching lands (helper B replaces this module's body; the signature stays)."""
    return None
