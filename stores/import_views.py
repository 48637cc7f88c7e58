"""The Excel import page: choose a kind, download its template, upload a file, see what was imported or
every bad row. The work is done by ka_portal.imports.run_import, the same as for the API; a refused file shows its
first problems (at most KA.import_max_errors) and how many there are in all."""

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ka_portal import excel
from ka_portal.errors import DomainError
from ka_portal.imports import (
    FileTooLarge,
    ImportKind,
    ImportRejected,
    UploadSizeLimit,
    limit_upload_size,
    problems_workbook,
    run_import,
    template_workbook,
)
from ka_portal.lists import style_form_fields

from .imports import import_kinds_for

# How long the list of a rejected file's problems stays downloadable.
PROBLEMS_KEPT_SECONDS = 3600


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"), widget=forms.HiddenInput)
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{excel.XLSX_CONTENT_TYPE}"}),
    )

    def __init__(self, *args, kinds: list[ImportKind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.name, kind.label) for kind in kinds]
        style_form_fields(self)


def _kinds_for(user) -> dict[str, ImportKind]:
    """The kinds this user may import; none at all means the page does not exist for them (404)."""
    kinds = {kind.name: kind for kind in import_kinds_for(user)}
    if not kinds:
        raise Http404
    return kinds


@csrf_exempt  # checked by _import_page, once the upload size limit is in place (CSRF reads the body)
@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    return _import_page(request, limit_upload_size(request))


@csrf_protect
def _import_page(request, upload_limit: UploadSizeLimit):
    kinds = _kinds_for(request.user)
    wanted = request.POST.get("kind") or request.GET.get("kind")
    if wanted and wanted not in kinds:
        raise Http404
    chosen = kinds[wanted] if wanted else next(iter(kinds.values()))
    form = ImportForm(
        request.POST or None, request.FILES or None, kinds=list(kinds.values()), initial={"kind": chosen.name}
    )
    rejected = None
    if request.method == "POST" and upload_limit.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", FileTooLarge(upload_limit.limit).detail)
    elif request.method == "POST" and form.is_valid():
        try:
            result = run_import(kind=chosen, source=form.cleaned_data["file"], user=request.user)
        except ImportRejected as error:
            rejected = error
        except DomainError as error:
            form.add_error("file", error.detail)
        else:
            messages.success(
                request,
                ngettext(
                    "%(kind)s: %(rows)s row imported — %(created)s created, %(updated)s updated.",
                    "%(kind)s: %(rows)s rows imported — %(created)s created, %(updated)s updated.",
                    result.rows,
                )
                % {"kind": chosen.label, "rows": result.rows, "created": result.created, "updated": result.updated},
            )
            if result.ignored_columns:
                messages.warning(
                    request,
                    _("These columns were not recognised and were ignored: %(columns)s")
                    % {"columns": ", ".join(result.ignored_columns)},
                )
            # Redirect so a reload does not post the file again.
            return redirect(f"{reverse('stores:import')}?kind={chosen.name}")
    errors = rejected.errors if rejected else []
    context = {
        "problems_token": _keep_problems(request.user, errors) if errors else None,
        "kinds": list(kinds.values()),
        "chosen": chosen,
        "columns": chosen.describe(),
        "other_kinds": [kind for kind in kinds.values() if kind is not chosen],
        "form": form,
        "rejected": rejected,
        "errors": errors,
    }
    return render(request, "stores/import.html", context)


@login_required
@require_http_methods(["GET"])
def import_template(request, kind: str):
    chosen = _kinds_for(request.user).get(kind)
    if chosen is None:
        raise Http404
    return excel.workbook_response(template_workbook(chosen), f"import-{chosen.name}.xlsx")


def _problems_key(user, token: str) -> str:
    return f"import-problems:{user.pk}:{token}"


def _keep_problems(user, errors) -> str:
    """Keep a rejected file's problems (the ones shown) in the cache under a random token only this user can fetch."""
    token = secrets.token_urlsafe(16)
    cache.set(_problems_key(user, token), [error.as_dict() for error in errors], PROBLEMS_KEPT_SECONDS)
    return token


@login_required
@require_http_methods(["GET"])
def import_problems(request, token: str):
    """The problems shown for a rejected upload, as .xlsx."""
    _kinds_for(request.user)
    errors = cache.get(_problems_key(request.user, token))
    if errors is None:
        raise Http404
    return excel.workbook_response(problems_workbook(errors), "import-problems.xlsx")
