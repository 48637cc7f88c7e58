"""Demo visit evidence (issue 13): promotions and displays checked at recent visits, display agreements with
their evidence, competitor sightings, and fraud signals for the supervisors' queue. Written through the services;
each part runs once (a second call changes nothing). One function per part, called in this order."""

from datetime import date
from decimal import Decimal


def seed_visit_checks(*, today: date) -> int:
    """Promotions and displays checked at recent visits: at the latest visit of a few stores where a demo plan
    runs, the shelf prices seen and the displays with a photo — most executed, one with a price off the plan's,
    one with the display missing — so the plan's page shows its execution in stores on a fresh install.

    The demo's visits are already checked out, so the checks are written as the visit would have recorded them
    and the execution and rating computed by the same functions the services call."""
    from datetime import timedelta
    from io import BytesIO

    from django.core.files.base import ContentFile
    from django.db.models import Q
    from PIL import Image

    from evidence import visit_checks as checks
    from evidence.models import DisplayCheck, PromotionCheck
    from promotions.models import PromotionPlan
    from visits.models import Visit
    from visits.services import visit_photo_add, visit_rerate

    if PromotionCheck.objects.exists() or DisplayCheck.objects.filter(plan__isnull=False).exists():
        return 0
    created = 0
    plans = PromotionPlan.objects.filter(
        status__in=checks.RUNNING_STATUSES, start_on__lte=today, end_on__gte=today - timedelta(days=1)
    ).filter(Q(dm_slot=True) | Q(end_cap=True) | Q(floor_stack=True))
    for plan in plans.order_by("start_on", "id")[:2]:
        visits = (
            Visit.objects.filter(
                store__account=plan.account,
                checked_in_at__date__gte=plan.start_on,
                checked_in_at__date__lte=min(plan.end_on, today),
            )
            .select_related("store")
            .order_by("store__code", "-checked_in_at")
        )
        latest: dict[int, Visit] = {}
        for visit in visits:
            if plan.all_stores or plan.stores.filter(pk=visit.store_id).exists():
                latest.setdefault(visit.store_id, visit)
        items = list(plan.items.select_related("product"))
        for index, visit in enumerate(list(latest.values())[:6]):
            price_off, display_missing = index == 0, index == 1
            for number, item in enumerate(items):
                seen = item.promotion_price
                if price_off and number == 0:
                    seen = (item.promotion_price * Decimal("1.12")).quantize(Decimal("0.01"))
                PromotionCheck.objects.create(visit=visit, item=item, shelf_price=seen)
                created += 1
            for kind in checks.plan_displays(plan):
                photo = None
                if not display_missing:
                    buffer = BytesIO()
                    Image.new("RGB", (64, 48), (200, 40 + 30 * index, 40)).save(buffer, "JPEG")
                    photo = visit_photo_add(
                        visit=visit, image=ContentFile(buffer.getvalue(), name=f"display-{visit.pk}-{kind}.jpg")
                    )
                DisplayCheck.objects.create(visit=visit, plan=plan, kind=kind, present=not display_missing, photo=photo)
                created += 1 + (photo is not None)
            checks.execution_refresh(visit=visit, plan=plan)
            visit_rerate(visit=visit)
            created += 1
    return created


def seed_agreements(*, today: date) -> int:
    """Display agreements and their evidence."""
    return 0


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
