"""Models the project shares across apps: the client keys that make a create safe to repeat, the base of the
workflow logs, and the queryset of every record that can be switched off."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .system_texts import render


class ActiveQuerySet(models.QuerySet):
    """Records with an ``active`` flag (key accounts, stores, products, listings): ``.active()`` instead of
    repeating ``.filter(active=True)``. Filters only; who may see what stays in ka_portal/scope.py."""

    def active(self):
        return self.filter(active=True)


class IdempotencyKey(models.Model):
    """One client key of one user for one kind of create, and what the first request with it answered.

    Written by ``ka_portal/idempotency.py`` only. The body itself is not kept: its fingerprint and
    one hash per top-level field are enough to say whether a repeat is the same and which fields differ.
    """

    class Status(models.TextChoices):
        IN_FLIGHT = "in_flight", _("in flight")
        DONE = "done", _("done")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    scope = models.CharField(_("scope"), max_length=100)
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    field_hashes = models.JSONField(_("field hashes"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    # The first response exactly as JSON text, so a replay renders the same bytes (jsonb would reorder keys).
    response_body = models.TextField(_("response body"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_unique_per_user_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class TransitionLog(models.Model):
    """What every workflow log line holds besides its record and states: who moved it, when, and why."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)  # what a person typed, as typed
    # What the system wrote: a code of ka_portal.system_texts and its parameters, made a sentence when read.
    message = models.CharField(_("message"), max_length=60, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def text(self) -> str:
        """The line's note for the reader: what a person typed, then the system's message in the reader's language."""
        system = render(self.message, self.params) if self.message else ""
        return " ".join(part for part in (self.note, system) if part)


class TableRevision(models.Model):
    """How many committed writes a table has seen: bumped by database triggers (ka_portal/table_revisions.py) on every
    insert, update and delete, whatever the door, so an answer read from these tables is known to be current while
    their revisions stand (ka_portal/api_cache.py)."""

    table_name = models.CharField(_("table"), max_length=100, primary_key=True)
    revision = models.BigIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("table revision")
        verbose_name_plural = _("table revisions")

    def __str__(self) -> str:
        return f"{self.table_name} @{self.revision}"


class TableWrite(models.Model):
    """PostgreSQL: one row per writing statement, turned into a TableRevision bump when its transaction commits (a
    deferred trigger), so concurrent writers of a table wait for each other only while committing. The rows of a
    transaction not yet committed are seen by that transaction alone, which counts them into the revisions it reads."""

    table_name = models.CharField(_("table"), max_length=100, db_index=True)

    class Meta:
        verbose_name = _("table write")
        verbose_name_plural = _("table writes")

    def __str__(self) -> str:
        return self.table_name
