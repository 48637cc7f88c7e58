"""Project pages: the home page, each role's dashboard (analytics/dashboards.py), and sign-in."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from analytics.dashboards import dashboard_for

from .scope import user_role


@login_required
def home(request):
    """The user's role's dashboard (analytics/dashboards.py): what needs them, each figure leading to its list."""
    today = timezone.localdate()
    role = user_role(request.user)
    context = {
        "today": today,
        "role": role,
        "Role": Role,
        "dashboard": dashboard_for(request.user, today=today),
    }
    return render(request, "home.html", context)


class SignInView(auth_views.LoginView):
    """Sign-in: without a `next`, a rep lands on Today (their day starts there, one page load fewer on a slow
    phone network); everyone else on the home page."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if user_role(self.request.user) == Role.REP:
            return reverse("visits:today")
        return super().get_default_redirect_url()
