"""Project pages: the home page, each role's dashboard (analytics/dashboards.py), and sign-in."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.roles import Role
from analytics.dashboards import dashboard_for

from .scope import user_role


@login_required
@never_cache
def home(request):
    """The user's role's dashboard (analytics/dashboards.py): what needs them, each figure leading to its list. Never
    kept by the browser (no-store): Back to it after working through a figure's list (a supervisor's visit reviewed)
    asks the server again, so the list shows what is left rather than the copy from before (a copy restored from the
    back-forward cache reloads itself too: static/js/fresh-on-back.js)."""
    role = user_role(request.user)
    if role == Role.PROMOTER:  # a promoter has one page: their day at the store (issue 16)
        return redirect("promoters:my-day")
    today = timezone.localdate()
    context = {
        "today": today,
        "role": role,
        "Role": Role,
        "dashboard": dashboard_for(request.user, today=today),
    }
    return render(request, "home.html", context)


class SignInView(auth_views.LoginView):
    """Sign-in: without a `next`, a rep lands on Today (their day starts there, one page load fewer on a slow
    phone network), a promoter on their day; everyone else on the home page."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        role = user_role(self.request.user)
        if role == Role.REP:
            return reverse("visits:today")
        if role == Role.PROMOTER:
            return reverse("promoters:my-day")
        return super().get_default_redirect_url()
