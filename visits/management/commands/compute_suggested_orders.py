"""python manage.py compute_suggested_orders [--date D] [--account CODE] [--store CODE] [--queue Q] [--full]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import KeyAccount
from ka_portal import queues
from stores.models import Store
from visits.models import ReplenishmentRun
from visits.tasks import suggested_orders_run


class Command(BaseCommand):
    help = "Compute suggested orders (SPEC §4) for every active listing, one key account or one store."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD; default today (Asia/Shanghai)")
        parser.add_argument("--account", help="key account code")
        parser.add_argument("--store", help="store code")
        parser.add_argument(
            "--queue",
            choices=queues.QUEUES,
            default=queues.INTERACTIVE,
            help="the Celery queue of the run's chunks on workers (default: interactive, someone is waiting)",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="recompute every pair (default for every store: only the pairs whose inputs changed since the "
            "last successful run, when its settings were the same)",
        )

    def handle(self, *args, date=None, account=None, store=None, queue=queues.INTERACTIVE, full=False, **options):
        on = date or timezone.localdate()
        account_id = store_id = None
        scope = []
        if account:
            account_id = self._id(KeyAccount, account)
            scope.append(f"account {account}")
        if store:
            store_id = self._id(Store, store)
            scope.append(f"store {store}")
        run = suggested_orders_run(
            on=on, account_id=account_id, store_id=store_id, scope=", ".join(scope), queue=queue, full=full
        )
        run.refresh_from_db()
        self.stdout.write(
            f"run {run.pk} for {run.date} ({run.get_mode_display()}): {run.get_status_display()}, {run.pairs} pairs, "
            f"{run.pairs_recomputed} recomputed, {run.flagged} flagged, {run.chunks_done}/{run.chunks} chunks"
        )
        if run.status == ReplenishmentRun.Status.FAILED:
            raise CommandError(run.error)

    @staticmethod
    def _id(model, code: str) -> int:
        try:
            return model.objects.get(code=code).pk
        except model.DoesNotExist:
            raise CommandError(f"no {model._meta.verbose_name} with code {code!r}") from None
