"""Excel import of stores, products, listings and deliveries (registered with the imports app in stores/apps.py).

Each kind names its columns (Chinese and English headers), its natural key, who may run it, how its
codes resolve (scoped through ka_portal/scope.py) and how it writes in batches. The runner in
imports/runner.py does the reading, the checking and the all-or-nothing transaction.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.imports import ACCOUNT_CODE, resolve_accounts
from accounts.roles import Role
from evidence import hooks as evidence
from imports import kinds as imports
from imports.kinds import Column, ImportKind
from ka_portal.scope import stores_for

from . import rules
from .models import Delivery, Listing, Product, Store

MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})


def _active() -> Column:
    return Column(
        "active",
        "有效",
        "active",
        imports.yes_no,
        default=True,
        aliases=("是否有效", "状态"),
        hint=_("yes or no (是/否, 1/0); empty means yes"),
        example="是",
    )


def check_rows(rows, problems, rule: tuple[rules.Check, ...], *, together: frozenset[str] = frozenset()) -> None:
    """Report every row the record's rule (stores/rules.py) refuses, in the rule's words, next to the column it
    names — the same refusal as the page, the API and the admin give. A cell that did not parse is already
    reported and reads as empty here; where values are checked `together` (a position), a row with one of
    them unparsed is not checked again."""
    for row in rows:
        if together and not together <= row.values.keys():
            continue
        for refusal in rules.refusals(rule, row.values):
            problems.add(row, refusal.field, refusal)


def _money(key, zh, en, *, required=True, aliases=(), example="0.00", default=None) -> Column:
    return Column(
        key,
        zh,
        en,
        imports.money(min_value=None),  # not negative: the record's rule says so, as at every door
        required=required,
        aliases=aliases,
        default=default,
        hint=_("CNY, not negative, at most two decimal places"),
        example=example,
    )


STORE_CODE = Column(
    "store_code",
    "门店编码",
    "store code",
    imports.text(30),
    required=True,
    aliases=("门店代码", "store"),
    hint=_("Code of an existing store"),
    example="S0001",
)
PRODUCT_CODE = Column(
    "product_code",
    "产品编码",
    "product code",
    imports.text(30),
    required=True,
    aliases=("商品编码", "SKU编码", "SKU", "sku code", "product"),
    hint=_("Code of an existing product"),
    example="P0001",
)


def _resolve_stores(rows, problems, *, user) -> None:
    imports.resolve(
        rows,
        problems,
        key="store_code",
        target="store_id",
        queryset=Store.objects.all(),
        scoped=stores_for(user),
        unknown=_("Unknown store code “%(value)s”."),
        out_of_scope=_("Store “%(value)s” is not in your scope."),
    )


def _resolve_products(rows, problems) -> None:
    imports.resolve(
        rows,
        problems,
        key="product_code",
        target="product_id",
        queryset=Product.objects.all(),
        unknown=_("Unknown product code “%(value)s”."),
    )


POSITION = frozenset({"latitude", "longitude"})


class StoreImport(ImportKind):
    name = "stores"
    label = _("Stores")
    roles = MANAGERS
    key = ("code",)
    model_fields = {"account_code": "account_id", "rep": "rep_id"}
    columns = (
        ACCOUNT_CODE,
        Column(
            "code",
            "门店编码",
            "store code",
            imports.text(30),
            required=True,
            aliases=("门店代码",),
            hint=_("Unique; a known code updates that store"),
            example="S0001",
        ),
        Column(
            "name",
            "门店名称",
            "store name",
            imports.text(120),
            required=True,
            aliases=("门店",),
            example="沃尔玛浦东店",
        ),
        Column("address", "地址", "address", imports.text(200), default="", aliases=("门店地址",)),
        Column("city", "城市", "city", imports.text(60), default="", example="上海"),
        Column("region", "区域", "region", imports.text(60), default="", example="华东"),
        Column(
            "latitude",
            "纬度",
            "latitude",
            imports.decimal_number(places=6, min_value=-90, max_value=90),
            hint=_("Decimal degrees, up to 6 places"),
            example="31.230416",
        ),
        Column(
            "longitude",
            "经度",
            "longitude",
            imports.decimal_number(places=6, min_value=-180, max_value=180),
            hint=_("Decimal degrees, up to 6 places"),
            example="121.473701",
        ),
        Column(
            "grade",
            "等级",
            "grade",
            imports.choice(Store.Grade.values),
            required=True,
            aliases=("门店等级", "store grade"),
            hint=_("A, B or C"),
            example="A",
        ),
        Column(
            "visits_per_week_override",
            "每周拜访次数",
            "visits per week",
            imports.whole_number(min_value=None),  # 1 to 7: stores/rules.py, as on the page and in the API
            aliases=("拜访频率",),
            hint=_("Only to override the grade's frequency: 1 to 7; empty follows the grade"),
        ),
        Column(
            "rep",
            "业代账号",
            "rep username",
            imports.text(150),
            aliases=("业代", "业代编码", "sales rep", "rep", "rep code"),
            hint=_("Username of the assigned sales rep"),
            example="rep_zhang",
        ),
        Column("opened_on", "开业日期", "opened on", imports.a_date, hint=_("YYYY-MM-DD"), example="2024-05-01"),
        _active(),
    )

    def check(self, rows, problems, *, user):
        resolve_accounts(rows, problems, user=user)
        imports.resolve(
            rows,
            problems,
            key="rep",
            target="rep_id",
            field="username",
            queryset=get_user_model().objects.filter(profile__role__in=[Role.REP, Role.SUPERVISOR]),
            unknown=_("No sales rep with the username “%(value)s”."),
        )
        # A code that already belongs to a store outside the user's scope may not be taken over.
        codes = [row.values.get("code") for row in rows]
        outside = set(imports.lookup(Store.objects.all(), codes)) - set(imports.lookup(stores_for(user), codes))
        for row in rows:
            if row.values.get("code") in outside:
                problems.add(row, "code", _("Store “%(value)s” is not in your scope."), {"value": row.values["code"]})
        check_rows(rows, problems, rules.STORE, together=POSITION)

    def write(self, rows, *, present):
        existing = imports.existing_keys(
            Store.objects.all(), (row.values["code"] for row in rows), by="code", key=["code"]
        )
        if present & POSITION:  # a position is written whole: a file without longitude clears it with latitude
            present = present | POSITION
        chains = set()  # a store closed, reopened, new or moved: its chains' chain-wide display agreements change
        if present & {"active", "account_code"}:
            for part in imports.chunks(sorted(existing.values())):
                chains.update(Store.objects.filter(pk__in=part).values_list("account_id", flat=True))
        created, updated = imports.upsert(self, Store, rows, present=present, unique=("code",), existing=existing)
        if created or present & {"active", "account_code"}:
            evidence.store_changed(chains | {row.values["account_id"] for row in rows})
        return created, updated


class ProductImport(ImportKind):
    name = "products"
    label = _("Products")
    roles = MANAGERS
    key = ("code",)
    columns = (
        Column(
            "code",
            "产品编码",
            "product code",
            imports.text(30),
            required=True,
            aliases=("商品编码", "SKU编码", "SKU", "sku code"),
            hint=_("Unique; a known code updates that product"),
            example="P0001",
        ),
        Column(
            "barcode", "条码", "barcode", imports.text(32), default="", aliases=("条形码",), example="6901234567892"
        ),
        Column(
            "name",
            "产品名称",
            "product name",
            imports.text(120),
            required=True,
            aliases=("商品名称",),
            example="啤酒 500ml",
        ),
        Column("brand", "品牌", "brand", imports.text(60), default=""),
        Column("category", "品类", "category", imports.text(60), default="", aliases=("类别",)),
        Column(
            "packs_per_case",
            "箱规",
            "packs per case",
            imports.whole_number(min_value=None),  # 1 … the bound: stores/rules.py
            required=True,
            aliases=("每箱包数",),
            hint=_("Whole number, at least 1"),
            example="12",
        ),
        _money("suggested_retail_price", "建议零售价", "suggested retail price", example="5.50"),
        _money("distributor_price", "经销商进价", "distributor price", example="3.80"),
        _money(
            "wholesale_price", "二批价", "wholesale price", aliases=("second-tier wholesale price",), example="4.10"
        ),
        _active(),
    )

    def check(self, rows, problems, *, user):
        check_rows(rows, problems, rules.PRODUCT)

    def write(self, rows, *, present):
        existing = imports.existing_keys(
            Product.objects.all(), (row.values["code"] for row in rows), by="code", key=["code"]
        )
        return imports.upsert(self, Product, rows, present=present, unique=("code",), existing=existing)


class ListingImport(ImportKind):
    name = "listings"
    label = _("Listings")
    roles = MANAGERS
    key = ("store_code", "product_code")
    model_fields = {"store_code": "store_id", "product_code": "product_id"}
    columns = (
        STORE_CODE,
        PRODUCT_CODE,
        Column("listed_on", "进场日期", "listed on", imports.a_date, hint=_("YYYY-MM-DD"), example="2026-01-15"),
        _money("listing_fee", "进场费", "listing fee", required=False, default=0, example="2000.00"),
        _money("purchase_price", "终端进价", "purchase price", aliases=("store purchase price",), example="4.50"),
        _money("shelf_price", "终端零售价", "shelf price", aliases=("货架价",), example="5.00"),
        _active(),
    )

    def check(self, rows, problems, *, user):
        _resolve_stores(rows, problems, user=user)
        _resolve_products(rows, problems)
        check_rows(rows, problems, rules.LISTING)

    def write(self, rows, *, present):
        unique = ("store_id", "product_id")
        existing = imports.existing_keys(
            Listing.objects.all(), (row.values["store_id"] for row in rows), by="store_id", key=unique
        )
        return imports.upsert(self, Listing, rows, present=present, unique=unique, existing=existing)


class DeliveryImport(ImportKind):
    name = "deliveries"
    label = _("Deliveries")
    roles = MANAGERS
    key = ("store_code", "product_code", "date", "reference")
    model_fields = {"store_code": "store_id", "product_code": "product_id"}
    columns = (
        STORE_CODE,
        PRODUCT_CODE,
        Column(
            "date",
            "进货日期",
            "date",
            imports.a_date,
            required=True,
            aliases=("日期", "delivery date", "delivered on"),
            hint=_("YYYY-MM-DD"),
            example="2026-03-01",
        ),
        Column(
            "quantity",
            "数量（包）",
            "quantity (packs)",
            imports.whole_number(min_value=None),  # 1 … the bound: stores/rules.py
            required=True,
            aliases=("数量", "进货数量", "quantity", "packs"),
            hint=_("Whole packs, at least 1"),
            example="24",
        ),
        _money("unit_price", "单价", "unit price", required=False, example="4.50"),
        Column(
            "reference",
            "单号",
            "reference",
            imports.text(60),
            default="",
            aliases=("单据号", "送货单号", "ref"),
            hint=_("Delivery note number; with store, product and date it identifies the delivery"),
            example="DN-0001",
        ),
    )

    def check(self, rows, problems, *, user):
        _resolve_stores(rows, problems, user=user)
        _resolve_products(rows, problems)
        check_rows(rows, problems, rules.DELIVERY)

    def write(self, rows, *, present):
        unique = ("store_id", "product_id", "date", "reference")
        dates = [row.values["date"] for row in rows]
        existing = imports.existing_keys(
            Delivery.objects.filter(date__range=(min(dates), max(dates))),
            (row.values["store_id"] for row in rows),
            by="store_id",
            key=unique,
        )
        return imports.upsert(self, Delivery, rows, present=present, unique=unique, existing=existing)
