from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.AccountListView.as_view(), name="account-list"),
    path("performance/", views.performance, name="performance"),
    path("new/", views.account_edit, name="account-add"),
    path("<int:pk>/", views.account_detail, name="account-detail"),
    path("<int:pk>/edit/", views.account_edit, name="account-edit"),
    path("<int:pk>/targets/", views.targets_edit, name="targets-edit"),
    path("<int:pk>/store-targets/", views.month_targets_edit, name="month-targets-edit"),
    path("<int:pk>/log/", views.contact_log_add, name="contact-log-add"),
    path("<int:pk>/log/<int:entry_pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact-add"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact-edit"),
]
