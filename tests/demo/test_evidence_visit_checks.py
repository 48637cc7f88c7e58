"""Demo promotion checks: the running demo plan's page shows its execution in stores on a fresh install."""

import pytest

from evidence.models import PromotionExecution
from evidence.visit_checks import plan_execution_by_store
from stores.models import Store

pytestmark = pytest.mark.django_db


def test_demo_visits_checked_a_running_plan_some_executed_one_price_off_one_display_missing(demo_company):
    executions = list(PromotionExecution.objects.select_related("plan"))
    codes = {reason["code"] for execution in executions for reason in execution.reasons}
    assert any(execution.executed for execution in executions)
    assert {"price_off", "display_missing"} <= codes
    figures = plan_execution_by_store(executions[0].plan, Store.objects.all())
    assert figures.checked >= 3 and figures.executed >= 1 and figures.not_executed >= 2
    failed = next(execution for execution in executions if not execution.executed)
    assert failed.visit.rating == "red"
    assert any(reason["code"] == "plan_not_executed" for reason in failed.visit.rating_reasons)
