"""The finance part of bench/reports.py (issue 17 item 4): aging, account performance and the statement at ten times
the data, and the statement's Excel export in constant memory. Run through bench/reports.py ``--part finance``.

The receivables of bench/trade_spend.py's year are made lifelike here: each invoice is paid 30–90 days after its
date (a payment per chain and day, allocated to the invoices it settles), one in twenty loses 2 % as a rebate
deduction on the day it is paid, credit notes as trade_spend.py made them; what is not due to be paid by the company's
"today" is still open (about 80,000 of the 500,000 invoices). The statement of the first chain from 1 January runs
to the day its lines reach 20,000 (invoices, credit notes, payments, deductions as the statement shows them), and a
second one to the day they reach 2,000: the Excel's peak memory of the two shows whether it stays flat.
"""

import statistics
import time
import tracemalloc
from datetime import date

YEAR = 2026
TODAY = date(YEAR, 12, 15)
TARGETS_MS = {"aging": 1000, "performance": 1000, "statement": 2000}  # the statement's Excel: memory flat (≤ 1.5×)
STATEMENT_LINES = (20_000, 2_000)


def build_receivables() -> dict:
    """Payments, allocations and deductions for trade_spend.py's invoices (which it made paid, with none): paid
    30–90 days after their date when that is by TODAY, open otherwise; what credit notes and deductions already took
    off an invoice (the issue-15 company's) is not paid again. Answers counts."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """CREATE TEMP TABLE bench_pay AS
               SELECT i.id, i.account_id, i.amount, i.date + 30 + (i.id * 31 %% 61)::int AS paid_on,
                      COALESCE(cn.total, 0) + COALESCE(earlier.total, 0) AS credited,
                      CASE WHEN i.id %% 20 = 3 AND i.date + 30 + (i.id * 31 %% 61)::int <= %(today)s
                           THEN round(i.amount * 0.02, 2) ELSE 0 END AS deducted
               FROM contracts_invoice i
               LEFT JOIN (SELECT invoice_id, sum(amount) AS total FROM contracts_creditnote
                          WHERE invoice_id IS NOT NULL GROUP BY invoice_id) cn ON cn.invoice_id = i.id
               LEFT JOIN (SELECT invoice_id, sum(amount - recovered_amount) AS total FROM contracts_deduction
                          GROUP BY invoice_id) earlier ON earlier.invoice_id = i.id""",
            {"today": TODAY},
        )
        cursor.execute(
            """INSERT INTO contracts_payment (account_id, date, amount, reference, allocated_amount, reversed_at,
                   reversed_on, reversed_by_id, reversal_reason, recorded_by_id, request_key, created_at)
               SELECT account_id, paid_on, sum(GREATEST(amount - credited - deducted, 0)),
                      'RM' || account_id || '-' || paid_on, sum(GREATEST(amount - credited - deducted, 0)),
                      NULL, NULL, NULL, '', NULL, NULL, now()
               FROM bench_pay WHERE paid_on <= %s GROUP BY account_id, paid_on
               HAVING sum(GREATEST(amount - credited - deducted, 0)) > 0""",
            [TODAY],
        )
        payments = cursor.rowcount
        cursor.execute(
            """INSERT INTO contracts_allocation (payment_id, invoice_id, amount)
               SELECT p.id, b.id, b.amount - b.credited - b.deducted
               FROM bench_pay b JOIN contracts_payment p
                 ON p.account_id = b.account_id AND p.reference = 'RM' || b.account_id || '-' || b.paid_on
               WHERE b.paid_on <= %s AND b.amount - b.credited - b.deducted > 0""",
            [TODAY],
        )
        allocations = cursor.rowcount
        cursor.execute(
            """INSERT INTO contracts_deduction (account_id, invoice_id, date, kind, amount, reason, reference,
                   period_start, period_end, state, matched_amount, recovered_amount, recovered_on, duplicate_of_id,
                   recorded_by_id, created_at, reason_code, reason_params)
               SELECT account_id, id, paid_on, 'rebate', deducted, '返利', 'RB' || id,
                      date_trunc('month', paid_on)::date, date_trunc('month', paid_on)::date, 'unsupported', 0, 0,
                      NULL, NULL, NULL, now(), '', '{}'
               FROM bench_pay WHERE deducted > 0"""
        )
        deductions = cursor.rowcount
        cursor.execute(
            """UPDATE contracts_invoice i
               SET open_amount = CASE WHEN b.paid_on <= %(today)s THEN 0 ELSE GREATEST(b.amount - b.credited, 0) END,
                   status = CASE WHEN b.paid_on <= %(today)s THEN 'paid' ELSE 'open' END
               FROM bench_pay b WHERE b.id = i.id""",
            {"today": TODAY},
        )
        cursor.execute("SELECT count(*) FROM contracts_invoice WHERE open_amount > 0 AND date <= %s", [TODAY])
        open_count = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_pay")
    return {"payments": payments, "allocations": allocations, "deductions": deductions, "open": open_count}


def statement_period_for(account, lines: int) -> tuple[date, date, int]:
    """From 1 January to the first day by which the account's statement has at least ``lines`` lines."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT d, sum(n) OVER (ORDER BY d) FROM (
                   SELECT date AS d, count(*) AS n FROM contracts_invoice WHERE account_id = %(a)s GROUP BY date
                   UNION ALL SELECT date, count(*) FROM contracts_payment WHERE account_id = %(a)s GROUP BY date
                   UNION ALL SELECT date, count(*) FROM contracts_deduction WHERE account_id = %(a)s GROUP BY date
                   UNION ALL SELECT date, count(*) FROM contracts_creditnote WHERE account_id = %(a)s GROUP BY date
               ) days WHERE d >= %(first)s ORDER BY d""",
            {"a": account.pk, "first": date(YEAR, 1, 1)},
        )
        running = 0
        last = date(YEAR, 1, 1)
        for day, running in cursor.fetchall():
            last = day
            if running >= lines:
                break
    return date(YEAR, 1, 1), last, int(running)


def _timed_get(client, url: str, runs: int) -> tuple[float, int, object]:
    """Median milliseconds of ``runs`` GETs after a warm-up, the queries of the warm-up, the last response."""
    from django.db import connection

    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        response = client.get(url)
        _consume(response)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        _consume(response)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries), response


def _consume(response) -> int:
    """Read a response whole, as the browser would (a streamed one chunk by chunk): its size in bytes."""
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


def _peak_memory(client, url: str) -> tuple[float, int]:
    """Peak Python memory (tracemalloc, MiB) above what the process held before, for one GET read to the end."""
    import gc

    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    response = client.get(url)
    size = _consume(response)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - before) / 2**20, size


# --- naive baselines, one row at a time -------------------------------------------------------------------------


def run_within(budget_s: float, work: list, step) -> tuple[int, int, float]:
    """``step`` over ``work`` until the budget is spent: (items in the whole work, items done, seconds)."""
    done, started = 0, time.perf_counter()
    for item in work:
        step(item)
        done += 1
        if time.perf_counter() - started > budget_s:
            break
    return len(work), done, time.perf_counter() - started


def _naive_aging(budget_s: float) -> tuple[int, int, float]:
    """Per invoice dated by today: its open amount from its allocations, deductions and credit notes, one query
    each, then its bucket."""
    from django.db.models import Sum

    from contracts.models import Invoice
    from contracts.receivables import aging_bucket, days_past_due

    def step(invoice_id):
        invoice = Invoice.objects.get(pk=invoice_id)
        taken = [
            invoice.allocations.aggregate(t=Sum("amount"))["t"],
            invoice.deductions.aggregate(t=Sum("amount"))["t"],
            invoice.credit_notes.aggregate(t=Sum("amount"))["t"],
        ]
        if invoice.amount - sum(t or 0 for t in taken) > 0:
            aging_bucket(days_past_due(due_on=invoice.due_on, as_of=TODAY))

    return run_within(budget_s, list(Invoice.objects.filter(date__lte=TODAY).values_list("pk", flat=True)), step)


def _naive_performance(budget_s: float) -> tuple[int, int, float]:
    """Per invoice of the year (and the year before): read it and add its amount to its account's sum."""
    from contracts.models import Invoice

    sums: dict[int, object] = {}
    ids = list(Invoice.objects.filter(date__year__in=[YEAR - 1, YEAR]).values_list("pk", flat=True))
    chunks = [ids[i : i + 1000] for i in range(0, len(ids), 1000)]

    def step(chunk):
        for invoice in Invoice.objects.filter(pk__in=chunk):
            sums[invoice.account_id] = sums.get(invoice.account_id, 0) + invoice.amount

    total, done, seconds = run_within(budget_s, chunks, step)
    return len(ids), min(len(ids), done * 1000), seconds


def _line(name: str, target_ms: float | None, ms: float, queries: int, compare: str) -> bool:
    ok = target_ms is None or ms <= target_ms
    target = f"(target ≤ {target_ms:,.0f} ms)" if target_ms else "(for comparison)"
    verdict = ("holds" if ok else "MISSED") if target_ms else ""
    print(f"  {name:<56} {ms:8.1f} ms {target:<22} queries {queries:<3} {compare}  {'→ ' + verdict if verdict else ''}")
    return ok


def _naive_text(naive: tuple[int, int, float], ms: float) -> str:
    total, done, seconds = naive
    whole = seconds / max(done, 1) * total
    return f"{whole * 1000 / ms:,.0f}× faster than the naive per-row computation (≈ {whole:,.1f} s for {total:,})"


def measure(args, finance_user) -> bool:
    """Each finance report as finance through the test client (page and API), beside a naive or smaller one."""
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    from accounts.models import KeyAccount
    from contracts import selectors

    page, api = Client(), APIClient()
    page.force_login(finance_user)
    api.force_authenticate(finance_user)
    runs = args.runs
    held = True
    print("\nfinance reports (issue 17 item 4)                       median")

    from contracts.models import Invoice

    invoices = Invoice.objects.count()
    open_now = Invoice.objects.filter(open_amount__gt=0, date__lte=TODAY).count()
    naive = _naive_aging(args.naive_budget)
    for as_of in (TODAY, date(YEAR, 9, 30)):
        target = TARGETS_MS["aging"]
        ms, queries, response = _timed_get(page, reverse("contracts:aging") + f"?as_of={as_of}", runs)
        label = f"aging page, {invoices:,} invoices as of {as_of}"
        compare = _naive_text(naive, ms) if as_of == TODAY else ""
        held &= _line(label, target, ms, queries, compare)
        ms, queries, response = _timed_get(api, reverse("report-aging") + f"?as_of={as_of}", runs)
        total = response.json()["total"]["total"]
        held &= _line(f"aging API (total open {total}; {open_now:,} open today)", target, ms, queries, "")

    naive = _naive_performance(args.naive_budget)
    period = f"{YEAR}-01", f"{YEAR}-12"
    ms, queries, _r = _timed_get(page, reverse("accounts:performance") + f"?start={period[0]}&end={period[1]}", runs)
    held &= _line("account performance page, the year", TARGETS_MS["performance"], ms, queries, _naive_text(naive, ms))
    ms, queries, _r = _timed_get(api, reverse("api-account-performance") + f"?from={period[0]}&to={period[1]}", runs)
    held &= _line("account performance API, the year", TARGETS_MS["performance"], ms, queries, "")

    account = KeyAccount.objects.order_by("code").first()
    sizes = {}
    for lines in STATEMENT_LINES:
        first, last, count = statement_period_for(account, lines)
        sizes[lines] = (first, last, count)
    statement_ms = {}
    for lines in STATEMENT_LINES:
        first, last, count = sizes[lines]
        target = TARGETS_MS["statement"] if lines == max(STATEMENT_LINES) else None
        query = f"?account={account.code}&date_from={first}&date_to={last}"
        ms, queries, _r = _timed_get(page, reverse("contracts:statement") + query, runs)
        statement_ms[("page", lines)] = ms
        held &= _line(f"statement page, {count:,} lines ({first}…{last})", target, ms, queries, "")
        api_query = f"?account={account.code}&from={first}&to={last}"
        ms, queries, response = _timed_get(api, reverse("report-statement") + api_query, runs)
        shown = len(response.json()["lines"])
        statement_ms[("api", lines)] = ms
        held &= _line(f"statement API, {count:,} lines ({shown:,} in the answer)", target, ms, queries, "")
        ms, queries, response = _timed_get(page, reverse("contracts:statement") + query + "&export=xlsx", runs)
        statement_ms[("xlsx", lines)] = ms
        # the Excel's target is its memory (below); its time is shown beside the smaller statement's
        _line(f"statement Excel, {count:,} lines (written whole)", None, ms, queries, "")
    memory = {}
    for lines in STATEMENT_LINES:
        first, last, count = sizes[lines]
        query = f"?account={account.code}&date_from={first}&date_to={last}&export=xlsx"
        memory[lines] = _peak_memory(page, reverse("contracts:statement") + query)
    big, small = max(STATEMENT_LINES), min(STATEMENT_LINES)
    for lines in STATEMENT_LINES:
        peak, size = memory[lines]
        count = sizes[lines][2]
        print(f"  statement Excel, {count:,} lines: peak Python memory {peak:6.1f} MiB, file {size / 1024:,.0f} KiB")
    ratio_lines = sizes[big][2] / sizes[small][2]
    ratio_memory = memory[big][0] / max(memory[small][0], 0.01)
    flat = ratio_memory <= 1.5
    print(
        f"  Excel memory: {ratio_lines:.1f}× the lines, {ratio_memory:.2f}× the peak memory "
        f"(flat: ≤ 1.5×) → {'holds' if flat else 'MISSED'}"
    )
    held &= flat
    for kind in ("page", "api", "xlsx"):
        print(f"  statement {kind}: {statement_ms[(kind, big)] / statement_ms[(kind, small)]:.1f}× the time for "
              f"{ratio_lines:.1f}× the lines")  # fmt: skip
    _ = selectors  # the selectors the pages read (imported so a broken module fails here, not in a page)
    return held
