"""Promotion pages."""

from django.urls import path

from . import views

app_name = "promotions"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("check/", views.plan_check, name="plan-check"),
    path("queue/", views.approval_queue, name="approval-queue"),
    path("budgets/", views.budget_list, name="budget-list"),
    path("budgets/<int:pk>/", views.budget_list, name="budget-edit"),
    path("accounts/<int:pk>/calendar/", views.account_calendar, name="account-calendar"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("<int:pk>/approve/", views.plan_approve, name="plan-approve"),
    path("<int:pk>/reject/", views.plan_reject, name="plan-reject"),
    path("<int:pk>/evaluate/", views.plan_evaluate, name="plan-evaluate"),
    path("<int:pk>/withdraw/", views.plan_withdraw, name="plan-withdraw"),
    path("<int:pk>/reopen/", views.plan_reopen, name="plan-reopen"),
]
