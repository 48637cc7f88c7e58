"""How the promoter pages read a typed amount (a price seen, a month's sell-out target): the app's one reading of a
number (ka_portal.formatting), so they read what the rest of the app reads. `typed_number` takes what a Chinese
keyboard types (¥4.80, 2。9, full-width digits, 12,000.50) and `number_not_in_digits` refuses what Decimal alone would
read though nobody types it for an amount ("1e1" is not 10.00, "1e5" not 100,000.00)."""

from decimal import Decimal, InvalidOperation

from ka_portal.formatting import number_not_in_digits, typed_number


class NotAnAmount(ValueError):
    """Typed text that is no amount. `in_digits` is False for a number Decimal reads but that is not written in
    digits ("1e5", "1_000"): said with formatting.NOT_IN_DIGITS, as the other pages, the API and the imports say it."""

    def __init__(self, value, *, in_digits: bool = True) -> None:
        self.value = value
        self.in_digits = in_digits
        super().__init__(str(value))


def typed_amount(value) -> Decimal | None:
    """An amount as typed (text) or sent (an int, a Decimal; a float by its shortest text): blank → None. Not
    rounded and not bounded: each rule says how many places and how much it takes."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotAnAmount(value)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        text = typed_number(value)
        if not text:
            return None
        if number_not_in_digits(text):
            raise NotAnAmount(value, in_digits=False)
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise NotAnAmount(value) from None
    if not number.is_finite():
        raise NotAnAmount(value)
    return number
