"""A record's `updated_at` set by every write of it, for the integrations that pull what changed since
(?updated_since=, ka_portal/updated_since.py).

`auto_now` sets it on save(), but a save(update_fields=[…]) that does not name it writes the other fields only (the
services' money steps save so: an invoice's open amount, a payment's allocation), and QuerySet.update(), bulk_update()
and an upsert's ON CONFLICT DO UPDATE never touch it. A model with `UpdatedAtOnSave` adds it to every save's
update_fields; the others name it themselves (`touched_fields`)."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models

FIELD = "updated_at"


class UpdatedAtOnSave:
    """For a model whose `updated_at` is auto_now: a save naming the fields it writes writes `updated_at` too."""

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None and update_fields and FIELD not in update_fields:
            update_fields = [*update_fields, FIELD]
        return super().save(*args, update_fields=update_fields, **kwargs)


def tracks_updates(model) -> bool:
    """Whether the model has an auto_now `updated_at` that bulk writes must set themselves."""
    try:
        field = model._meta.get_field(FIELD)
    except FieldDoesNotExist:
        return False
    return isinstance(field, models.DateTimeField) and field.auto_now


def touched_fields(model, fields) -> list[str]:
    """`fields` a bulk write names, with `updated_at` when the model tracks updates."""
    fields = list(fields)
    return [*fields, FIELD] if tracks_updates(model) and FIELD not in fields else fields
