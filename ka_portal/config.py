"""The business's numbers (SPEC) as one typed, frozen object, ``settings.KA``, built once at start-up.

Every field may be set by the environment variable ``KA_<FIELD IN CAPITALS>`` (``KA_VISIT_MIN_MINUTES=10``).
A value of the wrong type or outside its range, or a ``KA_`` variable that names no field, stops start-up with
one message naming each variable and what it allows; the same checks run when a test swaps a field with
``dataclasses.replace(settings.KA, …)``, so no code ever meets a number the business could not have set.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "KA_"


def _whole(default: int, low: int, high: int, why: str = "") -> int:
    return field(default=default, metadata={"kind": int, "low": low, "high": high, "why": why})


def _number(default: str, low: str, high: str, why: str = "") -> Decimal:
    return field(
        default=Decimal(default), metadata={"kind": Decimal, "low": Decimal(low), "high": Decimal(high), "why": why}
    )


def _choice(default: str, *choices: str) -> str:
    return field(default=default, metadata={"kind": str, "choices": choices})


def _grades() -> Mapping[str, int]:
    return MappingProxyType({"A": 3, "B": 2, "C": 1})


@dataclass(frozen=True)
class KaSettings:
    # Visits a week a store of each grade needs (SPEC §3); not an environment variable.
    visits_per_week_by_grade: Mapping[str, int] = field(default_factory=_grades)
    route_stops_per_day: int = _whole(5, 1, 50)
    route_stops_per_week: int = _whole(30, 1, 350)
    checkin_max_distance_m: int = _whole(500, 1, 100_000)
    # A visit checked out sooner than this after its check-in is flagged "short" (and rated at best yellow).
    visit_min_minutes: int = _whole(5, 0, 24 * 60)
    # A visit's check-in or check-out time sent by the phone (made offline, sent when the network returned) or an
    # API client is kept when it is at most this many hours before the server receives it; older is refused. A day:
    # a phone offline for a working day still syncs its visits the next morning, and a missed stop cannot be filled
    # in days later (route compliance).
    visit_sync_max_hours: int = _whole(24, 1, 24 * 31)
    # A check-in received more than this many hours after its time is flagged for the supervisor ("sent late").
    visit_sync_late_hours: int = _whole(4, 1, 24 * 31)
    # A visit checked out more than this many hours after its check-in (left open overnight, checked out the next
    # day) is flagged for the supervisor ("checked out long after the check-in").
    visit_long_hours: int = _whole(12, 1, 24 * 31)
    # A store whose last stock count is older than this many days is flagged on its rep's home page.
    stock_count_stale_days: int = _whole(14, 1, 366)
    safety_factor: Decimal = _number("1.5", "0.1", "10")
    # Suggested packs → whole cases: "up" (never short), "nearest" (half up) or "down" (never over).
    order_rounding: str = _choice("up", "up", "nearest", "down")
    # The nightly suggested-order job: stores per chunk (one chunk = one Celery task, one transaction).
    replenishment_chunk_stores: int = _whole(200, 1, 1_000_000)
    promotion_cooldown_days: int = _whole(30, 30, 45, "SPEC §5 rule 4: a company may set 30–45 days")
    promotion_second_approval_above: Decimal = _number("50000.00", "0", "1000000000", "CNY")
    # SPEC §5 rules 1–2: the longest run, and the cut above which periods are short.
    promotion_max_days: int = _whole(31, 1, 366)
    promotion_deep_cut_above: Decimal = _number("0.05", "0", "1", "a share of the price: 0.05 is 5 %")
    promotion_deep_cut_period_days: int = _whole(14, 1, 366)
    promotion_shallow_cut_period_days: int = _whole(28, 1, 366)
    # Ended plans are evaluated this many days after their end, once late deliveries are in.
    promotion_evaluate_after_days: int = _whole(7, 0, 366)
    contract_expiry_warning_days: int = _whole(30, 1, 366)
    # How far ahead the home pages of KA managers and finance list contracts coming to their end.
    contract_expiry_horizon_days: int = _whole(60, 1, 366)
    upload_max_bytes: int = _whole(10 * 1024 * 1024, 1, 1024 * 1024 * 1024)
    # Excel imports: rows read at most (beyond: refused), and problems listed of a refused file (all counted).
    import_max_rows: int = _whole(200_000, 1, 10_000_000)
    import_max_errors: int = _whole(100, 1, 100_000)
    # Receivables (SPEC §6): terms for an invoice without a contract, and the window DSO is measured over.
    default_payment_terms_days: int = _whole(60, 0, 365)
    dso_days: int = _whole(90, 1, 366)
    # The latest date the books take on an invoice, payment, deduction or credit note: this many days after today
    # (an invoice raised ahead for next month's first day); later is a typo (2062 for 2026, 9999) and is refused
    # naming the field. The earliest is the first day of ka_portal.months.YEARS (contracts.rules.BOOKS_START).
    books_days_ahead: int = _whole(31, 0, 366)
    # The latest date a contract (signed, valid from, valid to) or a trade-term line takes: this many years after
    # today. Contracts are signed for years ahead, so the bound is wider than the books'; later is a typo (9999, 2206)
    # and is refused naming the field. The earliest is the books' start (contracts.rules.BOOKS_START).
    contract_years_ahead: int = _whole(10, 1, 50)
    # The company's norm for a chain's trade-spend ratio (spend ÷ gross sell-in): the chain page (issue 15) shows
    # each chain's ratio against it.
    trade_spend_ratio_norm: Decimal = _number("0.20", "0", "1", "a share of gross: 0.20 is 20 %")
    # How long a client key (Idempotency-Key, a visit's uuid, a payment's request_key) is remembered: 24 h at least.
    idempotency_ttl_hours: int = _whole(24, 24, 24 * 365)
    # Sign-in throttling (django-axes): failures per username and per address within the cool-off window.
    login_failures_per_user: int = _whole(5, 1, 1000)
    # Higher than per user: reps on one office or carrier NAT share an address.
    login_failures_per_address: int = _whole(20, 1, 100_000)
    login_cooloff_minutes: int = _whole(15, 1, 7 * 24 * 60)
    # Reverse proxies in front of the app that append to X-Forwarded-For (0: the client connects directly).
    trusted_proxies: int = _whole(0, 0, 10)
    api_token_ttl_hours: int = _whole(30 * 24, 1, 365 * 24)
    # Trade spend (issue 12): a deduction matches a spend line automatically when the amounts differ by at most
    # this share of the deduction; an unsupported deduction accepted above this amount needs a KA manager's
    # approval to be written off; a dispute is due this many days after it is opened.
    deduction_match_tolerance: Decimal = _number("0.005", "0", "0.2", "a share of the deduction: 0.005 is 0.5 %")
    deduction_write_off_approval_above: Decimal = _number("5000.00", "0", "1000000000", "CNY")
    dispute_due_days: int = _whole(30, 1, 366)
    # Visit evidence (issue 13): a promoted product's shelf price counts as the plan's within this share of it; two
    # check-ins further apart than this speed allows are a fraud signal; a photo within this Hamming distance of
    # an earlier one's perceptual hash is a reused photo (at most 7: the hash index finds no further).
    promotion_price_tolerance: Decimal = _number("0.02", "0", "0.5", "a share of the plan's price: 0.02 is 2 %")
    travel_max_kmh: int = _whole(80, 1, 1000)
    photo_reuse_max_distance: int = _whole(6, 0, 7)
    # A shelf price seen at a visit is plausible up to this many times the product's normal shelf price in the plan
    # (else its suggested retail price): beyond, a typo (99999999999 for a 5.00 beer) is refused naming the field.
    shelf_price_max_ratio: Decimal = _number("3", "1", "100", "a multiple of the normal shelf price: 3 is 3×")
    # Analysis (issue 15): a channel whose share of trade spend differs from its share of sales by more than this
    # (in points of share: 0.05 is 5 percentage points) is flagged on the channel mix.
    channel_mix_gap_alert: Decimal = _number("0.05", "0", "1", "a difference of shares: 0.05 is 5 points")
    # Store P&L (issue 15): a store whose attributable fees exceed this share of its sell-in is flagged
    # "renegotiate or exit".
    store_fee_ratio_alert: Decimal = _number("0.25", "0", "10", "a share of the store's sell-in: 0.25 is 25 %")
    # Promoters (issue 16): a check-in this many minutes after the shift's start is late, a check-out this many
    # minutes before its end is leaving early (off site: further from the store than checkin_max_distance_m).
    promoter_late_after_minutes: int = _whole(10, 0, 24 * 60)
    promoter_early_before_minutes: int = _whole(10, 0, 24 * 60)
    # A check-in that reaches the server at most this many minutes after the phone's time (a store's basement with no
    # signal) is judged on the phone's time; one sent later is judged on when it arrived, which a phone cannot set back.
    promoter_sync_grace_minutes: int = _whole(15, 0, 24 * 60)
    # A shift is checked in at most this many minutes before its start (the phone's time); earlier is refused.
    promoter_check_in_before_minutes: int = _whole(60, 0, 24 * 60)
    # A day's sell-out line is plausible up to this many cases of a product sold (or on the shelf at close), and a
    # price seen up to this many times the product's shelf price at the store (else its suggested retail price):
    # beyond, a typo is refused naming the field rather than inflating the sell-out and the appraisal.
    promoter_sell_out_max_cases: int = _whole(500, 1, 1000, "cases of one product in one day's report")
    promoter_price_seen_max_ratio: Decimal = _number("3", "1", "100", "a multiple of the shelf price: 3 is 3×")
    # The appraisal's (考核) weights of sell-out against target, attendance and the display score of visits at the
    # promoter's stores; each a share, together exactly 1.
    promoter_weight_sell_out: Decimal = _number("0.50", "0", "1", "a share: 0.50 is half the score")
    promoter_weight_attendance: Decimal = _number("0.30", "0", "1", "a share: 0.30 is 30 % of the score")
    promoter_weight_display: Decimal = _number("0.20", "0", "1", "a share: 0.20 is 20 % of the score")
    # Whether a promoter's shelf stock at close counts as a stock count for the suggested orders ("yes" or "no").
    promoter_stock_as_count: str = _choice("no", "no", "yes")

    def __post_init__(self) -> None:
        problems = [problem for spec in fields(self) if (problem := _check(spec, getattr(self, spec.name)))]
        if self.route_stops_per_week < self.route_stops_per_day:
            problems.append(
                f"KA_ROUTE_STOPS_PER_WEEK={self.route_stops_per_week}: allowed is at least KA_ROUTE_STOPS_PER_DAY "
                f"({self.route_stops_per_day})"
            )
        if self.visit_sync_late_hours > self.visit_sync_max_hours:
            problems.append(
                f"KA_VISIT_SYNC_LATE_HOURS={self.visit_sync_late_hours}: allowed is at most KA_VISIT_SYNC_MAX_HOURS "
                f"({self.visit_sync_max_hours})"
            )
        weights = self.promoter_weight_sell_out + self.promoter_weight_attendance + self.promoter_weight_display
        if weights != 1:
            problems.append(
                "KA_PROMOTER_WEIGHT_SELL_OUT, KA_PROMOTER_WEIGHT_ATTENDANCE and KA_PROMOTER_WEIGHT_DISPLAY: allowed "
                f"are shares that add up to 1 (they add up to {weights})"
            )
        if problems:
            raise ImproperlyConfigured(_report(problems))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "KaSettings":
        """The settings the environment asks for; everything wrong in it reported at once."""
        specs = {PREFIX + spec.name.upper(): spec for spec in fields(cls) if spec.metadata}
        values, problems = {}, []
        for name in sorted(key for key in environ if key.startswith(PREFIX)):
            raw = environ[name]
            spec = specs.get(name)
            if spec is None:
                problems.append(f"{name}: no such setting; KA Portal knows {', '.join(sorted(specs))}")
                continue
            try:
                values[spec.name] = _parse(spec, raw.strip())
            except (ValueError, InvalidOperation):
                problems.append(f"{name}={raw!r}: allowed is {_allowed(spec)}")
            else:
                problems += filter(None, [_check(spec, values[spec.name], raw)])
        if problems:
            raise ImproperlyConfigured(_report(problems))
        return cls(**values)


def _parse(spec, raw: str):
    kind = spec.metadata["kind"]
    if kind is int:
        return int(raw.replace("_", ""))
    if kind is Decimal:
        value = Decimal(raw)
        if not value.is_finite():
            raise ValueError(raw)
        return value
    return raw


def _check(spec, value, raw: str | None = None) -> str | None:
    meta = spec.metadata
    if not meta:
        return None
    kind = meta["kind"]
    name = PREFIX + spec.name.upper()
    typed = isinstance(value, kind) and not isinstance(value, bool)
    if typed and "choices" in meta:
        typed = value in meta["choices"]
    elif typed and kind is Decimal:
        typed = value.is_finite() and meta["low"] <= value <= meta["high"]
    elif typed:
        typed = meta["low"] <= value <= meta["high"]
    shown = value if raw is None else raw
    return None if typed else f"{name}={shown!r}: allowed is {_allowed(spec)}"


def _allowed(spec) -> str:
    meta = spec.metadata
    if "choices" in meta:
        allowed = "one of " + ", ".join(meta["choices"])
    elif meta["kind"] is int:
        allowed = f"a whole number from {meta['low']} to {meta['high']}"
    else:
        allowed = f"a decimal number from {meta['low']} to {meta['high']}"
    why = f"; {meta['why']}" if meta.get("why") else ""
    return f"{allowed} (default {spec.default}{why})"


def _report(problems: list[str]) -> str:
    return "KA Portal cannot start with these settings:\n  " + "\n  ".join(problems)


# The fingerprints of the settings.KA object seen last: (that object, {(exclude, extra): hash}). One slot: a test that
# swaps settings.KA (override_settings, dataclasses.replace) gets a new object, and so a new fingerprint.
_fingerprints: tuple[object, dict[tuple, str]] = (None, {})


def fingerprint(exclude: Iterable[str] = (), extra: Iterable = ()) -> str:
    """A hash of settings.KA's fields (but those in `exclude`) and the `extra` parts (JSON, anything else as str),
    computed once per settings object: what a kept answer or a night's results were computed under."""
    global _fingerprints
    ka = settings.KA
    exclude, extra = frozenset(exclude), tuple(extra)
    known, hashes = _fingerprints
    if known is not ka:
        hashes = {}
        _fingerprints = (ka, hashes)
    digest = hashes.get((exclude, extra))
    if digest is None:
        values = {spec.name: getattr(ka, spec.name) for spec in fields(ka) if spec.name not in exclude}
        text = json.dumps([values, *extra], sort_keys=True, default=str)
        digest = hashes[(exclude, extra)] = hashlib.sha256(text.encode()).hexdigest()
    return digest
