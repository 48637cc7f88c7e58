"""Money in the database: the one rounding, and the one way a sum of money is read back.

Money is `DecimalField(max_digits=14, decimal_places=2)` (SPEC). PostgreSQL adds it exactly. SQLite, the embedded
default, stores a decimal as a number and adds (and subtracts) in floating point, and Django reads back only a plain
column rounded to its places: a sum comes back as whatever the float was, to 15 digits — 1.10 − 0.10 − 0.20 as
0.800000000000000, a thousand amounts of 0.10 as 99.9999999999986. So every sum of money goes through `money_sum`
(or an expression of sums through `Money`), which reads the result back rounded to cents on either engine;
`tests/ka_portal/test_money.py` holds the code to it.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Func, Sum

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# the type of a total: two places, as many digits as a sum of many amounts needs
MONEY_TOTAL = DecimalField(max_digits=28, decimal_places=2)


def to_money(value) -> Decimal:
    """Two places, half up: the one rounding every amount goes through."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Money(Func):
    """An expression of money (a sum, a difference of amounts or of sums, a sum or zero) in cents: on SQLite it is
    rounded to cents in the database too (so a filter or an order on it compares what the page shows: 1.10 − 1.00 −
    0.10 is 0 there, not 1e-17), and read back as a Decimal of two places on either engine. PostgreSQL computes it
    exactly: its SQL is the expression's own there."""

    template = "(%(expressions)s)"
    output_field = MONEY_TOTAL

    def as_sqlite(self, compiler, connection, **extra_context):
        # (Django's own as_sqlite casts it to NUMERIC as any decimal expression, so that a filter compares numbers)
        return super().as_sqlite(compiler, connection, template="ROUND(%(expressions)s, 2)", **extra_context)

    def convert_value(self, value, expression, connection):
        return None if value is None else to_money(value)


def money_sum(expression, *, filter=None, default=None) -> Money:  # noqa: A002 (Django's own keyword)
    """`Sum(expression)` of money, read back in cents; `default` (e.g. ZERO) for no rows instead of None."""
    return Money(Sum(expression, filter=filter, default=default, output_field=MONEY_TOTAL))
