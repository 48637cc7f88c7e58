# ruff: noqa: E402, SIM115, E501, B008, S608 -- a throwaway prototype script, its figures in docs/performance.md (issue 17 item 2, pair-state table)
"""Build ps_bench: the bench company (10,000 × 300 by default) and a first full run, kept for the prototype."""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/" + os.environ.get("PSDB", "ps")
os.environ["CELERY_BROKER_URL"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ka_portal.settings")
from scratch_db import bench_database

url = bench_database(os.environ["DATABASE_URL"])
os.environ["DATABASE_URL"] = url
import django

django.setup()
import replenishment as B
from django.core.management import call_command
from django.db import connection

stores, products = int(sys.argv[1]), int(sys.argv[2])
call_command("migrate", verbosity=0)
t = time.perf_counter()
B._company(stores, products)
print("company", time.perf_counter() - t, flush=True)
with connection.cursor() as c:
    c.execute("TRUNCATE visits_replenishmentchange")
from visits.tasks import suggested_orders_run

t = time.perf_counter()
suggested_orders_run(on=B.ON, full=True)
print("first full run inline", time.perf_counter() - t, flush=True)
with connection.cursor() as c:
    c.execute("VACUUM (ANALYZE)")
print("done", url)
