"""The admin for accounts: saves go through accounts/services.py like every other door; the contact log is
append-only here too (an entry is added, then only its follow-up marked done)."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from ka_portal.pages import mark_problems
from ka_portal.scope import NOT_FOUND_TEXT, account_owners_for

from . import rules, services
from .filters import account_search_fields
from .models import CollectionTarget, Contact, ContactLog, KeyAccount, Profile, SalesTarget, StoreTarget
from .services import may_change_owner


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class KeyAccountAdminForm(forms.ModelForm):
    user = None  # the acting user (KeyAccountAdmin.get_form): a code taken is named to whoever sees its account

    def clean(self):
        data = super().clean()
        # the code's rules (no spaces, unique whatever its case), said beside the field as every door says them
        if "code" in data:
            for refusal in services.account_code_refusals(data["code"], pk=self.instance.pk, by=self.user):
                if "code" not in self.errors:
                    self.add_error("code", forms.ValidationError(refusal.detail, code=refusal.code))
        return data


@admin.register(KeyAccount)
class KeyAccountAdmin(admin.ModelAdmin):
    form = KeyAccountAdminForm
    list_display = ("code", "name", "name_en", "tier", "format", "owner", "region", "active")
    list_filter = ("tier", "format", "purchasing_mode", "margin_model", "active", "region")
    search_fields = account_search_fields()
    inlines = [ContactInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        # Only an admin hands an account to another KA manager (accounts.services.may_change_owner).
        readonly = super().get_readonly_fields(request, obj)
        return readonly if may_change_owner(request.user) else (*readonly, "owner")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":  # a key account's KA manager is one (accounts.services.account_owner_check)
            kwargs["queryset"] = account_owners_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.account_save(account=obj, by=request.user)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "title", "part", "relationship_level", "phone", "birthday")
    list_filter = ("part", "relationship_level", "account__tier")
    search_fields = ("name", "title", "phone", "email", *account_search_fields("account"))

    def save_model(self, request, obj, form, change):
        services.contact_save(contact=obj)


def _refusals_on(form, rule) -> None:
    """Show every refusal of a record's rule (accounts/rules.py) next to its field, whatever else is wrong with the
    form: a field the rule refuses beside another that did not parse or that the rule refuses too reads the rule's
    words, never the database constraint's name (Django validates the constraints of the fields left without an
    error). A field that already shows an error (a value that did not parse) is said once, as such."""
    mark_problems(form, rules.refusals(rule, form.cleaned_data))


class ContactLogAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        account, contact = data.get("account"), data.get("contact")
        if account is not None and contact is not None and contact.account_id != account.pk:
            self.add_error("contact", NOT_FOUND_TEXT)  # another account's contact
        today = timezone.localdate()
        _refusals_on(
            self,
            (
                lambda values: rules.check_contact_date(values.get("date"), today=today),
                lambda values: rules.check_follow_up(values.get("date"), values.get("follow_up_on")),
            ),
        )
        return data


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    form = ContactLogAdminForm
    list_display = ("date", "account", "contact", "channel", "author", "follow_up_on", "follow_up_done")
    list_filter = ("channel", "follow_up_done", "date")
    search_fields = ("summary", "next_step", *account_search_fields("account"))
    date_hierarchy = "date"
    exclude = ("author",)  # whoever adds the entry

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("account", "contact", "date", "author", "channel", "summary", "next_step", "follow_up_on")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.contact_log_follow_up_done(entry=obj, done=obj.follow_up_done)
            return
        fields = {name: form.cleaned_data.get(name) for name in ("contact", "channel", "next_step", "follow_up_on")}
        saved = services.contact_log_add(
            account=obj.account, author=request.user, date=obj.date, summary=obj.summary, **fields
        )
        obj.pk = saved.pk


class SalesTargetAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        _refusals_on(self, rules.TARGET)
        return data


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    form = SalesTargetAdminForm
    list_display = ("account", "year", "month", "amount")
    list_filter = ("year", "month", "account__tier")
    search_fields = account_search_fields("account")

    def save_model(self, request, obj, form, change):
        services.target_save(target=obj)


class StoreTargetAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        _refusals_on(self, rules.STORE_TARGET)
        return data


@admin.register(StoreTarget)
class StoreTargetAdmin(admin.ModelAdmin):
    form = StoreTargetAdminForm
    list_display = ("store", "month", "amount")
    list_filter = ("month", "store__account")
    search_fields = ("store__code", "store__name", *account_search_fields("store__account"))
    list_select_related = ("store",)
    raw_id_fields = ("store",)

    def save_model(self, request, obj, form, change):
        services.store_target_save(target=obj)


class CollectionTargetAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        _refusals_on(self, rules.COLLECTION_TARGET)
        return data


@admin.register(CollectionTarget)
class CollectionTargetAdmin(admin.ModelAdmin):
    form = CollectionTargetAdminForm
    list_display = ("account", "month", "amount")
    list_filter = ("month", "account__tier")
    search_fields = account_search_fields("account")

    def save_model(self, request, obj, form, change):
        services.collection_target_save(target=obj)


class ProfileAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        user, role = data.get("user") or getattr(self.instance, "user", None), data.get("role")
        if user is not None and role:
            # the person's rules (accounts.services.profile_refusals), each beside its field, as user_set_role
            # refuses them
            mark_problems(self, services.profile_refusals(user=user, role=role, supervisor=data.get("supervisor")))
        return data


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """A person's role, region and supervisor, saved through accounts.services.user_set_role: the rules checked, the
    role's group (what the pages open to them) kept in step."""

    form = ProfileAdminForm
    list_display = ("user", "role", "region", "supervisor")
    list_filter = ("role", "region")
    search_fields = ("user__username", "user__first_name", "user__last_name")

    def save_model(self, request, obj, form, change):
        saved = services.user_set_role(
            user=obj.user, role=obj.role, region=obj.region, supervisor=obj.supervisor, phone=obj.phone
        )
        obj.pk = saved.pk
