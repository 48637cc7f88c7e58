"""The roster's test scene: a supervisor leading a rep with two stores, a promoter at both; another supervisor's
store and promoter beside them."""

from dataclasses import dataclass

import pytest

from accounts.roles import Role
from tests.factories import StoreFactory, make_user

from .factories import make_promoter


@dataclass
class Scene:
    supervisor: object
    other_supervisor: object
    store: object
    second_store: object
    foreign_store: object
    promoter: object
    foreign_promoter: object
    admin: object


@pytest.fixture
def scene(db):
    supervisor = make_user(Role.SUPERVISOR, username="sup_a")
    other = make_user(Role.SUPERVISOR, username="sup_b")
    rep = make_user(Role.REP, username="rep_x", supervisor=supervisor)
    other_rep = make_user(Role.REP, username="rep_y", supervisor=other)
    store = StoreFactory(rep=rep, code="S-A1", name="甲店")
    second = StoreFactory(rep=rep, code="S-A2", name="乙店", account=store.account)
    foreign = StoreFactory(rep=other_rep, code="S-B1", name="丙店")
    promoter = make_promoter(stores=[store, second], supervisor=supervisor, code="PA1", name="王小红", login="prom_a")
    foreign_promoter = make_promoter(stores=[foreign], supervisor=other, code="PB1", name="李小兰", login="prom_b")
    admin = make_user(Role.ADMIN, username="boss")
    return Scene(supervisor, other, store, second, foreign, promoter, foreign_promoter, admin)


@pytest.fixture
def before_the_week(time_machine):
    """Friday 2026-11-20, 10:00: the week of Monday 2026-11-23 that the roster's tests plan is still to come (a shift
    is planned before it starts: roster_rules.check_not_begun). The clock runs on from there."""
    time_machine.move_to("2026-11-20 10:00 +0800")
