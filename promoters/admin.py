"""The admin for the roster: promoters, shifts and targets save through promoters/roster_services.py like every
other door; a refusal shows next to its field. Sell-out lines are read only here (the phone reports them)."""

from django import forms
from django.contrib import admin

from ka_portal.errors import DomainError

from . import roster_rules as rules
from . import roster_services as services
from .models import Promoter, PromoterTarget, SellOutLine, Shift


def _refusal_on(form, check) -> None:
    """Show a rule's refusal next to its field (the form's own errors first: a value that did not parse)."""
    if form.errors:
        return
    try:
        check()
    except DomainError as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.detail)


class PromoterAdminForm(forms.ModelForm):
    class Meta:
        model = Promoter
        fields = ("code", "name", "phone", "kind", "employer", "agency", "user", "supervisor", "stores", "daily_fee",
                  "monthly_pay", "started_on", "ended_on")  # fmt: skip

    def clean(self):
        data = super().clean()

        def check():
            rules.check_promoter(data)
            draft = Promoter(pk=self.instance.pk, **{k: data.get(k) for k in ("code", "user", "supervisor")})
            services._check_code(draft)
            services._check_login(draft)
            services._check_supervisor(draft)

        _refusal_on(self, check)
        return data


@admin.register(Promoter)
class PromoterAdmin(admin.ModelAdmin):
    form = PromoterAdminForm
    list_display = (
        "code",
        "name",
        "kind",
        "employer",
        "supervisor",
        "daily_fee",
        "monthly_pay",
        "started_on",
        "ended_on",
    )
    list_filter = ("kind", "employer")
    search_fields = ("code", "name", "phone", "agency")
    list_select_related = ("supervisor",)
    filter_horizontal = ("stores",)
    raw_id_fields = ("user", "supervisor")

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in services.PROMOTER_FIELDS if name in form.cleaned_data}
        saved = services.promoter_save(
            promoter=obj if change else None, by=request.user, stores=form.cleaned_data.get("stores"), **fields
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # The stores were set by the service; the form must not set them a second time.
        form.cleaned_data.pop("stores", None)
        form.save_m2m = lambda: None
        super().save_related(request, form, formsets, change)


class ShiftAdminForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ("promoter", "store", "day", "starts_at", "ends_at", "plan")

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by

    def clean(self):
        data = super().clean()

        def check():
            if self.instance.pk:
                services._locked(Shift.objects.get(pk=self.instance.pk))
            draft = Shift(pk=self.instance.pk, **{k: data.get(k) for k in self.Meta.fields})
            services._check_shift(
                by=self.by, shift=draft, promoter=data["promoter"], store=data["store"], plan=data.get("plan")
            )

        if self.by is not None and data.get("promoter") and data.get("store"):
            _refusal_on(self, check)
        return data


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    form = ShiftAdminForm
    list_display = ("day", "starts_at", "ends_at", "promoter", "store", "plan", "checked_in_at", "confirmed_attendance")
    list_filter = ("day", "confirmed_attendance")
    search_fields = ("promoter__code", "promoter__name", "store__code", "store__name")
    list_select_related = ("promoter", "store", "plan")
    raw_id_fields = ("promoter", "store", "plan")
    date_hierarchy = "day"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, by=request.user, **inner)

        return WithUser

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in ShiftAdminForm.Meta.fields}
        saved = services.shift_save(shift=obj if change else None, by=request.user, **fields)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.shift_delete(shift=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # A bulk delete would go around the service (a checked-in shift is never deleted): one at a time.
        return obj is not None and super().has_delete_permission(request, obj)


class PromoterTargetAdminForm(forms.ModelForm):
    class Meta:
        model = PromoterTarget
        fields = ("promoter", "month", "amount")

    def clean(self):
        data = super().clean()
        _refusal_on(self, lambda: rules.check_promoter_target(data))
        return data


@admin.register(PromoterTarget)
class PromoterTargetAdmin(admin.ModelAdmin):
    form = PromoterTargetAdminForm
    list_display = ("promoter", "month", "amount")
    list_filter = ("month",)
    search_fields = ("promoter__code", "promoter__name")
    list_select_related = ("promoter",)
    raw_id_fields = ("promoter",)

    def save_model(self, request, obj, form, change):
        saved = services.promoter_target_save(
            target=obj if change else None,
            by=request.user,
            **{k: form.cleaned_data[k] for k in ("promoter", "month", "amount")},
        )
        obj.pk = saved.pk


@admin.register(SellOutLine)
class SellOutLineAdmin(admin.ModelAdmin):
    list_display = ("shift", "product", "units", "shelf_stock", "price_seen", "reported_at")
    search_fields = ("shift__promoter__code", "product__code")
    list_select_related = ("shift__promoter", "shift__store", "product")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
