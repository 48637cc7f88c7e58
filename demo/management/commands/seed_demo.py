"""python manage.py seed_demo [--password P]: the demo company (idempotent).

In development every demo user gets demo1234 unless --password says otherwise. With PRODUCTION=true it
refuses to run without an explicit --password that passes the password validators, so a production
database never holds an `admin` with a published password.
"""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.company import DEFAULT_PASSWORD, PEOPLE, seed_demo
from demo.promoters import LOGINS


class Command(BaseCommand):
    help = "Fill an empty database with the demo company of SPEC §8. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=(
                f"password for every demo user (default {DEFAULT_PASSWORD}, refused with PRODUCTION=true, "
                "where this option is required); also resets existing demo users'"
            ),
        )

    def handle(self, *args, password=None, **options):
        if settings.PRODUCTION:
            _check_production_password(password)
        created = seed_demo(
            password=password or DEFAULT_PASSWORD, today=timezone.localdate(), reset_passwords=password is not None
        )
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {created} records."))
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        users = ", ".join([*(username for username, *_ in PEOPLE), *(login for login, *_ in LOGINS)])
        # The password is printed only where it is the published development default.
        shown = DEFAULT_PASSWORD if password is None else "as given by --password"
        self.stdout.write(f"Demo users: {users} (password: {shown})")


def _check_production_password(password: str | None) -> None:
    if not password:
        raise CommandError(
            "PRODUCTION=true: seed_demo needs --password (the demo users include `admin`, and the development "
            f"password {DEFAULT_PASSWORD} is published). Choose one, e.g. "
            "--password \"$(python -c 'import secrets; print(secrets.token_urlsafe(16))')\"."
        )
    if password == DEFAULT_PASSWORD:
        raise CommandError(
            f"PRODUCTION=true: {DEFAULT_PASSWORD} is the published development password: choose another."
        )
    try:
        validate_password(password)
    except ValidationError as error:
        raise CommandError("PRODUCTION=true: the --password is too weak: " + " ".join(error.messages)) from error
