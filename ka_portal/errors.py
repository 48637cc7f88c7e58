"""DomainError: the one way a business rule says no, with a code, a translatable message and its numbers."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _


def fill(message: Any, params: dict) -> str:
    """A rule's message with its numbers: a Decimal with its thousands grouped (12,028.00, as the pages write
    amounts); the params themselves stay plain for the API."""
    text = str(message)
    if not params:
        return text
    return text % {name: f"{value:,}" if isinstance(value, Decimal) else value for name, value in params.items()}


class DomainError(Exception):
    """A refusal by a business rule.

    ``code`` is stable for clients (``promotion.price_floor``); ``message`` is a translatable
    string with ``%(name)s`` placeholders filled from ``params``; ``field`` names the form field
    the message belongs next to, when there is one. A Decimal param reads in the message with its
    thousands grouped, as the pages write amounts (12,028.00), and stays as it is in ``params``
    (the API gives "12028.00": a client reads it as a number).
    """

    def __init__(self, code: str, message: Any, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.message = message
        self.field = field
        self.params = params
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        text = str(self.message)
        if not self.params:
            return text
        return text % {
            name: f"{value:,}" if isinstance(value, Decimal) else value for name, value in self.params.items()
        }

    @property
    def status_code(self) -> int:
        return 409 if self.conflict else 400

    conflict = False


class DomainConflict(DomainError):
    """A refusal because of the state of shared data (an exhausted budget, a stale version): HTTP 409."""

    conflict = True


class DomainForbidden(DomainError):
    """A refusal of the caller's role for a step their scope lets them reach (a sales rep reviewing a visit): HTTP
    403, as the API's other role refusals, with the rule's code and sentence (which roles may)."""

    status_code = 403


class KeyReused(DomainError):
    """A client key (Idempotency-Key, a visit's uuid, a payment's request_key) used before for another
    request: HTTP 422 with the names of the fields that differ, never their values."""

    status_code = 422

    def __init__(self, differs: list[str], *, field: str | None = None) -> None:
        self.differs = sorted(differs)
        super().__init__(
            "idempotency.key_reused",
            _("This key was already used for a different request; these fields differ: %(fields)s."),
            field=field,
            fields=", ".join(self.differs),
        )

    @property
    def extra(self) -> dict:
        return {"differs": self.differs}


def refusals(rule, values) -> list[DomainError]:
    """Every refusal of a record's rule (a sequence of checks, each raising a DomainError) for these values, in the
    rule's order; none: the record may be saved. A form shows them all at once (accounts/rules.py, stores/rules.py)."""
    found = []
    for check in rule:
        try:
            check(values)
        except DomainError as refusal:
            found.append(refusal)
    return found


def enforce(rule, values) -> None:
    """Raise the first refusal of a record's rule, if any."""
    for refusal in refusals(rule, values):
        raise refusal
