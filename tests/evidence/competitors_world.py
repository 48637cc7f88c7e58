"""A small world for the competitor-sighting tests: two chains of two managers, reps under one supervisor, an open
visit of rep1 and a few helpers (not the demo company: cheap to build)."""

import io
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.roles import Role
from evidence.models import CompetitorSighting
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def build_world() -> SimpleNamespace:
    admin = make_user(Role.ADMIN, username="cw_admin", is_staff=True, is_superuser=True)
    manager = make_user(Role.MANAGER, username="cw_manager")
    manager2 = make_user(Role.MANAGER, username="cw_manager2")
    supervisor = make_user(Role.SUPERVISOR, username="cw_sup")
    rep = make_user(Role.REP, username="cw_rep", supervisor=supervisor)
    rep2 = make_user(Role.REP, username="cw_rep2", supervisor=supervisor)
    chain = KeyAccountFactory(code="CWA", name="甲连锁", owner=manager)
    other_chain = KeyAccountFactory(code="CWB", name="乙连锁", owner=manager2)
    store = StoreFactory(account=chain, rep=rep, code="CWA-01", name="甲一店")
    store2 = StoreFactory(account=chain, rep=rep2, code="CWA-02", name="甲二店")
    other_store = StoreFactory(account=other_chain, rep=rep2, code="CWB-01", name="乙一店")
    visit = VisitFactory(rep=rep, store=store, checked_in_at=datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI))
    return SimpleNamespace(
        admin=admin, manager=manager, manager2=manager2, supervisor=supervisor, rep=rep, rep2=rep2, chain=chain,
        other_chain=other_chain, store=store, store2=store2, other_store=other_store, visit=visit,
    )  # fmt: skip


def closed_visit(rep, store, day: datetime):
    return VisitFactory(rep=rep, store=store, checked_in_at=day, checked_out_at=day.replace(hour=day.hour + 1))


def sighting(visit, **fields) -> CompetitorSighting:
    """A sighting stored directly (for reads: the visit may be closed), denormalised like the service does."""
    values = {"brand": "青岛啤酒", **fields}
    for name in ("shelf_price", "regular_price"):
        if isinstance(values.get(name), str):
            values[name] = Decimal(values[name])
    return CompetitorSighting.objects.create(
        visit=visit,
        store=visit.store,
        account=visit.store.account,
        seen_on=visit.checked_in_at.astimezone(SHANGHAI).date(),
        **values,
    )


def jpeg(name: str = "shelf.jpg", color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
