"""python manage.py seed_demo [--password P]: the demo company (idempotent)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from ka_portal.demo import DEFAULT_PASSWORD, PEOPLE, seed_demo


class Command(BaseCommand):
    help = "Fill an empty database with the demo company of SPEC §8. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"password for every demo user (default {DEFAULT_PASSWORD}); also resets existing demo users'",
        )

    def handle(self, *args, password=None, **options):
        created = seed_demo(
            password=password or DEFAULT_PASSWORD, today=timezone.localdate(), reset_passwords=password is not None
        )
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {created} records."))
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        users = ", ".join(username for username, *_ in PEOPLE)
        self.stdout.write(f"Demo users: {users} (password: {password or DEFAULT_PASSWORD})")
