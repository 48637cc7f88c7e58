"""Project pages: the home page, whose content follows the user's role."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.selectors import birthdays_soon, follow_ups_due

from .scope import accounts_for, stores_for, team_for, user_role


@login_required
def home(request):
    user = request.user
    role = user_role(user)
    stores = stores_for(user).active()
    context = {
        "today": timezone.localdate(),
        "role": role,
        "Role": Role,
        "store_count": stores.count(),
        "grade_counts": dict(stores.values_list("grade").annotate(n=Count("id")).order_by()),
        "account_count": accounts_for(user).active().count(),
    }
    if role == Role.REP:
        from visits.selectors import rep_day

        context["my_stores"] = stores.select_related("account").order_by("grade", "code")[:10]
        context["today_stops"] = rep_day(user, context["today"])
        context["today_done"] = sum(1 for stop in context["today_stops"] if stop.done)
    elif role in (Role.SUPERVISOR, Role.MANAGER):
        context["team"] = (
            team_for(user)
            .filter(profile__role=Role.REP)
            # a manager counts only the rep's stores at their accounts: the rest is not theirs to see
            .annotate(store_total=Count("stores", filter=Q(stores__active=True, stores__in=stores), distinct=True))
            .order_by("username")
        )
    if role == Role.MANAGER:
        today = context["today"]
        context["follow_ups"] = list(follow_ups_due(user=user, today=today, days=7)[:20])
        context["birthdays"] = birthdays_soon(user=user, today=today, days=7)
    if role in (Role.MANAGER, Role.FINANCE, Role.ADMIN):
        context["accounts"] = (
            accounts_for(user)
            .active()
            .annotate(store_total=Count("stores", filter=Q(stores__active=True)))
            .order_by("tier", "code")[:20]
        )
    return render(request, "home.html", context)


class SignInView(auth_views.LoginView):
    """Sign-in: without a `next`, a rep lands on Today (their day starts there, one page load fewer on a slow
    phone network); everyone else on the home page."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if user_role(self.request.user) == Role.REP:
            return reverse("visits:today")
        return super().get_default_redirect_url()
