"""Helpers for the display agreement tests: a chain of a KA manager with a store of a rep, agreements, and visits
that checked them (built directly: the visit page's checks are another part's)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from evidence.models import DisplayAgreement, DisplayCheck
from tests.factories import KeyAccountFactory, StoreFactory
from visits.models import Visit, VisitPhoto

SEP1, SEP30 = date(2026, 9, 1), date(2026, 9, 30)


def jpeg() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "JPEG")
    return SimpleUploadedFile("shelf.jpg", buffer.getvalue(), content_type="image/jpeg")


def chain(manager, rep, *, code="AGR", stores=1):
    account = KeyAccountFactory(code=code, name=f"{code}连锁", owner=manager)
    made = [
        StoreFactory(account=account, rep=rep, code=f"{code}{n}", name=f"{code}门店{n}",
                     latitude=Decimal("31.230000"), longitude=Decimal("121.470000"))
        for n in range(1, stores + 1)
    ]  # fmt: skip
    return account, made


def agreement(account, *, store=None, kind="end_cap", start=SEP1, end=SEP30, fee="4000.00", visits=1, **extra):
    return DisplayAgreement.objects.create(
        account=account, store=store, kind=kind, start_on=start, end_on=end, fee=Decimal(fee),
        evidence_visits=visits, **extra,
    )  # fmt: skip


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def checked(
    agreement,
    *,
    store,
    rep,
    day: date,
    position=True,
    far=False,
    present=True,
    photo="during",
    facings=None,
    checked_out=True,
) -> DisplayCheck:
    """A visit at `day` 10:00–10:40 that checked the agreement. photo: "during" (camera time in the visit),
    "before" (camera time before the check-in), "uploaded" (no camera time, uploaded during the visit), None."""
    visit = Visit.objects.create(
        rep=rep, store=store, checked_in_at=at(day, 10),
        checked_out_at=at(day, 10, 40) if checked_out else None,
        latitude=Decimal("31.230100") if position else None, longitude=Decimal("121.470100") if position else None,
        distance_m=(2500 if far else 12) if position else None, far_from_store=far,
    )  # fmt: skip
    image = None
    if photo:
        taken = {"during": at(day, 10, 15), "before": at(day, 9, 0) - timedelta(days=1), "uploaded": None}[photo]
        image = VisitPhoto.objects.create(visit=visit, image=jpeg(), taken_at=taken, uploaded_at=at(day, 10, 20))
    return DisplayCheck.objects.create(
        visit=visit, kind=agreement.kind, agreement=agreement, present=present, facings=facings, photo=image
    )
