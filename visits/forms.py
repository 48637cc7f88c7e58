"""Forms for the visit flow, route editing, tasks and reports: they check input, services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ka_portal import bounds
from ka_portal.formatting import PacksNotationError, format_packs, parse_packs
from ka_portal.lists import style_form_fields

from .models import ChecklistResult, Task

YES_NO_NA = [("yes", _("Yes")), ("no", _("No")), ("na", _("n.a."))]
_TRI = {"yes": True, "no": False, "na": None, "": None}


def _tri_initial(value: bool | None, recorded: bool) -> str:
    """A yes/no/n.a. answer as the radio shows it; nothing chosen until the visit was first saved."""
    if value is None:
        return "na" if recorded else ""
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


class VisitForm(forms.Form):
    """Everything found in the store, in the order of SPEC §4's steps. Fields are made per visit:
    one per checklist item, one per listed product (`cases/packs`), a done box and comment per open task."""

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

    def __init__(self, *args, visit, listings, tasks, previous=None, **kwargs):
        self.visit, self.listings, self.tasks = visit, listings, tasks
        previous = previous or {}
        counts = {c.product_id: c.packs for c in visit.stock_counts.all()}
        marked = {mark.product_id for mark in visit.not_counted.all()}
        results = {r.item: r.result for r in visit.checklist.all()}
        initial = {
            "price_check_ok": _tri_initial(visit.price_check_ok, bool(visit.rating)),
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
            self.fields[name] = forms.CharField(
                label=product.name,
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                help_text=_("%(n)s packs a case") % {"n": product.packs_per_case},
            )
            self.initial[name] = format_packs(counts.get(product.pk), product.packs_per_case)
            self.fields[f"not_counted_{product.pk}"] = forms.BooleanField(label=_("not counted"), required=False)
            self.initial[f"not_counted_{product.pk}"] = product.pk in marked
            before = previous.get(product.pk)
            self.stock_rows.append((product, name, before))
        for task in tasks:
            self.fields[f"task_{task.pk}_done"] = forms.BooleanField(label=_("Done"), required=False)
            self.fields[f"task_{task.pk}_comment"] = forms.CharField(
                label=_("Comment"), required=False, widget=forms.TextInput()
            )
        style_form_fields(self)

    def checklist_fields(self):
        return [self[f"check_{item.value}"] for item in ChecklistResult.Item]

    def stock_fields(self):
        return [
            (product, self[name], before, self[f"not_counted_{product.pk}"])
            for product, name, before in self.stock_rows
        ]

    def task_fields(self):
        return [(task, self[f"task_{task.pk}_done"], self[f"task_{task.pk}_comment"]) for task in self.tasks]

    def clean(self):
        data = super().clean()
        for product, name, _before in self.stock_rows:
            try:
                data[f"packs_{product.pk}"] = parse_packs(data.get(name, ""), product.packs_per_case)
            except PacksNotationError as error:
                self.add_error(name, error.message)
        return data

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
            "tasks_done": {
                task.pk: data.get(f"task_{task.pk}_comment", "")
                for task in self.tasks
                if data.get(f"task_{task.pk}_done")
            },
        }


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


class MoveStopForm(forms.Form):
    day = forms.TypedChoiceField(label=_("Day"), choices=DAY_CHOICES, coerce=int)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=1, max_value=bounds.INT16_MAX)


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["store", "title", "description", "due_on"]
        widgets = {
            "due_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        style_form_fields(self)
