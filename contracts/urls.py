"""Finance pages under /contracts/: the ledger, receivables, aging, statements."""

from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    # The ledger under its own prefix, so the nav marks "Contracts" and "Receivables" apart.
    path("ledger/", views.ContractListView.as_view(), name="contract-list"),
    path("ledger/new/", views.contract_edit, name="contract-create"),
    path("ledger/<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path("ledger/<int:pk>/edit/", views.contract_edit, name="contract-edit"),
    path("ledger/<int:pk>/attachment/", views.contract_attachment, name="contract-attachment"),
    path("ledger/<int:contract_pk>/terms/new/", views.term_edit, name="term-create"),
    path("terms/", views.ContractTermListView.as_view(), name="term-list"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term-edit"),
    path("terms/<int:pk>/delete/", views.term_delete, name="term-delete"),
    path("receivables/", views.receivables, name="receivables"),
    path("receivables/<int:pk>/", views.receivables_account, name="receivables-account"),
    path("payments/<int:pk>/reverse/", views.payment_reverse, name="payment-reverse"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="payment-allocate"),
    path("invoices/<int:pk>/write-off/", views.invoice_write_off, name="invoice-write-off"),
    path("aging/", views.aging, name="aging"),
    path("aging/invoices/", views.aging_invoices, name="aging-invoices"),
    path("statement/", views.statement, name="statement"),
]
