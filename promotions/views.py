"""Promotion pages: plans list, draft form with live rule messages, detail with log and evaluation,
the manager's approval queue with budget left, and an account's promotion calendar."""

import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl.styles import Font

from accounts.roles import Role
from analytics.promotion_expense import on_ledger_basis
from evidence.visit_checks import plan_execution_by_store
from ka_portal import excel
from ka_portal.errors import DomainError, KeyReused
from ka_portal.formatting import account_name, display_name
from ka_portal.lists import Column, FilteredListView
from ka_portal.money import money_sum
from ka_portal.once import Invalid, new_key, once
from ka_portal.pages import safe_next, show_refusal
from ka_portal.permissions import model_permission
from ka_portal.scope import accounts_for, stores_for, user_role
from ka_portal.templatetags.ka import money as money_text
from tradespend.accruals import ACCRUING_PLAN_STATUSES
from tradespend.promoter_pay import plan_shift_cost

from . import selectors, services
from .filters import BudgetFilter, PlanFilter
from .forms import MAX_PRODUCTS, BudgetForm, PlanForm, RejectForm, item_formset, plan_initial, plan_input
from .models import Budget, PromotionPlan
from .rules import RuleSettings, Violation, budget_shortfall, check_plan, nothing_listed, start_passed

Status = PromotionPlan.Status


# --- a form sent again is answered as the first ------------------------------------------------------------------
# Every form of these pages that writes carries a key drawn with it (the plan form's `form_token`, a step's or a
# budget's `request_key`, a new UUID per form drawn): a repeat of the same post (a double click, the browser's resend,
# the form sent again after Back) is answered with the first one's outcome and writes nothing (ka_portal/once.py, as the
# money forms of the other apps do).


def _say(request, said) -> None:
    """Put a step's outcome's messages ([level, text] pairs) on the page that comes next."""
    for level, text in said:
        messages.add_message(request, level, text)


# --- list -------------------------------------------------------------------------------------


TOTAL_COLUMN = gettext_lazy("Total cost (planned)")  # the export's total row puts the plans' sum under it


class PlanListView(FilteredListView):
    template_name = "promotions/plan_list.html"
    filterset_class = PlanFilter
    export_name = gettext_lazy("promotions")
    export_columns = [
        Column(gettext_lazy("Plan name"), lambda p: p.title),
        Column(gettext_lazy("Key account"), lambda p: str(p.account)),
        Column(gettext_lazy("Type"), lambda p: p.type.local_name),
        Column(gettext_lazy("Start"), lambda p: p.start_on),
        Column(gettext_lazy("End"), lambda p: p.end_on),
        Column(TOTAL_COLUMN, lambda p: p.total_cost),
        Column(gettext_lazy("Status"), lambda p: p.get_status_display()),
        Column(gettext_lazy("Owner"), lambda p: display_name(p.owner)),
    ]

    def get_base_queryset(self):
        return selectors.plan_list_for(self.request.user)

    @staticmethod
    def cost_total(plans) -> dict:
        """The count and planned cost of every plan the filters keep (on all pages): the page's total row and the
        export's."""
        return plans.order_by().aggregate(plans=Count("pk"), cost=money_sum("total_cost"))

    def export(self, queryset):
        """The list's sheet, with the page's total row under it: "Total (plans: 6)" and their planned cost."""
        columns = self.export_columns
        total = self.cost_total(queryset)
        rows = ([column.value(plan) for column in columns] for plan in queryset.iterator(chunk_size=2000))
        workbook = excel.new_workbook()
        sheet = excel.write_sheet(workbook, str(self.export_name), [str(c.header) for c in columns], rows)
        cost_at = next(i for i, column in enumerate(columns) if column.header is TOTAL_COLUMN)
        last = [None] * len(columns)
        last[0] = _("Total (plans: %(n)s)") % {"n": total["plans"]}
        last[cost_at] = total["cost"]
        excel.append_row(sheet, last, font=Font(bold=True))
        return excel.workbook_response(workbook, f"{self.export_name}-{timezone.localdate().isoformat()}.xlsx")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_draft"] = self.request.user.has_perm("promotions.add_promotionplan")
        context["queue_size"] = selectors.approval_queue_for(self.request.user).count()
        context["drafts_to_submit"] = selectors.drafts_to_submit_for(self.request.user).count()
        context["cost_total"] = self.cost_total(self.object_list)
        return context


# --- the draft form ---------------------------------------------------------------------------


def _plan_or_404(user, pk) -> PromotionPlan:
    return get_object_or_404(selectors.plan_list_for(user), pk=pk)


@model_permission(PromotionPlan, get="add", post="add")
def plan_create(request):
    return _plan_form_page(request, None)


NOT_EDITABLE = gettext_lazy("Only a draft can be changed, by its owner, their supervisor or the account's manager.")


@model_permission(PromotionPlan, get="change", post="change")
def plan_edit(request, pk):
    plan = _plan_or_404(request.user, pk)
    # A post is asked inside its key's run (_plan_form_page): "Save and submit" clicked twice is answered as the first
    # click, not refused for the plan its first click submitted.
    if request.method != "POST" and not services.can_edit(request.user, plan):
        messages.error(request, NOT_EDITABLE)
        return redirect("promotions:plan-detail", pk=plan.pk)
    return _plan_form_page(request, plan)


def _plan_form_page(request, plan):
    user = request.user
    saved_before = None  # the plan this form already saved, when what it sends now differs (the form sent again)
    if request.method == "POST":
        form = PlanForm(request.POST, user=user)
        formset = item_formset(request.POST, user=user, account=form.account, plan=plan)
        token = request.POST.get("form_token", "")[:64]
        refusal = None
        step = "promotions.plan_create" if plan is None else f"promotions.plan_edit:plan={plan.pk}"

        def save():
            if plan is not None and not services.can_edit(user, plan):
                raise DomainError("promotion.not_editable", NOT_EDITABLE)
            valid = form.is_valid()
            valid = formset.is_valid() and valid  # both, so that one save shows every error of the plan and its rows
            if not valid:
                raise Invalid
            return _save(request, form, formset, plan, token)

        try:
            try:
                done = once(request, step, save, key_field="form_token")
            except KeyReused:
                if plan is None:
                    raise
                # a draft's form saved before and sent again changed (Back to it, changed, saved): these changes are
                # meant, and saving a draft twice makes nothing twice
                done = save()
        except Invalid:
            pass
        except KeyReused as reused:
            # a new plan's form that saved a plan, sent again changed: said above the form with the way to that plan,
            # nothing saved; this page saved again makes another plan (a key of its own)
            saved_before = _saved_with(user, token)
            if saved_before is None:
                refusal = reused
            else:
                token = uuid.uuid4().hex
        except DomainError as error:
            if error.code == "promotion.not_editable":  # no longer a draft (or not theirs): back to the plan
                messages.error(request, error.detail)
                return redirect("promotions:plan-detail", pk=plan.pk)
            if error.code == "promotion.already_saved":  # sent again after the key's hours: the plan it saved
                messages.info(request, error.detail)
                return redirect("promotions:plan-detail", pk=error.params["id"])
            refusal = error
        else:
            _say(request, done["said"])
            return redirect(done["to"])
        form.is_valid()  # a refusal before the forms were asked (the key reused): their errors, if any, with it
        formset.is_valid()
        # The page comes back with the rules panel drawn as the check draws it: each message once, beside what broke
        # it — a field's own error shows under it only where the panel has no slot beside it for that message.
        panel = _rules_panel(user, form, formset, plan.pk if plan else None)
        if refusal is not None and refusal.detail not in {v.detail for v in panel["violations"]}:
            show_refusal(form, refusal)  # a refusal the panel does not say (scope, the override): at its field
    else:
        if plan is None:
            initial = {"all_stores": user.has_perm("promotions.approve_promotionplan"), "dm_fee": 0}
            form = PlanForm(user=user, initial=initial)
            formset = item_formset(user=user)
        else:
            fields, items = plan_initial(plan)
            form = PlanForm(user=user, initial=fields)
            formset = item_formset(initial=items, user=user, account=form.account, plan=plan)
        token = uuid.uuid4().hex
        panel = None  # the page asks the check (htmx) once it has loaded
    return render(
        request,
        "promotions/plan_form.html",
        {
            "form": form,
            "formset": formset,
            "plan": plan,
            "form_token": token,
            "max_products": MAX_PRODUCTS,
            "panel": panel,
            "beside": panel["beside"] if panel else set(),
            "saved_before": saved_before,
            "sent_again": saved_before is not None,
            # "Save and submit" for who submits; a sales rep saves the draft and is told who submits it
            "submitted_by_others": services.submit_refusal(user, plan),
        },
    )


def _save(request, form, formset, plan, token) -> dict:
    """The plan form's save (and submission, for "Save and submit"): where the page goes next and what it says
    there. A submission refused keeps the draft and goes on to change it."""
    user = request.user
    saved = services.promotion_save_draft(
        user=user, data=plan_input(form, formset), plan=plan, client_key=token if plan is None else ""
    )
    detail = reverse("promotions:plan-detail", args=[saved.pk])
    if "submit" not in request.POST:
        return {"to": detail, "said": [[messages.SUCCESS, _("Draft saved.")]]}
    try:
        services.promotion_submit(plan=saved, by=user)
    except DomainError as error:  # the draft is kept; only the submission was refused
        text = _("Draft saved, but not submitted: %(reason)s") % {"reason": error.detail}
        return {"to": reverse("promotions:plan-edit", args=[saved.pk]), "said": [[messages.ERROR, text]]}
    return {"to": detail, "said": [[messages.SUCCESS, _("Plan submitted for approval.")]]}


def _saved_with(user, token: str) -> PromotionPlan | None:
    """The plan a new-plan form's key already saved (its client key), in the user's reach; None for a key unused."""
    if not token:
        return None
    return selectors.plan_list_for(user).filter(owner=user, client_key=token).first()


@model_permission(PromotionPlan, get=None, post="view")
@require_POST
def plan_check(request):
    """htmx: what saving and submitting the form as it is now would refuse, each message swapped in next to what
    broke it: a field's or a product row's error, the promotion rules, a start date passed and, for whoever sees the
    budgets, too little budget left. The panel says all is well only when none of them is found."""
    form = PlanForm(request.POST, user=request.user)
    plan_id = _int(request.POST.get("plan_id"))
    plan = selectors.plan_list_for(request.user).filter(pk=plan_id).first() if plan_id else None
    formset = item_formset(request.POST, user=request.user, account=form.account, plan=plan)
    form.is_valid()
    formset.is_valid()
    response = render(request, "promotions/_rules.html", _rules_panel(request.user, form, formset, plan_id))
    saved_before = _saved_with(request.user, request.POST.get("form_token", "")[:64]) if plan is None else None
    if saved_before is not None:
        # a new plan's form already sent and saved (the browser's Back to it): said above the form, with the way there
        response.content += render_to_string(
            "promotions/_saved_before.html", {"saved_before": saved_before, "oob": True}, request=request
        ).encode()
    if request.POST.get("stores_for", "") != (form.account.code if form.account else ""):
        # the account changed: its stores replace the list on the page (out of band), the ticked ones kept
        response.content += render_to_string(
            "promotions/_store_choices.html", {"form": form, "oob": True}, request=request
        ).encode()
    return response


def _rules_panel(user, form, formset, plan_id: int | None) -> dict:
    """The panel's context for a form and its rows already validated: the check's answer, and the page a save
    refused draws it in place. ``beside``: the fields (HTML names) whose errors it says in a slot beside them."""
    data = form.cleaned_data
    problems = _typed_problems(form, formset)
    lines, rows = [], []
    for index, row in enumerate(formset.forms):
        if row.is_valid() and row.cleaned_data.get("product") and not row.cleaned_data.get("DELETE"):
            cleaned = row.cleaned_data
            lines.append((cleaned["product"], cleaned["promotion_price"], cleaned.get("promo_supply_price")))
            rows.append((index, row.cleaned_data.get("forecast_volume") or 0))
    ready = all(data.get(name) for name in ("account", "type", "start_on", "end_on")) and lines
    context = {
        "ready": bool(ready),
        "slots": ["dates", "stores", "items", "costs", *[f"item-{i}" for i in range(formset.total_form_count())]],
        "beside": _said_beside(form, formset),
    }
    violations = [_nothing_listed(user, form.account), _all_stores_refused(user, form.account, data)]
    if data.get("start_on"):
        violations.append(start_passed(data["start_on"], timezone.localdate()))
    if ready:
        facts = selectors.facts_for(
            account=data["account"],
            promotion_type=data["type"],
            start_on=data["start_on"],
            end_on=data["end_on"],
            all_stores=data.get("all_stores", False),
            stores=list(data.get("stores") or []),
            lines=lines,
            override_reason=data.get("price_floor_override_reason") or "",
            exclude_id=plan_id,
        )
        for violation in check_plan(facts, RuleSettings.from_settings()):
            if violation.slot.startswith("item-"):  # the rule counts the valid rows; the form all of them
                violation = replace(violation, slot=f"item-{rows[int(violation.slot[5:])][0]}")
            violations.append(violation)
        costs = _cost_preview(data, facts, rows)
        violations.append(_budget_check(user, data, costs["total"]))
        context.update(days=facts.days if facts.end_on >= facts.start_on else None, costs=costs)
    violations = problems + [v for v in violations if v is not None]
    # Every slot is a key, empty or not: a template reads panel.by_slot.items as the key "items" (a dict's own
    # .items() when the key is missing); the check's answer walks the slots as pairs, not by_slot.items.
    by_slot: dict[str, list] = {slot: [] for slot in context["slots"]}
    for violation in violations:
        by_slot.setdefault(violation.slot, []).append(violation)
    slot_messages = [(slot, by_slot[slot]) for slot in context["slots"]]
    context.update(violations=violations, by_slot=by_slot, slot_messages=slot_messages)
    for index, row in enumerate(formset.forms):  # the page draws each row's slot itself (a save refused)
        row.rule_messages = by_slot.get(f"item-{index}", [])
    return context


def _nothing_listed(user, account) -> Violation | None:
    """The chosen chain offers no product (no active store, or no active listing at its stores): said beside the
    products, where the picker has nothing left to offer."""
    if account is None or selectors.products_for_drafting_at(user, account).exists():
        return None
    return nothing_listed(account=account_name(account), has_stores=selectors.has_active_stores(account))


def _all_stores_refused(user, account, data) -> Violation | None:
    """All the chain's stores ticked by who does not reach every one of them: the save's refusal
    (services.all_stores_refusal), said beside the box as the user ticks it, not only once they save."""
    if account is None or not data.get("all_stores"):
        return None
    refusal = services.all_stores_refusal(user, account)
    if refusal is None:
        return None
    return Violation(0, refusal.code, refusal.message, refusal.params, slot="stores")


# Where the panel says a plan field's own error: the slot under the dates or under the costs ("form": only in its
# list, the field's error stays under the field).
TYPED_SLOTS = {"start_on": "dates", "end_on": "dates", "dm_fee": "costs", "tg_fee": "costs"}
TYPED_SLOTS |= {"promoter_fee": "costs", "gift_cost": "costs", "company_share": "costs"}


def _typed_problems(form, formset) -> list[Violation]:
    """What the form's own parsing refuses (a negative fee, a price below 0.01, reversed dates), as the panel's
    messages: a save refused says them there, beside the fields (_said_beside), not again under them."""
    found = []
    for name, errors in _typed_errors(form):
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            text = _("%(field)s: %(error)s") % {"field": label, "error": error} if label else error
            found.append(Violation(0, "invalid", text, slot=TYPED_SLOTS.get(name, "form")))
    for index, row in enumerate(formset.forms):
        if not row.has_changed() or row.cleaned_data.get("DELETE"):
            continue  # a blank row is ignored by the save too
        for name, errors in _typed_errors(row):
            for error in errors:
                text = _("Product %(row)s, %(field)s: %(error)s") % {
                    "row": index + 1,
                    "field": row.fields[name].label if name in row.fields else "",
                    "error": error,
                }
                found.append(Violation(0, "invalid", text, slot=f"item-{index}"))
    if any(row.has_changed() for row in formset.forms):
        found += [Violation(0, "invalid", error, slot="items") for error in formset.non_form_errors()]
    return found


def _said_beside(form, formset) -> set[str]:
    """The HTML names of the fields whose errors _typed_problems puts in a slot beside them, and the formset's
    prefix when it says the rows' own errors (too many products): the page does not repeat them under the fields."""
    said = {form.add_prefix(name) for name, _errors in _typed_errors(form) if name in TYPED_SLOTS}
    for row in formset.forms:
        if row.has_changed() and not row.cleaned_data.get("DELETE"):
            said |= {row.add_prefix(name) for name, _errors in _typed_errors(row)}
    if any(row.has_changed() for row in formset.forms) and formset.non_form_errors():
        said.add(formset.prefix)
    return said


def _typed_errors(form):
    """(field, messages) for what was typed wrong: a field not filled in yet is for the save to name (the panel checks
    as the user types, and a new form would open in red)."""
    for name, errors in form.errors.as_data().items():
        messages = [message for error in errors if error.code != "required" for message in error.messages]
        if messages:
            yield name, messages


def _budget_check(user, data, cost: Decimal) -> Violation | None:
    """The approval's budget check on the cost as typed, for a user who sees the account's budgets (a rep does
    not: the manager who decides does)."""
    if not user.has_perm("promotions.view_budget"):
        return None
    start_on = data["start_on"]
    budget = (
        selectors.budgets_for(user)
        .filter(account=data["account"], period_start__lte=start_on, period_end__gte=start_on)
        .first()
    )
    return budget_shortfall(cost=cost, budget=budget, account=str(data["account"]), on=start_on)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cost_preview(data, facts, rows):
    share = data.get("company_share")
    share = share / 100 if share is not None else data["type"].company_share
    items = [
        SimpleNamespace(
            product_id=item.product_id,
            normal_price=item.normal_price,
            promotion_price=item.promotion_price,
            forecast_volume=volume,
            normal_supply_price=item.store_purchase_price,
            promo_supply_price=item.promo_supply_price,
        )
        for item, (_index, volume) in zip(facts.items, rows, strict=True)
    ]
    support = services.price_support(items, share)
    funding = services.supply_funding(items)
    fees = sum(
        (data.get(name) or Decimal("0") for name in ("dm_fee", "tg_fee", "promoter_fee", "gift_cost")), Decimal()
    )
    return {"price_support": support, "supply_funding": funding, "total": fees + support + funding, "share": share}


# --- detail and workflow steps ----------------------------------------------------------------


@model_permission(PromotionPlan)
def plan_detail(request, pk):
    plan = _plan_or_404(request.user, pk)
    items = list(plan.items.select_related("product"))
    user = request.user
    context = {
        "plan": plan,
        "items": items,
        "transitions": plan.transitions.select_related("by"),
        "can_edit": services.can_edit(user, plan),
        "can_submit": services.can_submit(user, plan),
        # a rep: who submits their draft, said instead of the button (the service's refusal, in its words)
        "submitted_by_others": services.submit_refusal(user, plan),
        "can_decide": services.can_reject(user, plan),  # reject
        "can_approve": services.can_approve(user, plan),
        "can_evaluate": plan.status in (Status.ENDED, Status.EVALUATED) and services.can_decide(user, plan),
        "can_withdraw": services.can_withdraw(user, plan),
        # a rep's submitted plan: who withdraws it, said instead of the button (the service's refusal, in its words)
        "withdrawn_by_others": services.withdraw_refusal(user, plan) if plan.status == Status.SUBMITTED else None,
        "can_reopen": services.can_reopen(user, plan),
        "reopened_as": selectors.reopened_as(plan) if plan.status == Status.REJECTED else None,
        "earlier": [(earlier, earlier.transitions.select_related("by")) for earlier in selectors.earlier_plans(plan)],
        "reject_form": RejectForm(),
        "needs_second": services.needs_second_approval(plan),
        "budget": plan.budget or selectors.budget_for(account=plan.account, on=plan.start_on),
        "request_key": new_key,  # called once per form drawn: each step's form its own key
    }
    if plan.status in (Status.DRAFT, Status.SUBMITTED):
        # the rules, and what submitting (a start passed) and approving (the budget, beside it) would refuse
        context["violations"] = selectors.plan_violations(plan)
        if plan.status == Status.DRAFT:
            passed = start_passed(plan.start_on, timezone.localdate())
            context["violations"] += [passed] if passed is not None else []
        if user.has_perm("promotions.view_budget"):
            context["budget_shortfall"] = budget_shortfall(
                cost=plan.total_cost, budget=context["budget"], account=str(plan.account), on=plan.start_on
            )
    if _sees_execution(user, plan):
        context["execution"] = plan_execution_by_store(plan, stores_for(user))
    if plan.status in (Status.ENDED, Status.EVALUATED):
        kept = getattr(plan, "evaluation", None)
        context["evaluation"] = kept or services.evaluation_figures(plan)
        # Ended, not evaluated yet: the ledger's total (the Costs card's, with shifts) still counts the planned supply
        # funding, the evaluation's the funding on the packs actually sold in; the card names its total so.
        context["funding_as_planned"] = kept is None and bool(
            plan.supply_funding or context["evaluation"].supply_funding
        )
    elif plan.status == Status.RUNNING:
        context["evaluation"] = services.evaluation_so_far(plan)  # preliminary, over its days so far; not kept
    if plan.status in ACCRUING_PLAN_STATUSES:
        # Beside the planned promoter fee, what the ledger books: the shifts' pay so far. One query, four with shifts.
        context["promoter_cost"] = plan_shift_cost(as_of=timezone.localdate(), plan=plan)
        if context.get("evaluation") is not None and context["promoter_cost"].pay is not None:
            # the evaluation's cost, cost per extra pack and expense ratio on the same basis (as the expense report)
            context["evaluation"] = on_ledger_basis(plan, context["evaluation"], context["promoter_cost"].pay)
            context["evaluation_on_shifts"] = True
        # Ended with no shift worked: the ledger books the planned fee (no pay replaces it), and so does the
        # evaluation's total; said under it, as the Costs card says it beside the fee.
        context["evaluation_on_planned_fee"] = (
            plan.status in (Status.ENDED, Status.EVALUATED)
            and context["promoter_cost"].pay is None
            and plan.promoter_fee > 0
        )
    return render(request, "promotions/plan_detail.html", context)


def _sees_execution(user, plan) -> bool:
    """Execution in stores (issue 13) is for the plan's owner, supervisors, managers (and finance, admin) once the
    plan runs or ran; a rep who did not draft it checks it in the visit instead."""
    if plan.status in (Status.DRAFT, Status.SUBMITTED, Status.REJECTED):
        return False
    return plan.owner_id == user.pk or user_role(user) != Role.REP


def _step(request, pk, name: str, action, success):
    """Run a workflow step on a plan in the user's scope, once per the form's request key (_once: a double click is
    answered as the first click); back to the plan, or to a safe `next`. ``action`` takes the plan and returns
    the plan it leaves; ``success`` (a text, or a function of that plan) says it, then whatever ``action`` added to
    ``said`` ([level, text] pairs)."""
    plan = _plan_or_404(request.user, pk)
    then = safe_next(request, reverse("promotions:plan-detail", args=[plan.pk]))

    def work():
        said = []
        result = action(plan, said)
        text = success(result) if callable(success) else success
        return ([[messages.SUCCESS, str(text)]] if text else []) + said

    try:
        said = once(request, f"promotions.{name}:plan={plan.pk}", work)
    except DomainError as refusal:
        messages.error(request, refusal.detail)
    else:
        _say(request, said)
    return redirect(then)


@model_permission(PromotionPlan, get=None, post="change")
@require_POST
def plan_submit(request, pk):
    return _step(
        request, pk, "submit", lambda p, said: services.promotion_submit(plan=p, by=request.user), _("Plan submitted.")
    )


@model_permission(PromotionPlan, get=None, post="approve")
@require_POST
def plan_approve(request, pk):
    def approved(plan):
        if plan.status == Status.SUBMITTED:
            return None  # said by the info message below
        left = money_text(plan.budget.remaining)
        # the chain by its name alone: "TESCO Tesco" (its code and name) read as the chain said twice
        return _("Approved. %(account)s has %(left)s of its budget left.") % {
            "account": account_name(plan.account),
            "left": left,
        }

    def approve(plan, said):
        plan = services.promotion_approve(plan=plan, by=request.user, note=request.POST.get("note", ""))
        if plan.status == Status.SUBMITTED:
            said.append([messages.INFO, _("First approval recorded; an admin's approval is still needed.")])
        return plan

    return _step(request, pk, "approve", approve, approved)


@model_permission(PromotionPlan, get=None, post="approve")
@require_POST
def plan_reject(request, pk):
    reason = request.POST.get("reason", "")
    return _step(
        request,
        pk,
        "reject",
        lambda p, said: services.promotion_reject(plan=p, by=request.user, reason=reason),
        _("Plan rejected."),
    )


@model_permission(PromotionPlan, get=None, post="approve")
@require_POST
def plan_evaluate(request, pk):
    def evaluate(plan, said):
        if not services.can_decide(request.user, plan):
            raise PermissionDenied
        return services.promotion_evaluate(plan=plan, by=request.user)

    return _step(request, pk, "evaluate", evaluate, _("Evaluation updated."))


@model_permission(PromotionPlan, get=None, post="change")
@require_POST
def plan_withdraw(request, pk):
    """Who submits a plan takes it back to draft, before the decision (a sales rep is refused: withdraw_refusal)."""
    reason = request.POST.get("reason", "")
    return _step(
        request,
        pk,
        "withdraw",
        lambda p, said: services.promotion_withdraw(plan=p, by=request.user, reason=reason),
        _("Plan withdrawn to draft: change it and submit it again."),
    )


@model_permission(PromotionPlan, get=None, post="add")
@require_POST
def plan_reopen(request, pk):
    """The owner reopens a rejected plan as a new draft and goes on to it (a repeat of the same click too)."""
    plan = _plan_or_404(request.user, pk)

    def reopen():
        draft = services.promotion_reopen(plan=plan, by=request.user)
        text = _("Reopened as a new draft; the rejected plan stays on record.")
        return {"to": reverse("promotions:plan-detail", args=[draft.pk]), "said": [[messages.SUCCESS, text]]}

    try:
        done = once(request, f"promotions.reopen:plan={plan.pk}", reopen)
    except DomainError as refusal:  # a success goes on to the new draft, a refusal back to the plan
        messages.error(request, refusal.detail)
        return redirect("promotions:plan-detail", pk=plan.pk)
    _say(request, done["said"])
    return redirect(done["to"])


# --- approval queue ---------------------------------------------------------------------------


@model_permission(PromotionPlan, get="approve")
def approval_queue(request):
    plans = selectors.with_queue_budgets(
        request.user, list(selectors.approval_queue_for(request.user).order_by("start_on", "id"))
    )
    violations = selectors.plans_violations(plans)  # the plan page's rules, for all the cards at once
    for plan in plans:
        plan.queue_needs_second = services.needs_second_approval(plan)
        plan.queue_violations = violations[plan.pk]
    today = timezone.localdate()
    current = list(
        selectors.budgets_for(request.user)
        .filter(period_end__gte=today)
        .order_by("period_start", "period_end", "account__code")
    )
    for budget in current:  # the side table groups them by period (a month's and a quarter's may start alike)
        budget.period_key = (budget.period_start, budget.period_end)
    return render(
        request,
        "promotions/approval_queue.html",
        {"plans": plans, "budgets": current, "reject_form": RejectForm(), "request_key": new_key},
    )


# --- account calendar -------------------------------------------------------------------------


@model_permission(PromotionPlan)
def account_calendar(request, pk):
    account = get_object_or_404(accounts_for(request.user), pk=pk)
    today = timezone.localdate()
    try:
        first = date.fromisoformat(request.GET.get("from", "") + "-01")
    except ValueError:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    months = [first]
    for _n in range(3):
        months.append((months[-1] + timedelta(days=32)).replace(day=1))
    last = (months[-1] + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    span = (last - first).days + 1
    cooldown = settings.KA.promotion_cooldown_days
    plans = (
        selectors.plan_list_for(request.user)
        .filter(account=account, start_on__lte=last, end_on__gte=first - timedelta(days=cooldown))
        .exclude(status=Status.REJECTED)
        .prefetch_related("items__product")
        .order_by("start_on", "id")
    )

    def position(start, end):
        start, end = max(start, first), min(end, last)
        if end < start:
            return None
        return {"left": (start - first).days * 100 / span, "width": ((end - start).days + 1) * 100 / span}

    rows = []
    for plan in plans:
        cool_end = plan.end_on + timedelta(days=cooldown - 1)
        rows.append(
            {
                "plan": plan,
                "bar": position(plan.start_on, plan.end_on),
                "cool": position(plan.end_on + timedelta(days=1), cool_end),
                "first_allowed": plan.end_on + timedelta(days=cooldown),
                "products": ", ".join(i.product.code for i in plan.items.all()),
            }
        )
    context = {
        "account": account,
        "rows": rows,
        "months": [{"date": m, "left": (m - first).days * 100 / span} for m in months],
        "today_left": (today - first).days * 100 / span if first <= today <= last else None,
        "previous": (first - timedelta(days=1)).replace(day=1).strftime("%Y-%m"),
        "next": months[1].strftime("%Y-%m"),
        "cooldown": cooldown,
        "first": first,
        "last": last,
    }
    return render(request, "promotions/account_calendar.html", context)


# --- budgets ----------------------------------------------------------------------------------


class BudgetListView(FilteredListView):
    """Budgets per account and period, filtered, paged and exported as every list is; beside them a manager sets
    their accounts' (never below what is consumed). /budgets/<pk>/ is the list with that budget in the form."""

    template_name = "promotions/budget_list.html"
    filterset_class = BudgetFilter
    export_name = gettext_lazy("budgets")
    export_columns = [
        Column(gettext_lazy("Key account"), lambda b: account_name(b.account)),
        Column(capfirst(gettext_lazy("period start")), lambda b: b.period_start),
        Column(capfirst(gettext_lazy("period end")), lambda b: b.period_end),
        Column(gettext_lazy("Budget"), lambda b: b.amount),
        Column(gettext_lazy("Consumed"), lambda b: b.consumed),
        Column(gettext_lazy("Budget left"), lambda b: b.remaining),
    ]

    def dispatch(self, request, *args, **kwargs):
        self.form = None
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.budgets_for(self.request.user).order_by("account__code", "-period_start")

    def _editing(self) -> Budget | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(selectors.budgets_for(self.request.user), pk=pk) if pk else None

    def _budget_form(self, editing, data=None) -> BudgetForm | None:
        """The form for who may set budgets (add, or change when editing); None for who only reads them."""
        user = self.request.user
        if not user.has_perm("promotions.change_budget" if editing else "promotions.add_budget"):
            return None
        owned = accounts_for(user).filter(owner=user) if user_role(user) != Role.ADMIN else accounts_for(user)
        initial = (
            {"account": editing.account, "period_start": editing.period_start, "period_end": editing.period_end,
             "amount": editing.amount} if editing else None
        )  # fmt: skip
        return BudgetForm(data, initial=initial, accounts=owned, budget=editing)

    def post(self, request, *args, **kwargs):
        editing = self._editing()
        form = self._budget_form(editing, request.POST)
        if form is None:
            raise PermissionDenied

        def save():
            if not form.is_valid():  # asked inside the key's run: a repeat is answered before "already has a budget"
                raise Invalid
            services.budget_save(user=request.user, budget=editing, **form.cleaned_data)
            return [[messages.SUCCESS, _("Budget saved.")]]

        step = f"promotions.budget_save:budget={editing.pk}" if editing else "promotions.budget_save"
        try:
            said = once(request, step, save)  # a double click on Save makes one budget, saved once
        except Invalid:
            pass
        except DomainError as refusal:
            show_refusal(form, refusal)
        else:
            _say(request, said)
            back = reverse("promotions:budget-list")
            return redirect(f"{back}?{request.GET.urlencode()}" if request.GET else back)  # the list as it was
        self.form = form
        return self.get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editing = self._editing()
        context["editing"] = editing
        context["form"] = self.form or self._budget_form(editing)
        context["request_key"] = new_key
        return context


budget_list = BudgetListView.as_view()
