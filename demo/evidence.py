"""Demo visit evidence (issue 13): promotions and displays checked at recent visits, display agreements with
their evidence, competitor sightings, and fraud signals for the supervisors' queue. Written through the services;
each part runs once (a second call changes nothing). One function per part, called in this order."""

from datetime import date


def seed_visit_checks(*, today: date) -> int:
    """Promotions and displays checked at recent visits (filled in by the part that owns them)."""
    return 0


def seed_agreements(*, today: date) -> int:
    """Display agreements and their evidence: those of the contracts' end-cap terms and of the plans that bought
    displays, and three a KA manager entered, so that on a fresh install one is payable (facings seen with photos
    at two visits), one not evidenced (an end cap seen once of three, its TG fee deducted and left unsupported)
    and one still open; then every agreement evaluated as of ``today``."""
    from datetime import timedelta
    from decimal import Decimal
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from contracts.models import Invoice
    from contracts.services import deduction_record
    from evidence.agreements import agreement_create, agreements_evaluate, agreements_generate
    from evidence.models import DisplayAgreement, DisplayCheck
    from ka_portal.errors import DomainError
    from visits.models import Visit
    from visits.services import visit_photo_add

    if DisplayAgreement.objects.filter(source=DisplayAgreement.Source.MANUAL).exists():
        return 0
    made = agreements_generate().created
    # recent visits on site, checked out, at stores of chains with a KA manager: two stores with two visits each
    visits = (
        Visit.objects.filter(
            checked_out_at__isnull=False, latitude__isnull=False, far_from_store=False,
            checked_in_at__date__gte=today - timedelta(days=19), checked_in_at__date__lt=today,
            store__account__owner__isnull=False,
        )
        .select_related("store__account__owner")
        .order_by("store__code", "checked_in_at")
    )  # fmt: skip
    by_store: dict = {}
    for visit in visits:
        by_store.setdefault(visit.store, []).append(visit)
    stores = [store for store, seen in by_store.items() if len(seen) >= 2][:2]
    if len(stores) < 2:
        return made

    def photo(visit, colour, *, minutes=5):
        buffer = BytesIO()
        Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
        upload = SimpleUploadedFile(f"display-{visit.pk}.jpg", buffer.getvalue(), content_type="image/jpeg")
        taken = visit_photo_add(visit=visit, image=upload, caption="陈列照片")
        taken.taken_at = visit.checked_in_at + timedelta(minutes=minutes)  # the camera's time, within the visit
        taken.save(update_fields=["taken_at"])
        return taken

    facings_store, end_cap_store = stores
    payable = agreement_create(
        by=facings_store.account.owner, account=facings_store.account, store=facings_store, kind="facings",
        facings=6, start_on=today - timedelta(days=20), end_on=today + timedelta(days=40), fee=Decimal("1200.00"),
        evidence_visits=2, note="主货架排面不少于6个",
    )  # fmt: skip
    for visit in by_store[facings_store][-2:]:
        DisplayCheck.objects.create(visit=visit, kind="facings", agreement=payable, present=True, facings=8,
                                    photo=photo(visit, "green"))  # fmt: skip
    missed = agreement_create(
        by=end_cap_store.account.owner, account=end_cap_store.account, store=end_cap_store, kind="end_cap",
        start_on=today - timedelta(days=20), end_on=today - timedelta(days=1), fee=Decimal("3600.00"),
        evidence_visits=3, note="端架三周，每周拍照",
    )  # fmt: skip
    first, second = by_store[end_cap_store][:2]
    DisplayCheck.objects.create(visit=first, kind="end_cap", agreement=missed, present=True,
                                photo=photo(first, "red"))  # fmt: skip
    DisplayCheck.objects.create(visit=second, kind="end_cap", agreement=missed, present=False)  # not in place
    agreement_create(
        by=facings_store.account.owner, account=facings_store.account, store=None, kind="floor_stack",
        start_on=today - timedelta(days=2), end_on=today + timedelta(days=28), fee=Decimal("5000.00"),
        evidence_visits=2, note="全部门店春节地堆",
    )  # fmt: skip
    made += 3 + 3
    agreements_evaluate(today=today)
    # the chain takes the end cap's TG fee anyway: matching leaves it unsupported (its display was not evidenced)
    invoice = Invoice.objects.filter(account=end_cap_store.account, date__lte=today).order_by("-date").first()
    month = missed.end_on.replace(day=1)
    if invoice is not None:
        try:
            deduction_record(
                invoice=invoice, date=max(today - timedelta(days=1), invoice.date), kind="tg",
                amount=Decimal("3600.00"), reason="端架费（陈列未拍照核实）", reference="TG-EVID-1",
                period_start=month, period_end=month,
            )  # fmt: skip
            made += 1
        except DomainError:  # a closed month or an invoice already settled: the demo goes without it
            pass
    return made


def seed_competitors(*, today: date) -> int:
    """Competitor sightings."""
    return 0


def seed_signals(*, today: date) -> int:
    """Fraud signals, a few of each kind, some reviewed."""
    return 0


def seed_evidence(*, today: date) -> int:
    return (
        seed_visit_checks(today=today)
        + seed_agreements(today=today)
        + seed_competitors(today=today)
        + seed_signals(today=today)
    )
