"""Pages of the visits app, under /visits/."""

from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("check-in/", views.check_in, name="check-in"),
    path("start/<int:store_pk>/", views.visit_start, name="visit-start"),
    path("u/<uuid:uuid>/", views.visit_by_uuid, name="visit-uuid"),
    path("u/<uuid:uuid>/photos/", views.visit_photo_by_uuid, name="visit-photo-uuid"),
    path("history/", views.VisitListView.as_view(), name="visit-list"),
    path("<int:pk>/", views.visit_detail, name="visit-detail"),
    path("<int:pk>/photos/", views.visit_photo, name="visit-photo"),
    path("photos/<int:pk>/", views.visit_photo_file, name="photo"),
    path("photos/<int:pk>/thumb/", views.visit_photo_thumb, name="photo-thumb"),
    path("photos/<int:pk>/remove/", views.visit_photo_remove, name="photo-remove"),
    path("<int:pk>/check-out/", views.visit_check_out, name="visit-check-out"),
    path("<int:pk>/review/", views.visit_review, name="visit-review"),
    path("routes/", views.RouteListView.as_view(), name="route-list"),
    path("routes/generate/", views.route_generate, name="route-generate"),
    path("routes/<int:pk>/", views.route_detail, name="route-detail"),
    path("routes/<int:pk>/stops/", views.route_stop_add, name="route-stop-add"),
    path("routes/<int:pk>/publish/", views.route_publish, name="route-publish"),
    path("routes/stops/<int:pk>/move/", views.route_stop_move, name="route-stop-move"),
    path("routes/stops/<int:pk>/remove/", views.route_stop_remove, name="route-stop-remove"),
    path("tasks/", views.TaskListView.as_view(), name="task-list"),
    path("tasks/<int:pk>/not-done/", views.task_not_done, name="task-not-done"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task-delete"),
    path("reports/daily/", views.daily_report, name="daily-report"),
    path("reports/compliance/", views.compliance, name="compliance"),
    path("suggested-orders/", views.SuggestedOrderListView.as_view(), name="suggested-order-list"),
    path("suggested-orders/runs/", views.ReplenishmentRunListView.as_view(), name="replenishment-run-list"),
    path("stores/<int:pk>/suggested-orders/", views.store_suggested_orders_refresh, name="store-suggested-orders"),
    path("suggested-orders/runs/start/", views.replenishment_run_start, name="replenishment-run-start"),
]
