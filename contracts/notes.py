"""The reasons the books write themselves on a deduction, by code (ka_portal.system_texts): the deduction stores
the code and its parameters (Deduction.reason_code, reason_params) and the sentence is made when read, in the
reader's language. A reason a person or a chain's advice gave is kept as given (Deduction.reason)."""

from django.utils.translation import gettext_lazy as _

from ka_portal.system_texts import register

# A remittance's deduction whose advice gave no reason (tradespend/remittances.py); rows written before this
# stored "remittance <reference>" as text and were moved to the code (migration 0013).
REMITTANCE = "deduction.remittance"

TEMPLATES = {
    REMITTANCE: _("Taken in remittance %(reference)s"),
}

register(TEMPLATES)
