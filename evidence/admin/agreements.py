"""Admin: display agreements (issue 13 item 2). The form shows what evidence/agreements.py refuses before saving,
and saves go through its services (create, update, delete) like the page and the API."""

from django import forms
from django.contrib import admin, messages
from django.forms.models import construct_instance
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.filters import account_search_fields
from ka_portal.errors import DomainError

from .. import agreement_rules as rules
from .. import agreements as services
from ..models import DisplayAgreement
from ..views.agreements import mark_problems, show_refusals


class DisplayAgreementAdminForm(forms.ModelForm):
    class Meta:
        model = DisplayAgreement
        fields = list(services.EDITABLE_FIELDS)

    def _post_clean(self):
        self.instance = construct_instance(self, self.instance, self._meta.fields)
        if self.errors:  # the rule's reasons for the fields that were read, beside those that were not
            data = self.cleaned_data
            saved = DisplayAgreement.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
            mark_problems(self, [*rules.agreement_problems(
                kind=data.get("kind"), facings=data.get("facings"), start_on=data.get("start_on"),
                end_on=data.get("end_on"), fee=data.get("fee"), evidence_visits=data.get("evidence_visits"),
            ), *services.store_problems(  # a store of another chain: said in the same round
                store=data.get("store"), account=data.get("account"), saved=saved,
            )])  # fmt: skip
            return
        try:
            services.agreement_check(self.instance)
        except DomainError as refusal:
            show_refusals(self, refusal)


@admin.register(DisplayAgreement)
class DisplayAgreementAdmin(admin.ModelAdmin):
    form = DisplayAgreementAdminForm
    list_display = ("account", "store", "kind", "start_on", "end_on", "fee", "evidenced_visits", "status", "source")
    list_filter = ("status", "kind", "source", "account")
    search_fields = (*account_search_fields("account"), "store__code", "store__name", "note", "source_key")
    raw_id_fields = ("store",)
    readonly_fields = (
        "source", "source_key", "term", "plan", "status", "evidenced_visits", "evaluated_at", "store_left_at",
    )  # fmt: skip

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.agreement_update(agreement=obj, by=request.user, **values)
        else:
            saved = services.agreement_create(by=request.user, **values)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_view(self, request, object_id, extra_context=None):
        """Deleted through the service; a refusal (generated, a closed month, deductions matched to its fee, visits
        that checked it) is shown on the agreement's page, which stays."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as refusal:
            self.message_user(request, refusal.detail, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:evidence_displayagreement_change", args=[object_id]))

    def delete_model(self, request, obj):
        services.agreement_delete(agreement=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # One at a time, on the agreement's page, where a refusal can be shown: a bulk delete would stop half way.
        return obj is not None and super().has_delete_permission(request, obj)
