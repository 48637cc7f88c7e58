"""The world of the review tests (tests/visits/test_visit_review*.py): a supervisor's team at a KA manager's store,
another team and manager beside, an administrator and finance; visits checked out (and rated) or open."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.roles import Role
from tests.factories import KeyAccountFactory, StoreFactory, make_user
from tests.visits.factories import VisitFactory
from visits.models import Visit

# Wednesday 25 November 2026, 15:00 (Asia/Shanghai): the tests travel there.
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)


@dataclass
class Team:
    supervisor: object
    rep: object
    manager: object
    store: object
    other_supervisor: object
    other_rep: object
    other_manager: object
    admin: object
    finance: object


def team() -> Team:
    """A supervisor's rep working at a store of the manager's account; another team and another manager beside."""
    supervisor = make_user(Role.SUPERVISOR, username="sup_rv", first_name="强", last_name="王")  # 王强
    rep = make_user(Role.REP, username="rep_rv", supervisor=supervisor)
    manager = make_user(Role.MANAGER, username="mgr_rv", first_name="敏", last_name="李")  # 李敏
    store = StoreFactory(rep=rep, account=KeyAccountFactory(owner=manager), name="五角场店")
    other_supervisor = make_user(Role.SUPERVISOR, username="sup_rv_other")
    other_rep = make_user(Role.REP, username="rep_rv_other", supervisor=other_supervisor)
    return Team(
        supervisor=supervisor,
        rep=rep,
        manager=manager,
        store=store,
        other_supervisor=other_supervisor,
        other_rep=other_rep,
        other_manager=make_user(Role.MANAGER, username="mgr_rv_other"),
        admin=make_user(Role.ADMIN, username="adm_rv", is_staff=True, is_superuser=True),
        finance=make_user(Role.FINANCE, username="fin_rv"),
    )


def visit_of(rep, store=None, *, days_ago: int = 0, hour: int = 10, rating=Visit.Rating.GREEN, closed=True) -> Visit:
    """A visit of the rep checked in `days_ago` days before today at `hour`, checked out 40 minutes later and rated
    (or still open, not rated)."""
    day = (NOW - timedelta(days=days_ago)).date()
    checked_in = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    return VisitFactory(
        rep=rep,
        **({"store": store} if store is not None else {}),
        checked_in_at=checked_in,
        checked_out_at=checked_in + timedelta(minutes=40) if closed else None,
        rating=rating if closed else "",
    )
