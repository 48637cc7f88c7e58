"""Benchmark of the analysis pages on PostgreSQL (issue 15; a benchmark, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ka .venv/bin/python -u bench/reports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ka .venv/bin/python -u bench/reports.py --scale 0.05

Creates a fresh database `<name>_bench` next to DATABASE_URL's (dropped at the end unless --keep) and fills a
year of a synthetic company: bench/trade_spend.py's (11 chains in three tiers, 10,000 stores, 500,000 invoices,
5,000 promotion plans, 200 contracts, the accrued ledger, deductions matched, January to October closed) plus
3,000,000 deliveries, 200 reps under 20 supervisors with a published route plan every week and the visits that
kept it (85 %), last night's suggested orders and open tasks. ``--scale`` shrinks everything but the chains.

Each page is read through Django's test client as its user, the median of ``--runs`` after one warm-up, beside a
naive per-row computation of the same figures (one row at a time through the ORM, for ``--naive-budget`` seconds,
its rate extrapolated to the whole work) timed in the same run; it prints each target, the ratio and whether it
holds, and the chain page's number of queries for two chains (a fixed number: equal; the tests count queries
with few and many rows):

- the chain page of the biggest chain for the year        ≤ 300 ms
- channel mix for the year                                ≤ 500 ms
- store P&L of one chain for the year                     ≤ 500 ms
- promotion expense for the year, a KA manager's chains  ≤ 500 ms; finance's, every chain (a whole
  company's report, as issue 17's aging and account performance)  ≤ 1 s
- each role's dashboard                                   ≤ 200 ms
- the list of suggested orders as the menu opens it (the rows in force, newest first; an administrator's, a KA
  manager's, a supervisor's and a rep's)                  ≤ 300 ms

``--part finance`` measures instead the finance reports at ten times the data (issue 17 item 4,
bench/reports_finance.py): aging over the 500,000 invoices ≤ 1 s, account performance for the year ≤ 1 s, the
statement of an account with 20,000 lines ≤ 2 s (page, API, Excel), the Excel's peak memory against a statement of
2,000 lines; it builds only what those read (the company's invoices, credit notes, payments, allocations and
deductions), not the field. ``--part all`` measures the pages, then adds the receivables and measures finance.

``--order-history-weeks N`` gives every pair N weekly superseded suggested orders before last night's (52: a year in
use, a row a change), on disk before the rows in force as nights leave them, then measures the pages.

``--part weight`` opens, as an administrator, a KA manager, finance, a supervisor and a rep, every page their home
links to and every new-record form they may open, and the biggest chain's account screen with 75 days of its invoices
open (thousands): each ≤ 500 ms and ≤ 300 KB, whatever the company's size (``--verbose`` prints every page).
"""

import argparse
import logging
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import reports_finance  # noqa: E402  (bench/, beside this script)
from reports_finance import run_within as _run  # noqa: E402
from scratch_db import bench_database, drop_database  # noqa: E402

YEAR = 2026
TODAY = date(YEAR, 12, 15)
FULL = {"stores": 10_000, "invoices": 500_000, "deliveries": 3_000_000, "plans": 5_000, "contracts": 200}
REPS, SUPERVISORS, PRODUCTS = 200, 20, 60
TIERS = ["GKA"] * 4 + ["NKA"] * 4 + ["LKA"] * 3
FORMATS = ["hypermarket", "supermarket", "hypermarket", "convenience"]


def _people_and_field(*, stores: int, deliveries: int) -> dict:
    """Owners, reps and supervisors; the stores shared among the reps; products and listings; a year of
    deliveries, weekly route plans and the visits that kept them; last night's suggested orders; open tasks."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.models import KeyAccount, Profile
    from accounts.roles import Role
    from stores.models import Product

    User = get_user_model()
    managers = [User.objects.create(username=f"bench_manager{m}") for m in range(3)]
    supervisors = [User.objects.create(username=f"bench_sup{s}") for s in range(SUPERVISORS)]
    reps = [User.objects.create(username=f"bench_rep{r}") for r in range(REPS)]
    finance = User.objects.create(username="bench_fin")
    Profile.objects.bulk_create(
        [Profile(user=u, role=Role.MANAGER) for u in managers]
        + [Profile(user=u, role=Role.SUPERVISOR) for u in supervisors]
        + [Profile(user=u, role=Role.REP, supervisor=supervisors[i % SUPERVISORS]) for i, u in enumerate(reps)]
        + [Profile(user=finance, role=Role.FINANCE)]
    )
    for i, account in enumerate(KeyAccount.objects.order_by("code")):
        account.tier, account.format, account.owner = TIERS[i % len(TIERS)], FORMATS[i % 4], managers[i % 3]
        account.save(update_fields=["tier", "format", "owner"])
    Product.objects.bulk_create(
        Product(code=f"BP{p:04d}", name=f"产品{p}", packs_per_case=12, suggested_retail_price=6,
                distributor_price=Decimal("3.80"), wholesale_price=Decimal("4.10"))
        for p in range(PRODUCTS)
    )  # fmt: skip
    ids = [r.pk for r in reps]
    with connection.cursor() as cursor:
        # each store to a rep (50 a rep at full size), listed for 20 products
        cursor.execute(
            "UPDATE stores_store s SET rep_id = (%s::int[])[1 + (s.id %% %s)], "
            "grade = (ARRAY['A','B','C'])[1 + s.id %% 3]",
            [ids, REPS],
        )
        cursor.execute(
            "INSERT INTO stores_listing (store_id, product_id, listing_fee, purchase_price, shelf_price, active) "
            "SELECT s.id, p.id, 0, 4.5, 5, true FROM stores_store s JOIN stores_product p "
            "ON (p.id + s.id) % 3 = 0"
        )
        cursor.execute(
            """INSERT INTO stores_delivery (store_id, product_id, date, quantity, unit_price, reference)
               SELECT l.store_id, l.product_id, %(first)s::date + ((g * 7 + l.id) %% 365)::int, 12 + (g * l.id) %% 120,
                      4.50, ''
               FROM stores_listing l CROSS JOIN generate_series(1, %(per)s) g""",
            {"first": date(YEAR, 1, 1), "per": max(1, deliveries // max(1, stores * PRODUCTS // 3))},
        )
        # a published plan per rep and week, a stop per store of the rep once a week (day by store id)
        cursor.execute(
            """INSERT INTO visits_routeplan (rep_id, week_start, status, published_at, created_by_id)
               SELECT r, %(monday)s::date + 7 * w, 'published', now(), r
               FROM unnest(%(reps)s::int[]) r CROSS JOIN generate_series(0, %(weeks)s) w""",
            {"monday": date(YEAR, 1, 5), "reps": ids, "weeks": (TODAY - date(YEAR, 1, 5)).days // 7},
        )
        cursor.execute(
            """INSERT INTO visits_routestop (plan_id, store_id, day, position, by_hand)
               SELECT p.id, s.id, s.id % 5, row_number() OVER (PARTITION BY p.id ORDER BY s.id), false
               FROM visits_routeplan p JOIN stores_store s ON s.rep_id = p.rep_id"""
        )
        # 85 % of the stops due by today were kept: checked in at 10:00 that day, out 30 minutes later
        cursor.execute(
            """INSERT INTO visits_visit (uuid, rep_id, store_id, route_stop_id, checked_in_at, checked_out_at,
                   far_from_store, short_visit, problems, actions, rating, checkout_missing, checkout_reason,
                   rating_reasons, created_at, updated_at)
               SELECT gen_random_uuid(), p.rep_id, t.store_id, t.id,
                      (p.week_start + t.day::int) + time '02:00', (p.week_start + t.day::int) + time '02:30',
                      false, false, '', '', (ARRAY['green','green','yellow','red'])[1 + t.id %% 4], '{}', '', '[]',
                      now(), now()
               FROM visits_routestop t JOIN visits_routeplan p ON p.id = t.plan_id
               WHERE p.week_start + t.day::int <= %s AND t.id %% 20 < 17""",
            [TODAY],
        )
        cursor.execute(
            """INSERT INTO visits_suggestedorder (store_id, product_id, date, previous_packs, delivered_packs,
                   current_packs, actual_sales_packs, safety_stock_packs, suggested_packs, suggested_cases, flag)
               SELECT l.store_id, l.product_id, %s, 40, 24, 30, 34, 20, 12, 1,
                      CASE WHEN l.id %% 97 = 0 THEN 'negative_sales' WHEN l.id %% 89 = 0 THEN 'no_previous_count'
                           ELSE '' END
               FROM stores_listing l""",
            [TODAY],
        )
        cursor.execute(  # the night that wrote them
            """INSERT INTO visits_replenishmentrun (date, started_at, finished_at, status, pairs, flagged, chunks,
                   chunks_done, scope, error, mode, settings_fingerprint, pairs_recomputed, pairs_changed,
                   tallies_carried)
               SELECT %s, now(), now(), 'succeeded', count(*), count(*) FILTER (WHERE flag <> ''), 1, 1, '', '',
                      'full', '', count(*), count(*), false
               FROM visits_suggestedorder""",
            [TODAY],
        )
        cursor.execute(
            """INSERT INTO visits_task (store_id, title, description, due_on, status, done_comment, assigned_by_id,
                   created_at)
               SELECT s.id, '检查端架', '', %s::date + (s.id %% 10)::int - 5, 'open', '', %s, now()
               FROM stores_store s WHERE s.id %% 4 = 0""",
            [TODAY, supervisors[0].pk],
        )

    return {"managers": managers, "supervisors": supervisors, "reps": reps, "finance": finance}


def _close_months(through: int, by) -> None:
    """January to ``through`` closed, as finance closes each month at a year's end: what tradespend.closing.
    month_close freezes (its ledger and matching are brought up to date once, before, by the caller)."""
    from tradespend.closing import month_figures
    from tradespend.models import ClosedFigure, ClosedMonth

    for number in range(1, through + 1):
        month = date(YEAR, number, 1)
        figures = month_figures(month)
        closed = ClosedMonth.objects.create(month=month, closed_by=by)
        ClosedFigure.objects.bulk_create(
            ClosedFigure(closed_month=closed, account_id=account_id, **row.as_snapshot())
            for account_id, row in figures.items()
        )


def _spread_deductions() -> None:
    """trade_spend.py names one invoice per chain on every deduction (matching reads no invoice); a chain's
    deductions are spread over its invoices here, as a chain takes them, so reading an invoice's deductions is
    what it is in life: a few rows through the index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE contracts_deduction d SET invoice_id = i.id
               FROM (SELECT id, account_id, row_number() OVER (PARTITION BY account_id ORDER BY id) AS n,
                            count(*) OVER (PARTITION BY account_id) AS total FROM contracts_invoice) i
               WHERE i.account_id = d.account_id AND i.n = 1 + (d.id * 7919) % i.total"""
        )
        cursor.execute("ANALYZE contracts_deduction")


def _median_ms(client, url: str, runs: int) -> tuple[float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the request resets the log too: start from an empty one so the capture is not cut
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries)


def _naive_chain(budget_s: float, account) -> tuple[int, int, float]:
    """The chain page's figures one row at a time: per month two sums (invoices, credit notes) and the target; per
    invoice its open amount from its allocations and deductions; per store whether it was visited; per stop
    whether its rep checked in there that day. Answers (items in the whole work, items done, seconds)."""
    from django.db.models import Sum

    from contracts.models import CreditNote, Invoice
    from visits.models import RouteStop, Visit

    first, end = date(YEAR, 1, 1), TODAY
    invoices = list(Invoice.objects.filter(account=account).values_list("pk", flat=True))
    stores = list(account.stores.values_list("pk", flat=True))
    stops = list(
        RouteStop.objects.filter(store__account=account, plan__week_start__lte=end).values_list(
            "plan__rep_id", "store_id", "plan__week_start", "day"
        )
    )
    work = [("month", m) for m in range(1, 13)] + [("invoice", i) for i in invoices]
    work += [("store", s) for s in stores] + [("stop", s) for s in stops]

    def step(item):
        kind, value = item
        if kind == "month":
            Invoice.objects.filter(account=account, date__year=YEAR, date__month=value).aggregate(t=Sum("amount"))
            CreditNote.objects.filter(account=account, date__year=YEAR, date__month=value).aggregate(t=Sum("amount"))
        elif kind == "invoice":
            invoice = Invoice.objects.get(pk=value)
            invoice.allocations.aggregate(t=Sum("amount"))
            invoice.deductions.aggregate(t=Sum("amount"))
        elif kind == "store":
            Visit.objects.filter(store_id=value, checked_in_at__date__gte=first, checked_out_at__isnull=False).exists()
        else:
            rep_id, store_id, week, day = value
            on = week + timedelta(days=day)
            Visit.objects.filter(rep_id=rep_id, store_id=store_id, checked_in_at__date=on).exists()

    return _run(budget_s, work, step)


def _naive_store_pnl(budget_s: float, account) -> tuple[int, int, float]:
    """Per store of the chain: its sell-in, its listings' fees, its display agreements, its visits and ratings,
    one query each."""
    from django.db.models import F, Sum

    from evidence.models import DisplayAgreement
    from stores.models import Delivery, Listing
    from visits.models import Visit

    def step(store_id):
        Delivery.objects.filter(store_id=store_id, date__year=YEAR).aggregate(t=Sum(F("quantity") * F("unit_price")))
        Listing.objects.filter(store_id=store_id).aggregate(t=Sum("listing_fee"))
        DisplayAgreement.objects.filter(store_id=store_id).aggregate(t=Sum("fee"))
        for rating in ("green", "yellow", "red"):
            Visit.objects.filter(store_id=store_id, rating=rating, checked_in_at__year=YEAR).count()

    return _run(budget_s, list(account.stores.values_list("pk", flat=True)), step)


def _naive_dashboard(budget_s: float, role: str, user) -> tuple[int, int, float]:
    """What each dashboard summarises, one row at a time: a rep's stores (last count, flags, promotions); a
    supervisor's team's stops this week (was each visited?); a manager's chains month by month (sell-in, credit
    notes, target) and each plan waiting with its budget; finance's open invoices (each one's movements)."""
    from django.db.models import Sum

    from accounts.models import KeyAccount, SalesTarget
    from contracts.models import CreditNote, Invoice
    from promotions.models import Budget, PromotionPlan
    from visits.models import RouteStop, StockCount, SuggestedOrder, Visit

    if role == "rep":
        work = list(user.stores.values_list("pk", flat=True))

        def step(store_id):
            StockCount.objects.filter(visit__store_id=store_id).order_by("-visit__checked_in_at").first()
            SuggestedOrder.objects.in_force_on(TODAY).filter(store_id=store_id).exclude(flag="").count()
            PromotionPlan.objects.filter(account__stores=store_id, start_on__lte=TODAY, end_on__gte=TODAY).count()
    elif role == "supervisor":
        monday = TODAY - timedelta(days=TODAY.weekday())
        work = list(
            RouteStop.objects.filter(plan__rep__profile__supervisor=user, plan__week_start=monday).values_list(
                "plan__rep_id", "store_id", "day"
            )
        )

        def step(item):
            rep_id, store_id, day = item
            Visit.objects.filter(rep_id=rep_id, store_id=store_id, checked_in_at__date=monday + timedelta(days=day))
            Visit.objects.exists()
    elif role == "manager":
        accounts = list(KeyAccount.objects.filter(owner=user))
        work = [("month", account, month) for account in accounts for month in range(1, 13)]
        work += [("plan", plan, None) for plan in PromotionPlan.objects.filter(account__owner=user, status="submitted")]

        def step(item):
            kind, thing, month = item
            if kind == "month":
                Invoice.objects.filter(account=thing, date__year=YEAR, date__month=month).aggregate(t=Sum("amount"))
                CreditNote.objects.filter(account=thing, date__year=YEAR, date__month=month).aggregate(t=Sum("amount"))
                SalesTarget.objects.filter(account=thing, year=YEAR, month=month).first()
            else:
                Budget.objects.filter(account_id=thing.account_id, period_start__lte=thing.start_on).first()
    else:
        work = list(Invoice.objects.filter(date__lte=TODAY).values_list("pk", flat=True))

        def step(invoice_id):
            invoice = Invoice.objects.get(pk=invoice_id)
            invoice.allocations.aggregate(t=Sum("amount"))
            invoice.deductions.aggregate(t=Sum("amount"))
            invoice.credit_notes.aggregate(t=Sum("amount"))

    return _run(budget_s, work, step)


def _list_people(people: dict, manager) -> list[tuple[str, object]]:
    """Who opens the suggested-order list, from the widest scope to the narrowest, with their roles' permissions."""
    from accounts.roles import Role

    return [
        ("administrator", _with_role("bench_admin", Role.ADMIN)),
        ("KA manager", _with_role(manager, Role.MANAGER)),
        ("supervisor", _with_role(people["supervisors"][0], Role.SUPERVISOR)),
        ("rep", _with_role(people["reps"][0], Role.REP)),
    ]


def _line(name: str, target_ms: float, ms: float, queries: int, small_queries: int, naive_s: float | None) -> bool:
    ok = ms <= target_ms and queries == small_queries
    ratio = (
        f"{naive_s * 1000 / ms:,.0f}× faster than the naive per-row computation ({naive_s:,.1f} s)" if naive_s else ""
    )
    print(
        f"  {name:<34} {ms:7.1f} ms (target ≤ {target_ms:.0f} ms) queries {queries} (another {small_queries})"
        f"  {ratio}  → {'holds' if ok else 'MISSED'}"
    )
    return ok


def _measure(args, people: dict | None) -> int:
    """Each page as its user, beside the naive computation; answers 0 when every target holds."""
    import trade_spend
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from accounts.models import KeyAccount

    if people is None:  # --reuse: the people of a kept company
        users = get_user_model().objects
        people = {
            "finance": users.get(username="bench_fin"),
            "reps": [users.get(username="bench_rep0")],
            "supervisors": [users.get(username="bench_sup0")],
        }
    big = KeyAccount.objects.order_by("code").first()
    other = KeyAccount.objects.filter(owner=big.owner).exclude(pk=big.pk).order_by("code").first()
    period = f"?month_from={YEAR}-01&month_to={YEAR}-12"
    pages = [
        ("chain page (year)", 300, "analytics:chain", [big.code], big.owner, [other.code]),
        ("channel mix (year)", 500, "analytics:channel-mix", [], people["finance"], None),
        ("store P&L, one chain (year)", 500, "analytics:store-pnl", [], big.owner, None),
        ("promotion expense (year), KA manager", 500, "analytics:promotion-expense", [], big.owner, None),
        # every chain's year (5,000 plans): a whole company's report, bound as issue 17's (aging, performance: 1 s)
        ("promotion expense (year), finance", 1000, "analytics:promotion-expense", [], people["finance"], None),
        ("dashboard: rep", 200, "home", [], people["reps"][0], None),
        ("dashboard: supervisor", 200, "home", [], people["supervisors"][0], None),
        ("dashboard: KA manager", 200, "home", [], big.owner, None),
        ("dashboard: finance", 200, "home", [], people["finance"], None),
        *(
            (f"suggested orders: {who}", 300, "visits:suggested-order-list", [], user, None)
            for who, user in _list_people(people, big.owner)
        ),
    ]
    # the pages read "today" (aging, this week, the month to close): the company's today, not the machine's
    import time_machine
    from django.utils import timezone

    traveller = time_machine.travel(timezone.make_aware(datetime(TODAY.year, TODAY.month, TODAY.day, 10)), tick=True)
    traveller.start()
    budget = args.naive_budget
    naive = {
        "chain page (year)": _naive_chain(budget, big),
        "channel mix (year)": trade_spend._naive_gross_to_net(budget, list(KeyAccount.objects.all())),
        "store P&L, one chain (year)": _naive_store_pnl(budget, big),
        "dashboard: rep": _naive_dashboard(budget, "rep", people["reps"][0]),
        "dashboard: supervisor": _naive_dashboard(budget, "supervisor", people["supervisors"][0]),
        "dashboard: KA manager": _naive_dashboard(budget, "manager", big.owner),
        "dashboard: finance": _naive_dashboard(budget, "finance", people["finance"]),
    }
    held = True
    print("page                             median")
    for name, target, url_name, url_args, user, small_args in pages:
        try:
            path = reverse(url_name, args=url_args)
        except NoReverseMatch:
            print(f"  {name:<34} not built yet")
            continue
        # the analysis pages for the year; a dashboard, and a list as the menu opens it, with no query string
        query = period if url_name not in ("home", "visits:suggested-order-list") else ""
        if url_name == "analytics:store-pnl":
            query += f"&account={big.code}"
        client = Client()
        client.force_login(user)
        ms, queries = _median_ms(client, path + query, args.runs)
        small_queries = queries
        if small_args is not None:
            _ms, small_queries = _median_ms(client, reverse(url_name, args=small_args) + query, 1)
        naive_s = None
        if name in naive:
            total, done, seconds = naive[name]
            naive_s = seconds / max(done, 1) * total
        held &= _line(name, target, ms, queries, small_queries, naive_s)
    print("all targets hold" if held else "some targets MISSED")
    return 0 if held else 1


# Every page a user reaches from the menu, and each form that writes a new record, as that user opens it: within
# these, whatever the size of the company (a page listing every store of a KA manager's scope weighed 875 KB). A
# second is issue 17's bound for a whole company's report; the analysis pages have tighter targets (--part pages).
WEIGHT_MS, WEIGHT_KB = 1000, 300
NEW_FORMS = ("/stores/new/", "/promotions/new/", "/contracts/ledger/new/", "/trade-spend/remittances/new/",
             "/evidence/agreements/new/", "/promoters/roster/new/")  # fmt: skip
OPEN_DAYS = 75  # the biggest chain's invoices of its last this many days opened, for its account screen


def _menu_pages(client) -> list[str]:
    """The pages the user's home links to (the menu and the home's own links), then the new-record forms they may
    open; each detail page once (the first of its kind: /accounts/1/, not /accounts/4/ too)."""
    import re

    home = client.get("/").content.decode()
    found, kinds = [], set()
    for link in re.findall(r'href="(/[^"#?]*)"', home):
        if link.startswith(("/static", "/media", "/logout", "/admin", "/api", "/manifest")) or link in found:
            continue
        kind = re.sub(r"/\d+/", "/N/", link)
        if kind not in kinds:
            kinds.add(kind)
            found.append(link)
    return ["/", *(link for link in found if link != "/"), *NEW_FORMS]


def _measure_weight(args, people: dict | None) -> bool:
    """Each menu page and new-record form as an administrator, a KA manager, finance, a supervisor and a rep open it:
    the median of ``--runs`` after a warm-up, and the page's size, against WEIGHT_MS and WEIGHT_KB; then the biggest
    chain's account screen with OPEN_DAYS of its invoices open (thousands), in a transaction rolled back after."""
    import time_machine
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import F
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import KeyAccount
    from accounts.roles import Role

    # the pages read "today" (this week, overdue): the company's today, not the machine's
    traveller = time_machine.travel(timezone.make_aware(datetime(TODAY.year, TODAY.month, TODAY.day, 10)), tick=True)
    traveller.start()

    users = get_user_model().objects
    people = people or {"reps": [users.get(username="bench_rep0")], "supervisors": [users.get(username="bench_sup0")]}
    big = KeyAccount.objects.order_by("code").first()
    who = [
        ("administrator", _with_role("bench_admin", Role.ADMIN)),
        ("KA manager", _with_role(big.owner, Role.MANAGER)),
        ("finance", _finance_user()),
        ("supervisor", _with_role(people["supervisors"][0], Role.SUPERVISOR)),
        ("rep", _with_role(people["reps"][0], Role.REP)),
    ]
    held, pages = True, 0
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the forms a role may not open: 403, expected
    print(f"page weight: every menu page and new-record form, median of {args.runs} (≤ {WEIGHT_MS} ms, {WEIGHT_KB} KB)")

    def one(name: str, client, url: str) -> bool:
        first = client.get(url)
        if first.status_code != 200:
            if args.verbose:
                print(f"  {name:<14} {url:<44} {first.status_code}")
            return first.status_code in (302, 403, 404)  # a form the role may not open, a section it has not
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        ms, kb = statistics.median(times), len(first.content) / 1024
        ok = ms <= WEIGHT_MS and kb <= WEIGHT_KB
        if not ok or args.verbose:
            print(f"  {name:<14} {url:<44} {ms:7.1f} ms {kb:7.0f} KB{'' if ok else '  → MISSED'}")
        return ok

    for name, user in who:
        client = Client()
        client.force_login(user)
        for url in _menu_pages(client):
            pages += 1
            held &= one(name, client, url)
    client = Client()
    client.force_login(_finance_user())
    with transaction.atomic():
        opened = big.invoices.filter(date__gt=TODAY - timedelta(days=OPEN_DAYS)).update(
            open_amount=F("amount"), status="open"
        )
        print(f"  (the biggest chain's account screen with its {opened:,} invoices of {OPEN_DAYS} days open)")
        held &= one("finance", client, reverse("contracts:receivables-account", args=[big.pk]))
        transaction.set_rollback(True)
    traveller.stop()
    print(f"{pages + 1} pages: {'every page within' if held else 'some pages MISSED'}")
    return held


def _order_history(weeks: int) -> int:
    """`weeks` weekly rows before last night's for every pair, each superseded by the next: what the suggested orders
    hold after that long in use, a pair counted every week (a new count, a new result, a new row). Readers of the rows
    in force walk them. Added once: a kept company that has them is left as it is. Answers the rows added."""
    from django.db import connection

    columns = (
        "previous_packs, delivered_packs, current_packs, actual_sales_packs, safety_stock_packs, suggested_packs, "
        "suggested_cases, flag, store_id, product_id"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM visits_suggestedorder WHERE superseded_on IS NOT NULL)")
        if cursor.fetchone()[0]:
            return 0
        # on disk as a year of nights leaves them: the old rows first, the rows in force after them (a reader that
        # scans the table for one in force meets the history first)
        cursor.execute(
            "CREATE TEMP TABLE bench_in_force AS SELECT * FROM visits_suggestedorder WHERE superseded_on IS NULL"
        )
        cursor.execute("DELETE FROM visits_suggestedorder WHERE superseded_on IS NULL")
        cursor.execute(
            f"""INSERT INTO visits_suggestedorder (date, superseded_on, {columns})
                SELECT o.date - 7 * k, o.date - 7 * (k - 1), {columns}
                FROM generate_series(%s, 1, -1) k CROSS JOIN bench_in_force o
                ORDER BY k DESC, o.id""",  # noqa: S608 - column names only
            [weeks],
        )
        added = cursor.rowcount
        cursor.execute("INSERT INTO visits_suggestedorder SELECT * FROM bench_in_force ORDER BY id")
        cursor.execute("DROP TABLE bench_in_force")
        cursor.execute("VACUUM ANALYZE visits_suggestedorder")
    return added


def _with_order_history(args) -> None:
    if args.order_history_weeks:
        started = time.perf_counter()
        added = _order_history(args.order_history_weeks)
        print(f"suggested-order history: {added:,} superseded rows added in {time.perf_counter() - started:,.0f} s")


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:  # autovacuum's work in life: statistics and the visibility map
        cursor.execute("VACUUM ANALYZE")


def _finance_user():
    """Finance, who reads every account's receivables, with the role's permissions (the API checks them)."""
    from accounts.roles import Role

    return _with_role("bench_fin", Role.FINANCE)


def _with_role(user, role):
    """A bench user (or the one of that username, made if need be) with its role's permissions: the pages and the API
    check them, and the company builders make people with a role and no groups."""
    from django.contrib.auth import get_user_model

    from accounts.roles import Role
    from accounts.services import role_groups_sync, user_set_role

    role_groups_sync()
    if isinstance(user, str):
        user, _made = get_user_model().objects.get_or_create(
            username=user, defaults={"is_superuser": role == Role.ADMIN}
        )
    user_set_role(user=user, role=role)
    return user


def _measure_finance(args) -> bool:
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.make_aware(datetime(TODAY.year, TODAY.month, TODAY.day, 10)), tick=True):
        held = reports_finance.measure(args, _finance_user())
    print("all finance targets hold" if held else "some finance targets MISSED")
    return held


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--naive-budget", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep <name>_bench for another run")
    parser.add_argument("--reuse", action="store_true", help="measure a <name>_bench kept by --keep, unbuilt")
    parser.add_argument(
        "--order-history-weeks", type=int, default=0,
        help="before the pages: this many weekly superseded suggested orders a pair (a year in use: 52)",
    )  # fmt: skip
    parser.add_argument(
        "--part", choices=["pages", "finance", "all", "weight"], default="pages",
        help="pages: issue 15's analysis pages; finance: aging, performance, statement (issue 17); all: both; "
        "weight: every menu page and new-record form of five users (time and size)",
    )  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="weight: print every page, not only those missed")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (the benchmark makes <name>_bench beside it)")
    bench_url = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1].split("?")[0] + "_bench" if args.reuse else None
    bench_url = bench_url or bench_database(url)
    os.environ["DATABASE_URL"] = bench_url
    if args.part == "finance":
        os.environ.setdefault("DEBUG", "false")  # as in production: no query log held (the Excel's memory is measured)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
    import django

    django.setup()
    import trade_spend
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    sizes = {name: max(1, int(value * args.scale)) for name, value in FULL.items()}
    try:
        call_command("migrate", verbosity=0)
        if args.reuse:
            held = True
            if args.part in ("pages", "all"):
                _with_order_history(args)
                held &= _measure(args, people=None) == 0
            if args.part == "weight":
                held &= _measure_weight(args, people=None)
            if args.part in ("finance", "all"):
                held &= _measure_finance(args)
            return 0 if held else 1
        started = time.perf_counter()
        trade_spend._company(
            stores=sizes["stores"], invoices=sizes["invoices"], plans=sizes["plans"], contracts=sizes["contracts"],
            open_invoices=200,
        )  # fmt: skip
        held = True
        if args.part in ("pages", "all", "weight"):
            from tradespend.accruals import accruals_compute

            accruals_compute(as_of=TODAY)
            trade_spend._deductions_from_ledger(sizes["invoices"] // 25)
            _spread_deductions()
            people = _people_and_field(stores=sizes["stores"], deliveries=sizes["deliveries"])
            from tradespend.matching import deductions_match

            deductions_match()
            _close_months(10, people["finance"])
            _vacuum()
            print(f"company built in {time.perf_counter() - started:,.0f} s: {sizes}")
            _with_order_history(args)
            if args.part == "weight":
                held &= _measure_weight(args, people)
            else:
                held &= _measure(args, people) == 0
        if args.part in ("finance", "all"):
            started = time.perf_counter()
            made = reports_finance.build_receivables()
            _finance_user()
            _vacuum()
            print(f"receivables built in {time.perf_counter() - started:,.0f} s: {sizes}, {made}")
            held &= _measure_finance(args)
        return 0 if held else 1
    finally:
        if not (args.keep or args.reuse):
            from django.db import connections

            connections.close_all()
            drop_database(bench_url)


if __name__ == "__main__":
    sys.exit(main())
