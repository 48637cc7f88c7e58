"""The admin of visit evidence, one module per part of issue 13; every change goes through the services."""

from . import agreements, competitors, signals  # noqa: F401
