"""/evidence/: each role lands on the part of visit evidence it works in."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from accounts.roles import Role
from ka_portal.scope import user_role

# The first page of the list that exists is where the role lands.
_LANDING = {
    Role.SUPERVISOR: ("evidence:signal-list", "evidence:competitor-list"),
    Role.MANAGER: ("evidence:agreement-list", "evidence:competitor-list"),
    Role.FINANCE: ("evidence:agreement-list",),
    Role.ADMIN: ("evidence:signal-list", "evidence:agreement-list"),
    Role.REP: ("evidence:competitor-list",),
}


@login_required
def evidence_home(request):
    for name in _LANDING.get(user_role(request.user), ()):
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    raise Http404
