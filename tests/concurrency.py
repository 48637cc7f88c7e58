"""Run several pieces of work at the same moment, each in its own thread and database connection
(concurrency tests on PostgreSQL: SQLite serialises writers, so races show only there)."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(*calls: Callable, timeout: float = 60) -> tuple[list, list]:
    """Start every call together (released by one barrier) and wait for all of them.

    Returns (results, errors) in the order the calls finished; each thread closes its own connection.
    """
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            start.wait(timeout=timeout)
            results.append(call())
        except Exception as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
