"""Excel imports of the roster: kind `promoters` (one promoter a row, created or changed by code through
roster_services.promoter_save) and kind `promoter-shifts` (one shift a row through roster_services.shift_save), all
or nothing. Rows are tried through the service while checking (and rolled back), so a refused row is named with
its row, its column and the service's own reason — an overlap with an earlier row of the same file included."""

import unicodedata
from collections import defaultdict
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from imports import kinds as imports
from imports.kinds import CellError, Column, ImportKind
from ka_portal.errors import DomainError
from ka_portal.formatting import display_name
from ka_portal.scope import promoter_stores_for, promoters_for, promotion_plans_for, stores_for
from ka_portal.wordlists import WordList
from promotions.models import PromotionPlan
from stores.imports import for_reference
from stores.models import Store
from stores.selectors import by_code

from . import roster_rules
from . import roster_services as services
from .models import Promoter, Shift

User = get_user_model()

_KINDS = {
    "promoter": Promoter.Kind.PROMOTER,
    "导购": Promoter.Kind.PROMOTER,
    "促销员": Promoter.Kind.PROMOTER,
    "促销": Promoter.Kind.PROMOTER,
    "merchandiser": Promoter.Kind.MERCHANDISER,
    "理货": Promoter.Kind.MERCHANDISER,
    "理货员": Promoter.Kind.MERCHANDISER,
}
_EMPLOYERS = {
    "maker": Promoter.Employer.MAKER,
    "厂家": Promoter.Employer.MAKER,
    "公司": Promoter.Employer.MAKER,
    "我司": Promoter.Employer.MAKER,
    "agency": Promoter.Employer.AGENCY,
    "代理": Promoter.Employer.AGENCY,
    "中介": Promoter.Employer.AGENCY,
    "劳务公司": Promoter.Employer.AGENCY,
    "chain": Promoter.Employer.CHAIN,
    "卖场": Promoter.Employer.CHAIN,
    "连锁": Promoter.Employer.CHAIN,
}


def _spelling(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def _labels(choices) -> dict[str, str]:
    """A choice's labels in both languages (what the roster's export writes: “Our company”, “本公司”) → its code."""
    return imports.choice_spellings(choices, _spelling)


def _word(options: dict, choices):
    """One of a choice's words: its code, its label in either language as the export writes it, or one of the usual
    words for it (`options`), compared without case or character width."""

    def parse(value) -> str:
        found = options.get(_spelling(value)) or _labels(choices).get(_spelling(value))
        if found is None:
            raise CellError(imports.NOT_ONE_OF, code=imports.BAD_CHOICE, value=value, options=WordList(choices.labels))
        return found

    return parse


def _codes(value) -> list[str]:
    """Store codes separated by commas (also Chinese commas, semicolons or spaces)."""
    text = str(value)
    for separator in ("，", ";", "；", "、", " "):
        text = text.replace(separator, ",")
    return sorted({code.strip() for code in text.split(",") if code.strip()})


class PromoterImport(ImportKind):
    """The roster: supervisors for their stores, admins any."""

    name = "promoters"
    label = _("Promoters")
    key = ("code",)
    roles = frozenset({Role.ADMIN, Role.SUPERVISOR})
    columns = (
        Column("code", "编号", "code", imports.text(30), required=True, aliases=("导购编号", "工号", "编码"),
               example="PR001", hint=_("The promoter's own code: an existing one is changed")),
        Column("name", "姓名", "name", imports.text(60), required=True, aliases=("名字", "名称"), example="王小红"),
        Column("phone", "电话", "phone", imports.text(30), aliases=("手机",), example="13800000000"),
        Column("kind", "类型", "kind", _word(_KINDS, Promoter.Kind), default=Promoter.Kind.PROMOTER, example="导购",
               hint=_("导购 / promoter or 理货 / merchandiser")),
        Column("employer", "雇佣方", "employer", _word(_EMPLOYERS, Promoter.Employer), default=Promoter.Employer.MAKER,
               aliases=("employed by", "用工方式"), example="厂家",
               hint=_("厂家 / maker, 代理 / agency or 卖场 / chain")),
        Column("agency", "代理公司", "agency", imports.text(120), default="", aliases=("劳务公司",),
               hint=_("Required when an agency employs them")),
        Column("supervisor", "主管账号", "supervisor username", imports.text(150), required=True,
               aliases=("主管", "supervisor"), example="supervisor1",
               hint=_("A KA supervisor's username, or their name")),
        Column("stores", "门店编码", "stores", _codes, default=(), aliases=("门店", "store codes"),
               example="WMT-001,WMT-012", hint=_("Store codes separated by commas")),
        Column("daily_fee", "日薪", "daily fee", imports.money(), aliases=("日工资",), example="180.00",
               hint=_("Either a daily fee or a monthly pay")),
        Column("monthly_pay", "月薪", "monthly pay", imports.money(), aliases=("月工资",)),
        Column("started_on", "入职日期", "started on", imports.a_date, required=True, aliases=("开始日期", "start"),
               example="2026-01-01"),
        Column("ended_on", "离职日期", "ended on", imports.a_date, aliases=("结束日期", "end")),
        # the export's last column: a promoter's login is given on the roster page, not by a file
        for_reference("login", "登录账号（仅供参考）", "login (for reference)", aliases=("登录账号", "login")),
    )  # fmt: skip

    def check(self, rows, problems, *, user):
        """Every problem a row has that can be known is listed: a code taken, a supervisor or a store not found, and
        each roster rule whose cells were read (roster_rules.PROMOTER_CHECKS); a row with none is then tried through
        the service (and rolled back) for the rest. A row for an existing promoter keeps the stored value of each
        empty cell (the pay's two cells go together: a row giving one gives the other as it is)."""
        supervisors, ambiguous = _supervisors(row.values.get("supervisor") for row in rows)
        codes = {code for row in rows for code in row.values.get("stores") or ()}
        # code as written → id, compared without case (p-a1 is P-A1); a store outside the scope is not found
        reachable = {code: pk for code, (pk, _stored) in by_code(stores_for(user), codes).items()}
        existing = {p.code: p for p in Promoter.objects.filter(code__in=[row.values.get("code") for row in rows])}
        mine = set(promoters_for(user).filter(code__in=list(existing)).values_list("code", flat=True))
        present = set(problems.headers)
        for row in rows:
            values = row.values
            refused = False
            if values.get("code") in existing and values["code"] not in mine:
                # as roster_services refuses a code taken (the page and the API alike)
                taken = _("The code %(value)s is already another promoter's.")
                problems.add(row, "code", taken, {"value": values["code"]}, code="promoter.code_taken")
                refused = True
            name = values.get("supervisor")
            if name in ambiguous:
                text = _("“%(value)s” is the name of more than one KA supervisor: give the username.")
                problems.add(row, "supervisor", text, {"value": name}, code="import.supervisor_ambiguous")
                refused = True
            elif name is not None and name not in supervisors:
                problems.add(row, "supervisor", _("“%(value)s” is not a KA supervisor's username or name."),
                             {"value": name}, code="import.supervisor_not_found")  # fmt: skip
                refused = True
            bad = [code for code in values.get("stores") or () if code not in reachable]
            if bad:
                problems.add(row, "stores", imports.STORE_NOT_FOUND, {"value": bad[0]})
                refused = True
            promoter = existing.get(values.get("code")) if not refused else None
            if promoter is not None:
                _keep_stored(row, promoter, present)
            for fields, rule in roster_rules.PROMOTER_CHECKS:
                if not all(field in values for field in fields):
                    continue  # a cell that did not parse: already reported
                try:
                    rule(values)
                except DomainError as refusal:
                    problems.add(row, _column_of(refusal.field), refusal)
                    refused = True
            if refused or any(key not in values for key in ("code", "name", "started_on", "supervisor")):
                continue  # a required cell did not parse: already reported
            values["_by"] = user
            values["_supervisor"] = User.objects.get(pk=supervisors[name]) if name else None
            if "_stores" not in values:
                values["_stores"] = [reachable[code] for code in values.get("stores") or ()]
            try:
                with transaction.atomic():
                    self._save(values, existing.get(values["code"]))
                    transaction.set_rollback(True)
            except DomainError as refusal:
                problems.add(row, _column_of(refusal.field), refusal)

    def _save(self, values, promoter):
        fields = {
            "code": values["code"],
            "name": values["name"],
            "phone": values.get("phone") or "",
            "kind": values.get("kind") or Promoter.Kind.PROMOTER,
            "employer": values.get("employer") or Promoter.Employer.MAKER,
            "agency": values.get("agency") or "",
            "supervisor": values["_supervisor"],
            "daily_fee": values.get("daily_fee"),
            "monthly_pay": values.get("monthly_pay"),
            "started_on": values["started_on"],
            "ended_on": values.get("ended_on"),
        }
        # no stores given (an empty cell of a promoter on the roster): their stores stay as they are
        stores = Store.objects.filter(pk__in=values["_stores"]) if values["_stores"] is not None else None
        return services.promoter_save(promoter=promoter, by=values["_by"], stores=stores, **fields)

    def write(self, rows, *, present):
        existing = {p.code: p for p in Promoter.objects.filter(code__in=[row.values["code"] for row in rows])}
        created = updated = 0
        for row in rows:
            promoter = existing.get(row.values["code"])
            before = _as_stored(promoter) if promoter is not None else None
            saved = self._save(row.values, promoter)
            if before is not None:
                after = _as_stored(saved)
                changes = [(key, before[key], after[key]) for key in before if before[key] != after[key]]
                if not changes:
                    continue  # the same as stored: left unchanged
                imports.note_changes(row.number, changes, model=Promoter)
            created, updated = created + (promoter is None), updated + (promoter is not None)
        return created, updated


# The roster's columns a row changes, as a check shows them (old → new): the record's own fields and its stores.
_COMPARED = ("name", "phone", "kind", "employer", "agency", "supervisor", "daily_fee", "monthly_pay", "started_on",
             "ended_on")  # fmt: skip


def _as_stored(promoter: Promoter) -> dict:
    values = {key: getattr(promoter, f"{key}_id" if key == "supervisor" else key) for key in _COMPARED}
    values["stores"] = ",".join(sorted(promoter.stores.values_list("code", flat=True)))
    return values


# The cells of a promoter's row that go together: a row giving one of them gives the group as its cells are.
_PAY = frozenset({"daily_fee", "monthly_pay"})


def _keep_stored(row, promoter: Promoter, present: set[str]) -> None:
    """A row for a promoter on the roster: each empty cell keeps the stored value (imports.kinds.keep_stored, for
    a record saved through its service), the stores theirs as they are; the pay's cells go together."""
    keep = set(row.blank)
    if any(key in present and key not in row.blank for key in _PAY):
        keep -= _PAY
    else:
        keep |= _PAY & row.blank
    for key in keep:
        if key == "stores":
            row.values["_stores"] = None
        elif key in _KEPT:
            row.values[key] = getattr(promoter, key)


_KEPT = {"phone", "kind", "employer", "agency", "daily_fee", "monthly_pay", "ended_on"}


_FIELD_COLUMNS = {"user": "code", "not_found": "stores"}


def _column_of(field: str | None) -> str | None:
    keys = {column.key for column in PromoterImport.columns}
    if field in keys:
        return field
    return _FIELD_COLUMNS.get(field or "")


def a_time(value) -> time:
    """A time cell, or text like 09:00 or 9:30; full-width digits and colon as a Chinese keyboard types them
    (１０：００), as the number cells take them."""
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in ("%H:%M", "%H:%M:%S", "%H.%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a time; write it as HH:MM."), code="import.bad_time", value=value)


class ShiftImport(ImportKind):
    """A week's (or a month's) shifts from a sheet: promoter code, store code, day, from, to and a plan's id.

    A sheet imports again, or corrected, as a supervisor expects (the page's promise: a known row updates its record,
    never doubles it). A row is matched to a stored shift of its promoter that day: first by the natural key, the
    same start (its end, store or plan then change); else, as a shift moved, by the one shift at the row's store
    whose hours the row overlaps (10:00–19:00 moves 09:00–18:00). An identical row changes nothing; any other row
    is a new shift. Every change goes through roster_services.shift_save, so a row that overlaps ANOTHER shift of
    the promoter, or would move a shift already started, checked in to or confirmed, is refused with its reason."""

    name = "promoter-shifts"
    label = _("Promoter shifts")
    key = ("promoter", "day", "starts_at")
    roles = frozenset({Role.ADMIN, Role.SUPERVISOR})
    columns = (
        Column("promoter", "导购编号", "promoter code", imports.text(30), required=True, aliases=("编号", "promoter"),
               example="PR001"),
        Column("store", "门店编码", "store code", imports.text(30), required=True, aliases=("门店", "store"),
               example="WMT-001"),
        Column("day", "日期", "day", imports.a_date, required=True, aliases=("date",), example="2026-11-23",
               hint=_("YYYY-MM-DD")),
        Column("starts_at", "开始时间", "from", a_time, required=True, aliases=("上班", "starts at"), example="09:00",
               hint=_("HH:MM, 24-hour clock: 09:00, 13:30")),
        Column("ends_at", "结束时间", "to", a_time, required=True, aliases=("下班", "ends at"), example="18:00",
               hint=_("HH:MM, 24-hour clock, after the start: 18:00")),
        Column("plan", "促销编号", "plan id", imports.whole_number(), aliases=("促销", "plan"),
               hint=_("Optional: the id of a promotion plan running at the store that day")),
    )  # fmt: skip

    def check(self, rows, problems, *, user):
        promoters = {p.code: p for p in promoters_for(user).filter(code__in=[r.values.get("promoter") for r in rows])}
        scoped = promoter_stores_for(user)
        found = by_code(scoped, (r.values.get("store") for r in rows))  # compared without case: p-a1 is P-A1
        in_bulk = scoped.in_bulk([pk for pk, _code in found.values()])
        stores = {code: in_bulk[pk] for code, (pk, _stored) in found.items()}
        plans = PromotionPlan.objects.in_bulk([r.values["plan"] for r in rows if r.values.get("plan")])
        reachable_plans = set(promotion_plans_for(user).filter(pk__in=list(plans)).values_list("pk", flat=True))
        ready = []
        for row in rows:
            values = row.values
            if any(key not in values for key in ("promoter", "store", "day", "starts_at", "ends_at")):
                continue
            if values["promoter"] not in promoters:
                problems.add(row, "promoter", imports.PROMOTER_NOT_FOUND, {"value": values["promoter"]})
                continue
            if values["store"] not in stores:
                problems.add(row, "store", imports.STORE_NOT_FOUND, {"value": values["store"]})
                continue
            plan = values.get("plan")
            if plan is not None and plan not in reachable_plans:
                problems.add(row, "plan", imports.PLAN_NOT_FOUND, {"value": plan})
                continue
            values["_fields"] = {
                "by": user, "promoter": promoters[values["promoter"]], "store": stores[values["store"]],
                "day": values["day"], "starts_at": values["starts_at"], "ends_at": values["ends_at"],
                "plan": plans.get(plan) if plan else None,
            }  # fmt: skip
            ready.append(row)
        # Every row tried through the service as the write will, then all rolled back: the write does it for real.
        # The columns the file has are the problems' headers (an absent plan column keeps a stored shift's plan).
        with transaction.atomic():
            for row, refusal in _apply(ready, present=set(problems.headers)).refused:
                problems.add(row, refusal.field if refusal.field in _SHIFT_COLUMNS else "promoter", refusal)
            transaction.set_rollback(True)

    def write(self, rows, *, present):
        outcome = _apply(rows, present=present)
        if outcome.refused:  # checked, so only when another writer changed the promoter's days meanwhile
            raise outcome.refused[0][1]
        return outcome.created, outcome.updated


class _Outcome:
    def __init__(self) -> None:
        self.created = self.updated = 0
        self.refused: list[tuple] = []  # (row, DomainError)


def _stored_shifts(rows) -> dict[tuple, list[Shift]]:
    """The stored shifts of the rows' promoters on the rows' days, by (promoter id, day): a query per chunk of
    promoters."""
    days = [row.values["_fields"]["day"] for row in rows]
    promoters = sorted({row.values["_fields"]["promoter"].pk for row in rows})
    stored = defaultdict(list)
    for part in imports.chunks(promoters):
        shifts = Shift.objects.filter(promoter__in=part, day__range=(min(days), max(days))).order_by("starts_at")
        for shift in shifts:
            stored[shift.promoter_id, shift.day].append(shift)
    return stored


def _match(rows) -> dict[int, Shift]:
    """Row number → the stored shift the row is (see ShiftImport): the same promoter, day and start; else the one
    shift not matched yet at the row's store that day whose hours the row overlaps (a shift moved)."""
    stored = _stored_shifts(rows) if rows else {}
    matched: dict[int, Shift] = {}
    for row in rows:
        fields = row.values["_fields"]
        for shift in stored.get((fields["promoter"].pk, fields["day"]), ()):
            if shift.starts_at == fields["starts_at"]:
                matched[row.number] = shift
    taken = {shift.pk for shift in matched.values()}
    for row in rows:
        if row.number in matched:
            continue
        fields = row.values["_fields"]
        moved = [
            shift
            for shift in stored.get((fields["promoter"].pk, fields["day"]), ())
            if shift.pk not in taken
            and shift.store_id == fields["store"].pk
            and roster_rules.overlaps(fields["starts_at"], fields["ends_at"], shift.starts_at, shift.ends_at)
        ]
        if len(moved) == 1:
            matched[row.number] = moved[0]
            taken.add(moved[0].pk)
    return matched


def _unchanged(shift: Shift, fields: dict) -> bool:
    plan = fields["plan"]
    return (shift.store_id, shift.starts_at, shift.ends_at, shift.plan_id) == (
        fields["store"].pk,
        fields["starts_at"],
        fields["ends_at"],
        plan.pk if plan is not None else None,
    )


def _apply(rows, *, present) -> _Outcome:
    """Save the rows' shifts through the service: rows matching a stored shift change it (an identical row is left
    alone), the others are new. A row refused only because it overlaps a shift another row moves away is tried again
    once the others are saved, so the rows' order does not matter; what still overlaps is refused."""
    outcome = _Outcome()
    matched = _match(rows)
    steps = []
    for row in rows:
        fields = dict(row.values["_fields"])
        shift = matched.get(row.number)
        if shift is not None and ("plan" not in present or "plan" in row.blank):
            fields["plan"] = shift.plan  # no plan column, or its cell empty: the shift's plan stays
        if shift is not None and _unchanged(shift, fields):
            continue
        steps.append((row, shift, fields))
    steps.sort(key=lambda step: step[1] is None)  # changes first: a shift moved away frees its hours
    while steps:
        waiting, saved = [], False
        for row, shift, fields in steps:
            try:
                services.shift_save(shift=shift, **fields)
            except DomainError as refusal:
                if refusal.code == "shift.overlap":
                    waiting.append(((row, shift, fields), refusal))
                else:
                    outcome.refused.append((row, refusal))
                continue
            saved = True
            if shift is None:
                outcome.created += 1
            else:
                outcome.updated += 1
        if not saved or not waiting:  # nothing more saved this round: what overlaps still, overlaps
            outcome.refused += [(step[0], refusal) for step, refusal in waiting]
            break
        steps = [step for step, _refusal in waiting]
    return outcome


_SHIFT_COLUMNS = {"promoter", "store", "day", "starts_at", "ends_at", "plan"}


def _supervisors(values) -> tuple[dict, set]:
    """The KA supervisors a column names, by username (what the roster export writes) or, for the rest, by their
    name (ka_portal.formatting.display_name, as the export wrote it before, and as people type it): value → user id;
    and the names that fit more than one supervisor. A file exported from the roster imports back as it is."""
    wanted = {value for value in values if value}
    everyone = User.objects.filter(profile__role=Role.SUPERVISOR)
    found = imports.lookup(everyone, wanted, field="username")
    ambiguous: set = set()
    rest = wanted - set(found)
    if rest:
        by_name = defaultdict(list)
        by_username = defaultdict(list)  # compared without case, as codes are (`Supervisor1` names supervisor1)
        for user in everyone.only("pk", "username", "first_name", "last_name"):
            by_name[display_name(user)].append(user.pk)
            by_username[user.username.lower()].append(user.pk)
        for value in rest:
            matches = by_username.get(str(value).lower()) or by_name.get(value, [])
            if len(matches) == 1:
                found[value] = matches[0]
            elif matches:
                ambiguous.add(value)
    return found, ambiguous
