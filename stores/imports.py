"""Excel import of stores, products, listings and deliveries (registered with the imports app in stores/apps.py).

Each kind names its columns (Chinese and English headers), its natural key, who may run it, how its
codes resolve (scoped through ka_portal/scope.py) and how it writes in batches. The runner in
imports/runner.py does the reading, the checking and the all-or-nothing transaction.
"""

import unicodedata
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.imports import ACCOUNT_CODE, resolve_accounts
from accounts.roles import Role
from evidence import hooks as evidence
from imports import kinds as imports
from imports.kinds import CellError, Column, ImportKind
from ka_portal import bounds
from ka_portal.errors import DomainConflict, DomainError
from ka_portal.formatting import format_packs
from ka_portal.scope import store_reps_for, stores_for

from . import rules, selectors
from .models import Delivery, Listing, Product, Store
from .services import (
    CODE_USED,
    case_size_warning,
    product_inactive_refusal,
    product_label,
    products_with_history,
    store_rep_refusal,
)

MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})


def _active() -> Column:
    return Column(
        "active",
        "有效",
        "active",
        imports.yes_no,
        default=True,
        aliases=("是否有效", "状态", "生效"),  # 生效: the lists' exports before they took the import's headers
        hint=_("yes or no (是/否, 1/0); empty means yes"),
        example="是",
    )


def _as_written(value):
    return value


def for_reference(key: str, zh: str, en: str, *, aliases: tuple[str, ...] = ()) -> Column:
    """A column a list's export carries for its reader beside those the import reads (a store's name beside its code,
    the price a delivery is valued at): recognised, so an exported sheet imports back as it is, and never checked or
    written (its kind's `write` leaves REFERENCE out) — its header says so, and so does the template's hint."""
    return Column(
        key,
        zh,
        en,
        _as_written,
        aliases=aliases,
        hint=_("For reference only: not imported (change it where it is kept)"),
        percent=True,  # any cell is taken as it is, a percentage too: it is not read
    )


REFERENCE = frozenset({"store_name", "product_name", "visits_per_week", "quantity_cases", "price", "amount"})
STORE_NAME = for_reference(
    "store_name", "门店名称（仅供参考）", "store name (for reference)", aliases=("门店名称", "门店", "store name")
)
PRODUCT_NAME = for_reference(
    "product_name",
    "产品名称（仅供参考）",
    "product name (for reference)",
    aliases=("产品名称", "商品名称", "产品", "product name"),
)


def header_of(kind: type[ImportKind], key: str):
    """A column's header as the kind's template heads it, in the reader's language when read: a list's export heads its
    columns so, and the exported sheet imports back (export, change a cell, import: that change, nothing else)."""
    column = next(column for column in kind.columns if column.key == key)
    return lazy(lambda: capfirst(column.header()), str)()


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


def resolve_codes(rows, problems, *, key, target, queryset, scoped=None, not_found: imports.NotFound) -> None:
    """imports.kinds.resolve for store and product codes, compared without case (`p002` is `P002`): the id into
    `row.values[target]` and the code written as stored, so two rows naming one record by two spellings are one
    natural key (the runner refuses the second as a row twice, as it would the same spelling). A code outside the
    user's scope (`scoped`) is refused as one that does not exist (`not_found`)."""
    found = selectors.by_code(queryset if scoped is None else scoped, (row.values.get(key) for row in rows))
    for row in rows:
        code = row.values.get(key)
        if code is None:
            continue
        if code not in found:
            problems.add(row, key, not_found, {"value": code})
        else:
            row.values[target], row.values[key] = found[code]


def _resolve_stores(rows, problems, *, user) -> None:
    resolve_codes(
        rows,
        problems,
        key="store_code",
        target="store_id",
        queryset=Store.objects.all(),
        scoped=stores_for(user),
        not_found=imports.STORE_NOT_FOUND,
    )


def _resolve_products(rows, problems) -> None:
    resolve_codes(
        rows,
        problems,
        key="product_code",
        target="product_id",
        queryset=Product.objects.all(),
        not_found=imports.PRODUCT_NOT_FOUND,
    )


def _codes_as_stored(rows, problems, queryset) -> None:
    """A store's or product's own code column, compared without case: a code a record has, whatever its case, is
    written as stored (`p001` updates `P001`, as the page promises a known code does), and a new code as the chunk
    first writes it (a second row giving it in other letters is then refused as the same code twice). A new code
    with a space inside is refused (rules.check_code), as at every door; one stored before still names its record."""
    found = selectors.by_code(queryset, (row.values.get("code") for row in rows))
    first: dict[str, str] = {}
    for row in rows:
        code = row.values.get("code")
        if not isinstance(code, str):
            continue
        if code in found:
            row.values["code"] = found[code][1]
            continue
        row.values["code"] = first.setdefault(code.lower(), code)
        try:
            rules.check_code(code)
        except DomainError as refusal:
            problems.add(row, "code", refusal)


def _resolve_reps(rows, problems, *, user) -> None:
    """The rep column's usernames → ids, each refused as the page, the API and the admin refuse it
    (stores.services.store_rep_refusal): a sales rep, and one given anew active and one the user may give stores to.
    A store's rep as stored may stay (a re-imported sheet keeps a rep since disabled). Anyone else the user does not
    reach (stores.api.rep_lookup_for, as the API looks the rep up) is not found, as there: the file learns nothing of
    people outside the user's reach. A few queries a chunk."""
    from .api import rep_lookup_for  # the API's own lookup of whom a store's rep may name

    # usernames compared without case, as codes are (`Rep1` names rep1); one spelled exactly as written comes first
    users = get_user_model().objects.select_related("profile").annotate(username_lower=Lower("username"))
    wanted = (row.values.get("rep").lower() for row in rows if row.values.get("rep"))
    found = sorted(_chunked(users, "username_lower", wanted), key=lambda person: person.username)
    by_lower: dict[str, object] = {}
    for person in found:
        by_lower.setdefault(person.username.lower(), person)
    exact = {person.username: person for person in found}
    named = {
        username: exact.get(username) or by_lower.get(username.lower())
        for username in {row.values.get("rep") for row in rows if row.values.get("rep")}
        if exact.get(username) or by_lower.get(username.lower())
    }
    ids = [rep.pk for rep in named.values()]
    reachable = set(store_reps_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    known = set(rep_lookup_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    # the rep as stored of a store the user updates (one outside their scope is refused, its rep never read)
    current = imports.lookup(stores_for(user), (row.values.get("code") for row in rows), target="rep_id")
    for row in rows:
        username = row.values.get("rep")
        if not username:
            continue
        rep = named.get(username)
        stored = current.get(row.values.get("code"))
        if rep is None or (rep.pk not in known and rep.pk != stored):
            problems.add(row, "rep", imports.REP_NOT_FOUND, {"value": username})
            continue
        refusal = store_rep_refusal(rep, by=user, current_rep_id=stored, reachable=reachable)
        if refusal is not None:
            problems.add(row, "rep", refusal)
        else:
            row.values["rep_id"] = rep.pk


def _chunked(queryset, field: str, values) -> list:
    wanted = sorted({value for value in values if value})
    return [record for part in imports.chunks(wanted) for record in queryset.filter(**{f"{field}__in": part})]


def _one_spelling_each(rows, model) -> None:
    """Two rows of one file giving one new code in two spellings (more rows apart than the runner checks at once,
    else the check has refused them): the file is refused before anything is written, as the constraint would."""
    seen: dict[str, tuple[str, int]] = {}
    for row in rows:
        code = row.values["code"]
        other, number = seen.setdefault(code.lower(), (code, row.number))
        if other != code:
            raise DomainError(
                f"{model._meta.model_name}.code_taken",
                _("Rows %(first)s and %(row)s give one code as %(other)s and %(value)s (codes are compared without "
                  "case): keep one of the two rows."),
                field="file",
                first=number,
                row=row.number,
                other=other,
                value=code,
            )  # fmt: skip


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
            "每周拜访次数（自定义）",  # as the store's page names it: empty follows the grade
            "visits per week (override)",
            imports.whole_number(min_value=None),  # 1 to 7: stores/rules.py, as on the page and in the API
            aliases=("每周拜访次数", "visits per week", "拜访频率"),
            hint=_("Only to override the grade's frequency: 1 to 7; empty follows the grade"),
        ),
        for_reference("visits_per_week", "实际每周拜访次数（仅供参考）", "visits per week in effect (for reference)"),
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
        # A code that already belongs to a store outside the user's scope may not be taken over: refused as the page
        # and the API refuse a new store given a code that is taken (store.code_taken), saying that the code is in
        # use, as typed, never whose (SPEC §1: that store reads as missing to this user).
        typed = [row.values.get("code") for row in rows]
        outside = set(selectors.by_code(Store.objects.all(), typed)) - set(selectors.by_code(stores_for(user), typed))
        _codes_as_stored(rows, problems, stores_for(user))  # the user's stores: another's is no store to update
        for row, code in zip(rows, typed, strict=True):
            if code in outside:
                problems.add(row, "code", DomainConflict("store.code_taken", CODE_USED, value=code))
        _resolve_reps(rows, problems, user=user)
        # an empty cell of a known store leaves its field as it is (a position is one value: latitude and longitude)
        imports.keep_stored(
            self, rows, Store.objects.all(), unique=("code",), present=set(problems.headers), together=(POSITION,)
        )
        check_rows(rows, problems, rules.STORE, together=POSITION)

    def write(self, rows, *, present):
        present = present - REFERENCE
        _one_spelling_each(rows, Store)
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
        _codes_as_stored(rows, problems, Product.objects.all())
        imports.keep_stored(self, rows, Product.objects.all(), unique=("code",))  # an empty cell: as it is
        check_rows(rows, problems, rules.PRODUCT)

    def write(self, rows, *, present):
        _one_spelling_each(rows, Product)
        existing = imports.existing_keys(
            Product.objects.all(), (row.values["code"] for row in rows), by="code", key=["code"]
        )
        if "packs_per_case" in present:
            _case_sizes_changed(rows, existing)
        return imports.upsert(self, Product, rows, present=present, unique=("code",), existing=existing)


def _case_sizes_changed(rows, existing: dict) -> None:
    """A row changing the packs per case of a product that past records count (stores.services.case_size_warning):
    allowed, and said (the check's answer and the import's list the warning beside the row)."""
    stored = {
        pk: (product, product.packs_per_case)
        for part in imports.chunks(sorted(existing.values()))
        for pk, product in Product.objects.in_bulk(part).items()
    }
    changing = {
        row.number: stored[existing[(row.values["code"],)]]
        for row in rows
        if (row.values["code"],) in existing
        and stored[existing[(row.values["code"],)]][1] != row.values.get("packs_per_case")
    }
    if not changing:
        return
    history = products_with_history(product.pk for product, _old in changing.values())
    for row in rows:
        if row.number in changing and changing[row.number][0].pk in history:
            product, old = changing[row.number]
            product.packs_per_case = row.values["packs_per_case"]
            imports.note_warning(row.number, case_size_warning(product, old))


class ListingImport(ImportKind):
    name = "listings"
    label = _("Listings")
    roles = MANAGERS
    key = ("store_code", "product_code")
    model_fields = {"store_code": "store_id", "product_code": "product_id"}
    columns = (
        STORE_CODE,
        STORE_NAME,
        PRODUCT_CODE,
        PRODUCT_NAME,
        Column("listed_on", "进场日期", "listed on", imports.a_date, hint=_("YYYY-MM-DD"), example="2026-01-15"),
        _money("listing_fee", "进场费", "listing fee", required=False, default=0, example="2000.00"),
        _money("purchase_price", "终端进价", "purchase price", aliases=("store purchase price",), example="4.50"),
        _money("shelf_price", "终端零售价", "shelf price", aliases=("货架价",), example="5.00"),
        _active(),
    )

    def check(self, rows, problems, *, user):
        _resolve_stores(rows, problems, user=user)
        _resolve_products(rows, problems)
        # an empty cell of a listing already made leaves its field as it is (an empty fee is no fee only anew)
        imports.keep_stored(self, rows, Listing.objects.all(), unique=("store_id", "product_id"))
        check_rows(rows, problems, rules.LISTING)
        _inactive_products_listed(rows, problems)
        _purchase_above_shelf(rows, problems)

    def write(self, rows, *, present):
        present = present - REFERENCE
        unique = ("store_id", "product_id")
        existing = imports.existing_keys(
            Listing.objects.all(), (row.values["store_id"] for row in rows), by="store_id", key=unique
        )
        return imports.upsert(self, Listing, rows, present=present, unique=unique, existing=existing)


def _inactive_products_listed(rows, problems) -> None:
    """An inactive product is not listed anew, nor listed again (stores.services.listing_refusals, as at every door):
    a row listing one active that is not already listed active at its store is refused. Two queries a chunk."""
    named = {row.values.get("product_id") for row in rows if row.values.get("active", True)} - {None}
    inactive = {
        product.pk: product
        for part in imports.chunks(sorted(named))
        for product in Product.objects.filter(pk__in=part, active=False)
    }
    if not inactive:
        return
    stores = sorted({row.values.get("store_id") for row in rows if row.values.get("product_id") in inactive} - {None})
    listed = {
        pair
        for part in imports.chunks(stores)
        for pair in Listing.objects.filter(store_id__in=part, product_id__in=inactive, active=True).values_list(
            "store_id", "product_id"
        )
    }
    for row in rows:
        product = inactive.get(row.values.get("product_id"))
        if product is None or not row.values.get("active", True):
            continue
        if (row.values.get("store_id"), product.pk) not in listed:
            problems.add(row, "product_code", product_inactive_refusal(product))


def _purchase_above_shelf(rows, problems) -> None:
    """A purchase price above the shelf price is refused in its column, naming both prices, the product and the store
    (stores.services.listing_price_refusal, as at every door), unless the row gives the prices its listing already
    has (a sheet exported and imported back: a listing stored so before the rule keeps them until corrected). A few
    queries a chunk, and only for the rows above their shelf price."""
    above = [
        row
        for row in rows
        if None not in (row.values.get("store_id"), row.values.get("product_id"))
        and None not in (row.values.get("purchase_price"), row.values.get("shelf_price"))
        and row.values["purchase_price"] > row.values["shelf_price"]
    ]
    if not above:
        return
    stores = sorted({row.values["store_id"] for row in above})
    products = sorted({row.values["product_id"] for row in above})
    stored = {
        (store_id, product_id): prices
        for part in imports.chunks(stores)
        for some in imports.chunks(products)
        for store_id, product_id, *prices in Listing.objects.filter(store_id__in=part, product_id__in=some).values_list(
            "store_id", "product_id", "purchase_price", "shelf_price"
        )
    }
    store_names = {
        store.pk: str(store) for part in imports.chunks(stores) for store in Store.objects.filter(pk__in=part)
    }
    product_names = {
        product.pk: product_label(product)
        for part in imports.chunks(products)
        for product in Product.objects.filter(pk__in=part)
    }
    for row in above:
        store_id, product_id = row.values["store_id"], row.values["product_id"]
        prices = [row.values["purchase_price"], row.values["shelf_price"]]
        if stored.get((store_id, product_id)) == prices:
            continue
        try:
            rules.check_purchase_within_shelf(*prices, store=store_names[store_id], product=product_names[product_id])
        except DomainError as refusal:
            problems.add(row, refusal.field, refusal)


class CasesPacks(str):
    """A delivery quantity written `cases/packs` (2/5: two cases and five packs), read into packs once the row's
    product, and so its case, is known (DeliveryImport.check)."""


_PACKS = imports.whole_number(min_value=None)


def delivery_quantity(value) -> int | CasesPacks:
    """Packs (24), or `cases/packs` as the portal writes quantities (2/0, 1/5; full-width digits and slash too)."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace(" ", "").strip()
        if "/" in text:
            return CasesPacks(text)
    if isinstance(value, date):  # a datetime too: 2/5 typed into a cell Excel formats as General
        raise CellError(
            _("Found a date: Excel reads 2/5 typed in a cell as a date. Format the column as text before typing "
              "cases/packs, or write the packs alone."),
            code="import.quantity_read_as_date",
        )  # fmt: skip
    return _PACKS(value)


def packs_of(text: CasesPacks, packs_per_case: int) -> int:
    """`cases/packs` → packs for a case of `packs_per_case`; a pack count of a case or more is an input error (SPEC,
    "Stock count notation"), said with what to write instead."""
    cases, _slash, packs = text.partition("/")
    if not (cases.isascii() and cases.isdigit() and packs.isascii() and packs.isdigit()):
        raise CellError(
            _("“%(value)s” is not cases/packs: write e.g. 2/5 (two cases and five packs), or the packs alone (29)."),
            code="import.bad_cases_packs",
            value=text,
        )
    if len(cases.lstrip("0")) > len(str(bounds.PACKS_MAX)):  # beyond any delivery, however small the case
        raise CellError(_("Must be at most %(max)s."), code=imports.ABOVE_MAXIMUM, max=bounds.PACKS_MAX)
    per_case = max(int(packs_per_case), 1)
    whole, loose = int(cases), int(packs)
    if loose >= per_case:
        raise CellError(
            _("%(packs)s packs is a case or more: a case holds %(per_case)s packs, so write %(written)s."),
            code="import.packs_over_case",
            packs=loose,
            per_case=per_case,
            written=format_packs(whole * per_case + loose, per_case),
        )
    return whole * per_case + loose


class DeliveryImport(ImportKind):
    name = "deliveries"
    label = _("Deliveries")
    roles = MANAGERS
    key = ("store_code", "product_code", "date", "reference")
    model_fields = {"store_code": "store_id", "product_code": "product_id"}
    columns = (
        STORE_CODE,
        STORE_NAME,
        PRODUCT_CODE,
        PRODUCT_NAME,
        Column(
            "date",
            "进货日期",
            "date",
            imports.a_date,
            required=True,
            aliases=("日期", "送货日期", "delivery date", "delivered on"),
            hint=_("YYYY-MM-DD"),
            example="2026-03-01",
        ),
        Column(
            "quantity",
            "数量（包）",
            "quantity (packs)",
            delivery_quantity,  # 1 … the bound: stores/rules.py
            required=True,
            aliases=("数量", "进货数量", "quantity", "packs"),
            hint=_("Packs (24), or cases/packs as the portal writes them (2/0 = two cases, 1/5 = a case and 5 packs)"),
            example="24",
        ),
        for_reference("quantity_cases", "数量（箱/包，仅供参考）", "quantity in cases/packs (for reference)"),
        _money("unit_price", "单价", "unit price", required=False, example="4.50"),
        for_reference("price", "实际单价（仅供参考）", "price in effect (for reference)"),
        for_reference("amount", "金额（仅供参考）", "amount (for reference)"),
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
        self._packs(rows, problems)
        # an empty unit price of a delivery already stored leaves its price as it is
        imports.keep_stored(self, rows, Delivery.objects.all(), unique=("store_id", "product_id", "date", "reference"))
        check_rows(rows, problems, rules.DELIVERY)

    @staticmethod
    def _packs(rows, problems) -> None:
        """Quantities written `cases/packs` into packs, by their product's case (one query a chunk)."""
        written = [row for row in rows if isinstance(row.values.get("quantity"), CasesPacks)]
        products = {row.values.get("product_id") for row in written} - {None}
        per_case = dict(Product.objects.filter(pk__in=products).values_list("pk", "packs_per_case"))
        for row in written:
            text = row.values.pop("quantity")  # back once read: a quantity not read is left out, as unparsed
            if row.values.get("product_id") not in per_case:
                continue  # an unknown product: said in its column; the case is not known
            try:
                row.values["quantity"] = packs_of(text, per_case[row.values["product_id"]])
            except CellError as error:
                problems.add(row, "quantity", error)

    def write(self, rows, *, present):
        present = present - REFERENCE
        unique = ("store_id", "product_id", "date", "reference")
        dates = [row.values["date"] for row in rows]
        existing = imports.existing_keys(
            Delivery.objects.filter(date__range=(min(dates), max(dates))),
            (row.values["store_id"] for row in rows),
            by="store_id",
            key=unique,
        )
        return imports.upsert(self, Delivery, rows, present=present, unique=unique, existing=existing)
