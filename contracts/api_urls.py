"""The contracts and receivables API, included under /api/v1/ by ka_portal/urls.py."""

from django.urls import path

from ka_portal.api import app_router

from . import api

router = app_router(
    ("contracts", api.ContractViewSet, "contract"),
    ("contract-terms", api.ContractTermViewSet, "contract-term"),
    ("invoices", api.InvoiceViewSet, "invoice"),
    ("payments", api.PaymentViewSet, "payment"),
    ("deductions", api.DeductionViewSet, "deduction"),
    ("credit-notes", api.CreditNoteViewSet, "credit-note"),
)
urlpatterns = [
    *router.urls,
    path("reports/aging/", api.AgingReportView.as_view(), name="report-aging"),
    path("reports/statement/", api.StatementView.as_view(), name="report-statement"),
]
