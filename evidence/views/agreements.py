"""Pages: filled in by the part of issue 13 this module is named after."""

urlpatterns = []
