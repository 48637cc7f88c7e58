"""The five roles of SPEC §1 (and the promoter of issue 16) and the model permissions each role's group holds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    SUPERVISOR = "supervisor", _("KA supervisor")
    MANAGER = "manager", _("KA manager")
    FINANCE = "finance", _("Finance")
    ADMIN = "admin", _("Administrator")
    # An in-store promoter or merchandiser who reports their shifts from a phone (issue 16): sees only their own
    # shifts, stores and reports.
    PROMOTER = "promoter", _("Promoter")


# Group name per role: the Django group that carries the role's model permissions.
GROUP_NAMES = {
    Role.REP: "Sales reps",
    Role.SUPERVISOR: "KA supervisors",
    Role.MANAGER: "KA managers",
    Role.FINANCE: "Finance",
    Role.ADMIN: "Administrators",
    Role.PROMOTER: "Promoters",
}

_ALL = ("view", "add", "change", "delete")

# What each role may do, as (app_label, model, actions). Row-level scope is ka_portal/scope.py's job.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.REP: [
        ("accounts", "keyaccount", ("view",)),
        ("stores", "store", ("view",)),
        ("stores", "product", ("view",)),
        ("stores", "listing", ("view",)),
        ("stores", "delivery", ("view",)),
        ("accounts", "storetarget", ("view",)),  # their own stores' targets (scope.store_targets_for)
        ("visits", "routeplan", ("view",)),
        ("visits", "visit", ("view", "add", "change")),
        ("visits", "task", ("view", "change")),
        ("visits", "suggestedorder", ("view",)),
        ("promotions", "promotionplan", ("view", "add", "change")),
        ("promotions", "promotiontype", ("view",)),
        ("evidence", "displayagreement", ("view",)),
        ("evidence", "competitorsighting", ("view", "add", "change")),
    ],
    Role.SUPERVISOR: [
        ("accounts", "keyaccount", ("view",)),
        ("accounts", "contact", ("view",)),
        ("accounts", "contactlog", ("view", "add")),
        ("accounts", "salestarget", ("view",)),
        ("accounts", "storetarget", ("view",)),  # their team's stores' targets
        ("stores", "store", ("view", "change")),
        ("stores", "product", ("view",)),
        ("stores", "listing", _ALL),
        ("stores", "delivery", ("view", "add")),
        ("visits", "routeplan", _ALL),
        ("visits", "visit", ("view",)),
        ("visits", "task", _ALL),
        ("visits", "suggestedorder", ("view",)),
        ("promotions", "promotionplan", ("view", "add", "change")),
        ("promotions", "promotiontype", ("view",)),
        ("promotions", "budget", ("view",)),
        ("evidence", "displayagreement", ("view",)),
        ("evidence", "competitorsighting", ("view",)),
        ("evidence", "fraudsignal", ("view", "change")),  # confirms or dismisses their team's signals
        ("promoters", "promoter", _ALL),  # leads the promoters of their stores (issue 16)
        ("promoters", "shift", _ALL),  # schedules them, confirms or corrects attendance
        ("promoters", "selloutline", ("view",)),
        ("promoters", "promotertarget", _ALL),
    ],
    Role.MANAGER: [
        ("accounts", "keyaccount", ("view", "change")),
        ("accounts", "contact", _ALL),
        ("accounts", "contactlog", _ALL),
        ("accounts", "salestarget", _ALL),
        ("accounts", "storetarget", _ALL),
        ("accounts", "collectiontarget", _ALL),
        ("stores", "store", _ALL),
        ("stores", "product", ("view", "add", "change")),
        ("stores", "listing", _ALL),
        ("stores", "delivery", _ALL),
        # plans and edits reps' weeks at their accounts' stores (SPEC §1: what a supervisor may, for their accounts);
        # no delete: a plan holds the rep's stops at other accounts' stores too (visits.services.route_plan_generate)
        ("visits", "routeplan", ("view", "add", "change")),
        ("visits", "visit", ("view",)),
        ("visits", "task", _ALL),
        ("visits", "suggestedorder", ("view",)),
        ("promotions", "promotionplan", ("view", "add", "change", "approve")),
        ("promotions", "promotiontype", ("view",)),
        ("promotions", "budget", _ALL),
        ("contracts", "contract", ("view",)),
        ("contracts", "invoice", ("view",)),
        ("contracts", "payment", ("view",)),
        ("contracts", "deduction", ("view",)),
        ("contracts", "creditnote", ("view",)),
        ("contracts", "contractterm", ("view",)),
        ("tradespend", "accrualline", ("view",)),
        ("tradespend", "deductionmatch", ("view",)),
        ("tradespend", "dispute", ("view", "change")),  # approves write-offs of unsupported deductions
        ("tradespend", "remittance", ("view",)),
        ("tradespend", "closedmonth", ("view",)),
        ("evidence", "displayagreement", _ALL),
        ("evidence", "competitorsighting", ("view",)),
        ("evidence", "fraudsignal", ("view",)),
        ("promoters", "promoter", ("view",)),
        ("promoters", "shift", ("view",)),
        ("promoters", "selloutline", ("view",)),
        ("promoters", "promotertarget", _ALL),
    ],
    Role.FINANCE: [
        ("accounts", "keyaccount", ("view",)),
        ("accounts", "salestarget", ("view",)),
        ("accounts", "storetarget", ("view",)),
        ("accounts", "collectiontarget", ("view",)),
        ("stores", "store", ("view",)),
        ("stores", "product", ("view",)),
        ("promotions", "promotionplan", ("view",)),
        ("promotions", "promotiontype", ("view",)),
        ("promotions", "budget", ("view",)),
        ("contracts", "contract", _ALL),
        ("contracts", "invoice", _ALL),
        ("contracts", "payment", _ALL),
        ("contracts", "deduction", _ALL),
        ("contracts", "creditnote", _ALL),
        ("contracts", "contractterm", _ALL),
        ("tradespend", "accrualline", ("view", "add")),  # adjustments; computed lines only by the ledger job
        ("tradespend", "deductionmatch", _ALL),
        ("tradespend", "dispute", ("view", "add", "change")),
        ("tradespend", "remittance", ("view", "add")),
        ("tradespend", "closedmonth", ("view", "add")),
        ("evidence", "displayagreement", ("view",)),
        ("promoters", "promoter", ("view",)),  # payroll reads the roster, attendance and the appraisal
        ("promoters", "shift", ("view",)),
        ("promoters", "selloutline", ("view",)),
        ("promoters", "promotertarget", ("view",)),
    ],
    # A promoter reaches only their own record, shifts, stores and reports (ka_portal/scope.py).
    Role.PROMOTER: [
        ("promoters", "promoter", ("view",)),
        ("promoters", "shift", ("view", "change")),  # checks in and out of their own shifts
        ("promoters", "selloutline", ("view", "add", "change")),
    ],
    Role.ADMIN: [],  # admins are superusers: every permission
}
