"""Forms for the visit flow, route editing, tasks and reports: they check input, services decide."""

from datetime import date, datetime, time
from types import SimpleNamespace

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ka_portal import bounds
from ka_portal.errors import DomainError
from ka_portal.formatting import PacksNotationError, combine_packs, parse_packs
from ka_portal.lists import choose_by_code, style_form_fields
from ka_portal.pages import mark_problems

from . import rules
from .models import ChecklistResult, Task, VisitReview
from .services import TaskAnswer

FORM_ID = "visit-form"  # the visit page's form, which its fields name wherever they stand on the page
# Sent with the visit form's fields, not findings themselves: the names of the inputs the rep changed on the page
# (visit.js, space-separated) and the visit's revision the page was drawn at (Visit.revision). See VisitForm._read.
CHANGED = "changed"
REVISION = "revision"
YES_NO_NA = [("yes", _("Yes")), ("no", _("No")), ("na", _("n.a."))]
_TRI = {"yes": True, "no": False, "na": None, "": None}


def _tri_initial(value: bool | None) -> str:
    """A yes/no/n.a. answer as the radio shows it. The visit keeps n.a. and "not answered" alike (null: neither
    rates the visit nor holds up its check-out), so null shows as not answered: a rep who skipped the question sees
    it still open, and one who chose n.a. loses nothing by it."""
    if value is None:
        return ""
    return "yes" if value else "no"


class CheckInForm(forms.Form):
    """Check in at a store; the uuid is made when the page is drawn, so a double tap is one visit."""

    store = forms.IntegerField(widget=forms.HiddenInput)
    stop = forms.IntegerField(required=False, widget=forms.HiddenInput)
    uuid = forms.UUIDField(widget=forms.HiddenInput)
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, validators=bounds.LATITUDE_VALIDATORS, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, validators=bounds.LONGITUDE_VALIDATORS, widget=forms.HiddenInput
    )
    # The phone's time of the tap (checkin.js): a check-in made offline uploads later with the time it happened.
    at = forms.DateTimeField(label=_("time on the phone"), required=False, widget=forms.HiddenInput)


class CasesPacksWidget(forms.MultiWidget):
    """A stock count as two numeric inputs, `<name>_cases` and `<name>_packs` (a phone shows its number pad).
    A post with the single `<name>` field in `cases/packs` notation (scripts, pages drawn before) is still read."""

    def __init__(self):
        # no maxlength: a browser cuts what is typed beyond it without a word (11 digits became 6); the server
        # refuses a count too large, naming it in what was typed (ka_portal.formatting.combine_packs)
        number = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
        super().__init__(widgets={"_cases": forms.TextInput(number), "_packs": forms.TextInput(number)})

    def decompress(self, value):
        return value if isinstance(value, tuple | list) else ("", "")

    def value_from_datadict(self, data, files, name):
        if f"{name}_cases" not in data and f"{name}_packs" not in data and name in data:
            return data.get(name)  # the single-field notation, e.g. "3/5"
        return (data.get(f"{name}_cases", ""), data.get(f"{name}_packs", ""))

    def value_omitted_from_data(self, data, files, name):
        return all(key not in data for key in (name, f"{name}_cases", f"{name}_packs"))


class StockCountField(forms.Field):
    """One product's count → packs (or None when left blank). Two fields are combined with the product's packs
    per case (`combine_packs`: loose packs of a case or more are refused, naming the product); the old notation with
    `parse_packs`. A refusal's code names the part that is wrong ("cases"/"packs"), so the page marks and focuses
    that input."""

    widget = CasesPacksWidget

    def __init__(self, *, packs_per_case: int, **kwargs):
        self.packs_per_case = packs_per_case
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        try:
            if isinstance(value, str):
                return parse_packs(value, self.packs_per_case, stock_count=True)
            cases, packs = value or ("", "")
            return combine_packs(cases, packs, self.packs_per_case, stock_count=True, product=str(self.label or ""))
        except PacksNotationError as error:
            raise ValidationError(error.message, code=error.part or "invalid") from error


def _count_parts(value) -> tuple[str, str]:
    """What the two inputs show: a typed pair as typed, the old notation split at its slash."""
    if isinstance(value, str):
        cases, _slash, packs = value.partition("/")
        return cases, packs
    cases, packs = value or ("", "")
    return str(cases if cases is not None else ""), str(packs if packs is not None else "")


def _split_packs(packs: int | None, packs_per_case: int) -> tuple[str, str]:
    if packs is None:
        return "", ""
    cases, rest = divmod(int(packs), max(int(packs_per_case), 1))
    return str(cases), str(rest)


class VisitForm(forms.Form):
    """Everything found in the store, in the order of SPEC §4's steps. Fields are made per visit:
    one per checklist item, one per listed product (cases and packs), a done box and comment per open task."""

    price_check_ok = forms.ChoiceField(
        label=_("Prices and price tags correct"), choices=YES_NO_NA, widget=forms.RadioSelect, required=False
    )
    # No "running promotion executed" yes/no (issue 13): it is computed from the prices and displays checked in
    # the visit's promotions section (evidence/visit_checks.py).
    problems = forms.CharField(label=_("Problems found"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    actions = forms.CharField(label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    checkout_reason = forms.CharField(
        label=_("Reason for checking out as it is"),
        help_text=_("Only if something is missing (an unanswered item, a product not counted, no position)."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )
    # The phone's time of "check out" (visit.js): a check-out made offline uploads later with the time it happened.
    at = forms.DateTimeField(label=_("time on the phone"), required=False, widget=forms.HiddenInput)
    # A visit left open overnight: the time the rep left, on the check-in's day (visits/rules.check_out_time).
    left_at = forms.TimeField(label=_("Time you left the store"), required=False)

    def __init__(self, *args, visit, listings, tasks, previous=None, **kwargs):
        self.visit, self.listings, self.tasks = visit, listings, tasks
        previous = previous or {}
        counts, marked, results = {}, set(), {}
        if visit.pk is not None:  # else a visit about to start (checked in on the phone, not uploaded yet)
            counts = {c.product_id: c.packs for c in visit.stock_counts.all()}
            marked = {mark.product_id for mark in visit.not_counted.all()}
            results = {r.item: r.result for r in visit.checklist.all()}
        initial = {
            "price_check_ok": _tri_initial(visit.price_check_ok),
            "problems": visit.problems,
            "actions": visit.actions,
            "checkout_reason": visit.checkout_reason,
        }
        super().__init__(*args, initial=initial, **kwargs)
        for item in ChecklistResult.Item:
            self.fields[f"check_{item.value}"] = forms.ChoiceField(
                label=item.label, choices=ChecklistResult.Result.choices, widget=forms.RadioSelect, required=False
            )
            self.initial[f"check_{item.value}"] = results.get(item.value, "")
        self.stock_rows = []
        for listing in listings:
            product = listing.product
            name = f"stock_{product.pk}"
            self.fields[name] = StockCountField(
                label=product.name,
                packs_per_case=product.packs_per_case,
                help_text=_("%(n)s packs a case") % {"n": product.packs_per_case},
            )
            self.initial[name] = _split_packs(counts.get(product.pk), product.packs_per_case)
            self.fields[f"not_counted_{product.pk}"] = forms.BooleanField(label=_("not counted"), required=False)
            self.initial[f"not_counted_{product.pk}"] = product.pk in marked
            before = previous.get(product.pk)
            self.stock_rows.append((product, name, before))
        for task in tasks:
            self.fields[f"task_{task.pk}_done"] = forms.BooleanField(label=_("Done"), required=False)
            self.fields[f"task_{task.pk}_comment"] = forms.CharField(
                label=_("Comment"), required=False, widget=forms.TextInput()
            )
            # the answer given at this visit, shown back (selectors.visit_form_tasks lists the tasks answered here)
            answered_here = visit.pk is not None and task.done_visit_id == visit.pk
            self.initial[f"task_{task.pk}_done"] = answered_here and task.status == Task.Status.DONE
            self.initial[f"task_{task.pk}_comment"] = task.done_comment if answered_here else ""
        style_form_fields(self)
        for field in self.fields.values():  # the page spreads the fields over its sections (visit.html)
            field.widget.attrs["form"] = FORM_ID
        if self.is_bound:
            self.data = self._read(self.data)

    def _read(self, data):
        """A post read against what the visit holds now: the page that sent it may be older than that (a copy kept on
        the phone, drawn before the saves made since), and what it did not change must not undo them.

        - A post naming the inputs the rep changed (`changed`, from visit.js) records those alone: every other input
          reads as the visit has it now, whatever the page showed. A count's two inputs are read apart (the packs
          typed on an old copy go with the cases the visit has).
        - A post without that list (the form posted without its script) from a page drawn before the visit's last
          write (`revision`) does not clear: an input it left blank reads as the visit has it.
        - Any other post is taken as it is."""
        declared = data.get(CHANGED)
        if declared is not None:
            changed = set(str(declared).split())

            def keep(key, posted):
                return key not in changed

        elif self._drawn_before_last_write(data.get(REVISION)):

            def keep(key, posted):
                return not any(str(value).strip() for value in posted)

        else:
            return data
        merged = data.copy() if isinstance(data, QueryDict) else _as_query_dict(data)
        for key, held in self._as_posted(data).items():
            if keep(key, _values(data, key)):
                merged.setlist(key, held)
        return merged

    def _drawn_before_last_write(self, revision) -> bool:
        try:
            return int(str(revision)) < int(self.visit.revision)
        except (TypeError, ValueError):
            return False  # no revision (a post from a page of before revisions, a script): taken as it is

    def _as_posted(self, data) -> dict[str, list[str]]:
        """The inputs that would leave the findings as the visit holds them now (the form's initial values), by the
        name each input posts under. A count posted in the single-field notation ("3/5") is left as posted."""
        held = {}
        for name, field in self.fields.items():
            value = self.initial.get(name)
            if name in ("at", "left_at"):
                continue  # the phone's time of this post, the time of leaving: not findings
            if isinstance(field, StockCountField):
                if name in data:
                    continue
                cases, packs = _count_parts(value)
                held[f"{name}_cases"] = [cases] if cases else []
                held[f"{name}_packs"] = [packs] if packs else []
            elif isinstance(field, forms.BooleanField):
                held[name] = ["on"] if value else []
            else:
                held[name] = [str(value)] if value not in (None, "") else []
        return held

    def checklist_fields(self):
        return [self[f"check_{item.value}"] for item in ChecklistResult.Item]

    def stock_fields(self):
        """One row per listed product for the stock section: the two inputs' values, which one is wrong after a
        refused save (the first one marked is focused), and the last count for "same as last count"."""
        rows = []
        for product, name, before in self.stock_rows:
            field = self[name]
            cases, packs = _count_parts(field.value())
            codes = {error.code for error in self.errors[name].as_data()} if name in self.errors else set()
            last_cases, last_packs = _split_packs(before.packs if before else None, product.packs_per_case)
            rows.append(
                SimpleNamespace(
                    product=product,
                    field=field,
                    before=before,
                    not_counted=self[f"not_counted_{product.pk}"],
                    cases=cases,
                    packs=packs,
                    cases_invalid=bool(codes) and codes != {"packs"},
                    packs_invalid=bool(codes) and codes != {"cases"},
                    last_cases=last_cases,
                    last_packs=last_packs,
                )
            )
        return rows

    def progress(self) -> SimpleNamespace:
        """The bar's progress as the page is drawn (visit.js keeps it up to date as the rep goes): checklist items
        answered, products counted or ticked "not counted", photos taken. A count the save refused (too large, not a
        number) is not counted: it is not recorded, and the rep still has to count that product."""
        items = self.checklist_fields()
        counted = 0
        for row in self.stock_fields():
            ticked = bool(row.not_counted.value())
            typed = bool(str(row.cases).strip() or str(row.packs).strip())
            if ticked or (typed and not row.field.errors):
                counted += 1
        return SimpleNamespace(
            answered=sum(1 for field in items if field.value()),
            items=len(items),
            counted=counted,
            products=len(self.stock_rows),
            photos=self.visit.photos.count() if self.visit.pk is not None else 0,
        )

    def shown_counts(self) -> dict[str, str]:
        """How the page drawn now writes each count just recorded (its two inputs: 3 cases 0 packs for 36 packs, a
        count sent in the old notation split), from the cleaned form (no query): visit.js puts them on the page after a
        save, so the page shows what a reload would."""
        shown = {}
        for product, name, _before in self.stock_rows:
            cases, packs = _split_packs(self.cleaned_data.get(name), product.packs_per_case)
            shown[f"{name}_cases"], shown[f"{name}_packs"] = cases, packs
        return shown

    def shown_unsaved(self) -> str:
        """A page drawn again from a refused post shows what was typed, kept: the inputs it shows otherwise than the
        visit holds them. visit.js counts them changed from the start (`data-changed`); else its next save would
        leave them out of `changed` and the server would read them as the visit has them (a reason typed before a
        refused check-out lost at the second try)."""
        if not self.is_bound:
            return ""

        def filled(values) -> list[str]:
            return [str(value).strip() for value in values if str(value).strip()]

        held = self._as_posted(self.data)
        shown = (key for key, values in held.items() if filled(_values(self.data, key)) != filled(values))
        return " ".join(sorted(shown))

    def fix_count(self) -> int:
        """How many fields a refused save marked (the page says so at the top and focuses the first)."""
        return sum(1 for name in self.errors if name != NON_FIELD_ERRORS)

    def fix_message(self) -> str:
        return _fix_message(self.fix_count()) if self.fix_count() else ""

    def fix_count_messages(self) -> dict[int, str]:
        """The same sentence for the browser's own check before sending, per count (plural rules differ)."""
        return {n: _fix_message(n) for n in range(1, len(self.stock_rows) + 1)}

    def task_fields(self):
        return [(task, self[f"task_{task.pk}_done"], self[f"task_{task.pk}_comment"]) for task in self.tasks]

    def clean(self):
        data = super().clean()
        for product, name, _before in self.stock_rows:
            if name in data:  # packs, or None when left blank (StockCountField)
                data[f"packs_{product.pk}"] = data[name]
        return data

    def left_at_moment(self) -> datetime | None:
        """The time of leaving typed (HH:MM) as a moment on the check-in's day (Asia/Shanghai), None without one."""
        return left_at_on(self.visit, self.cleaned_data.get("left_at"))

    def record_kwargs(self, *, all_ok: bool = False) -> dict:
        """What visit_record takes, from the cleaned form. `all_ok` (the "All OK" button without JavaScript)
        answers every unanswered checklist item "pass"; the rep then marks the exceptions."""
        data = self.cleaned_data
        unanswered = ChecklistResult.Result.PASS.value if all_ok else ""
        return {
            "checklist": {
                item.value: data.get(f"check_{item.value}", "") or unanswered for item in ChecklistResult.Item
            },
            "price_check_ok": _TRI[data.get("price_check_ok", "")],
            "stock": {product.pk: data.get(f"packs_{product.pk}") for product, _n, _b in self.stock_rows},
            "not_counted": {
                product.pk: bool(data.get(f"not_counted_{product.pk}")) for product, _n, _b in self.stock_rows
            },
            "problems": data.get("problems", ""),
            "actions": data.get("actions", ""),
            "checkout_reason": data.get("checkout_reason", ""),
            "tasks": {task.pk: self._task_answer(task) for task in self.tasks},
        }

    def _task_answer(self, task) -> TaskAnswer | None:
        """Done ticked: done, with the comment; a comment alone: not done, the comment saying why (what the
        supervisor needs); neither: no answer (one given at this visit is taken back)."""
        done = bool(self.cleaned_data.get(f"task_{task.pk}_done"))
        comment = (self.cleaned_data.get(f"task_{task.pk}_comment") or "").strip()
        return TaskAnswer(done=done, comment=comment) if done or comment else None


def left_at_on(visit, typed: time | None) -> datetime | None:
    """A time of leaving typed as a clock time (the page's box): that time on the visit's check-in day, local."""
    if typed is None:
        return None
    day = timezone.localtime(visit.checked_in_at).date()
    return timezone.make_aware(datetime.combine(day, typed.replace(second=0, microsecond=0)))


def _values(data, key: str) -> list:
    return data.getlist(key) if hasattr(data, "getlist") else ([data[key]] if key in data else [])


def _as_query_dict(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, list(value) if isinstance(value, list | tuple) else [value])
    return query


def _fix_message(n: int) -> str:
    return ngettext("%(n)s field needs fixing", "%(n)s fields need fixing", n) % {"n": n}


class PhotoForm(forms.Form):
    # A plain file: the service reads it (visits/photos.py) and says what is wrong, the same on every door.
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    checklist_item = forms.ChoiceField(
        label=_("Shows checklist item"),
        choices=[("", _("— the visit in general —")), *ChecklistResult.Item.choices],
        required=False,
    )
    # Filled in by visits/static/visits/photos.js: the original's camera time (the resized copy has no EXIF)
    # and the phone's position. The service bounds them and keeps the file's own time first.
    taken_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)

    def add_kwargs(self) -> dict:
        """visit_photo_add's arguments: an empty checklist item is none."""
        return {**self.cleaned_data, "checklist_item": self.cleaned_data.get("checklist_item") or None}


DAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
]


class GenerateRouteForm(forms.Form):
    rep = forms.ModelChoiceField(label=_("Sales rep"), queryset=None)
    week_start = forms.DateField(
        label=_("Week starting (Monday)"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps
        self.fields["rep"].label_from_instance = _rep_label
        style_form_fields(self)


def _rep_label(user) -> str:
    from ka_portal.formatting import display_name

    return display_name(user)


class AddStopForm(forms.Form):
    store = forms.ModelChoiceField(label=_("Store"), queryset=None)
    day = forms.TypedChoiceField(label=_("Day"), choices=DAY_CHOICES, coerce=int)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        style_form_fields(self)


# A stop's place in its day as the route page counts it, from 1 (a number past the day's last stop puts it last), up
# to what a move reads (the API's `position`, from 0, has the same bound); said whole whichever end was passed.
PLACE_MAX = bounds.INT16_MAX
PLACE_RANGE = lazy(
    lambda: gettext("Give the place in the day as a number from 1 to %(max)s.") % {"max": PLACE_MAX}, str
)()


class MoveStopForm(forms.Form):
    day = forms.TypedChoiceField(label=_("Day"), choices=DAY_CHOICES, coerce=int)
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        max_value=PLACE_MAX,
        error_messages={"invalid": PLACE_RANGE, "min_value": PLACE_RANGE, "max_value": PLACE_RANGE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)  # the place as typed on a Chinese keyboard (full-width digits, 。): TypedNumberInput


def check_task_rules(form, *, was: date | None = None) -> None:
    """The task's rules (visits/rules.py, what task_create and task_edit check) on what the form read, each beside
    its field, with whatever else the form found: a cleared title and a past due day are both said at once."""
    problems = []
    for check in (
        lambda: rules.task_title(form.cleaned_data.get("title", "")),
        lambda: rules.task_due_on(form.cleaned_data.get("due_on"), today=timezone.localdate(), was=was),
    ):
        try:
            check()
        except DomainError as problem:
            problems.append(problem)
    mark_problems(form, problems)


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["store", "title", "description", "due_on"]
        widgets = {
            "due_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, stores, **kwargs):
        # its own ids: the task list's filters beside it have a store of their own (id_store)
        super().__init__(*args, auto_id="task_%s", **kwargs)
        self.fields["store"].queryset = stores
        # the picker offers no day already past (the service refuses one: task.due_in_past)
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        style_form_fields(self)
        choose_by_code(self, "store")  # a KA manager's stores: a few thousand

    def clean(self):
        cleaned = super().clean()
        check_task_rules(self)
        return cleaned


class TaskEditForm(forms.ModelForm):
    """What an open task asks and by when, corrected by who assigns tasks (services.task_edit): its store stays."""

    class Meta:
        model = Task
        fields = ["title", "description", "due_on"]
        widgets = TaskForm.Meta.widgets

    def __init__(self, *args, was: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.was = was
        # the picker offers no day already past, except the day an overdue task keeps (task.due_in_past)
        today = timezone.localdate()
        self.fields["due_on"].widget.attrs["min"] = min(was, today).isoformat()
        style_form_fields(self)

    def clean(self):
        cleaned = super().clean()
        check_task_rules(self, was=self.was)  # the service checks them again, as at the API's door
        return cleaned


class VisitReviewForm(forms.Form):
    """A reviewer's comment on a checked-out visit (optional): the service (visits.services.visit_review_save) checks
    it, the same as at the API's door."""

    comment = forms.CharField(
        label=_("Comment for the rep"),
        required=False,
        strip=False,  # the service trims it, and refuses one too long naming its length
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": VisitReview.COMMENT_MAX}),
        help_text=_("Optional: what the rep should do next time, e.g. bring new price tags."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form_fields(self)
