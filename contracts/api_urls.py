"""The contracts and receivables API's URLs: included under /api/v1/ by ka_portal/urls.py, like every app's `api_urls`.

`router` is a DefaultRouter without its own root view (the one API root, listing every app's resources, is
ka_portal's); `urlpatterns` adds the app's non-resource endpoints.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.register("contracts", api.ContractViewSet, basename="contract")
router.register("invoices", api.InvoiceViewSet, basename="invoice")
router.register("payments", api.PaymentViewSet, basename="payment")
router.register("deductions", api.DeductionViewSet, basename="deduction")

urlpatterns = [
    *router.urls,
    path("reports/aging/", api.AgingReportView.as_view(), name="report-aging"),
    path("reports/statement/", api.StatementView.as_view(), name="report-statement"),
]
