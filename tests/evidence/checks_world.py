"""A small world for the promotion-check tests: a rep's store where one plan runs (two products, an end cap),
another chain's store where another plan runs, and a display agreement."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from evidence.models import DisplayAgreement, DisplayKind
from promotions.models import PromotionPlan
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory, make_user
from tests.promotions.factories import PromotionItemFactory, PromotionPlanFactory
from tests.visits.factories import VisitFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
    b"\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def photo(name: str = "endcap.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def build() -> SimpleNamespace:
    today = timezone.localdate()
    manager = make_user(Role.MANAGER, username="ck_manager")
    supervisor = make_user(Role.SUPERVISOR, username="ck_sup")
    rep = make_user(Role.REP, username="ck_rep", supervisor=supervisor, password="pass-1234")
    other_rep = make_user(Role.REP, username="ck_other")
    account = KeyAccountFactory(code="CKA", owner=manager)
    store = StoreFactory(account=account, rep=rep, name="检查一店")
    idle = StoreFactory(account=account, rep=other_rep, name="检查二店")
    other_store = StoreFactory(rep=other_rep, name="别家门店")
    plan = PromotionPlanFactory(
        account=account,
        title="端架特价",
        status=PromotionPlan.Status.RUNNING,
        start_on=today - timedelta(days=3),
        end_on=today + timedelta(days=10),
        end_cap=True,
        mechanics="第二件半价",
        owner=manager,
    )
    beer = PromotionItemFactory(plan=plan, product=ProductFactory(name="纯生啤酒"), promotion_price=Decimal("10.00"))
    chips = PromotionItemFactory(plan=plan, product=ProductFactory(name="薯片"), promotion_price=Decimal("5.00"))
    other_plan = PromotionPlanFactory(
        account=other_store.account,
        title="别家促销",
        status=PromotionPlan.Status.APPROVED,
        start_on=today - timedelta(days=1),
        end_on=today + timedelta(days=5),
        owner=manager,
    )
    other_item = PromotionItemFactory(plan=other_plan)
    agreement = DisplayAgreement.objects.create(
        account=account,
        kind=DisplayKind.FACINGS,
        facings=6,
        start_on=today - timedelta(days=10),
        end_on=today + timedelta(days=20),
        fee=Decimal("800.00"),
    )
    visit = VisitFactory(rep=rep, store=store, checked_in_at=timezone.now() - timedelta(minutes=10))
    return SimpleNamespace(**locals())
