"""The fraud-signal queue's words: a signal's evidence as a sentence (evidence/signals.py describe)."""

from django import template

register = template.Library()


@register.filter
def signal_text(signal) -> str:
    from evidence.signals import describe

    return describe(signal)
