"""Django's `{# … #}` comment ends on its own line: one left open there is printed on the page as text (a clerk saw
a developer's note above the deduction form). Longer comments take `{% comment %}`."""

import re
from pathlib import Path

from django.conf import settings

OPEN_COMMENT = re.compile(r"\{#(?!.*#\})")


def _templates():
    root = Path(settings.BASE_DIR)
    for path in sorted(root.glob("**/templates/**/*")):
        if path.is_file() and ".venv" not in path.parts and "node_modules" not in path.parts:
            yield path


def test_every_one_line_comment_in_a_template_closes_on_its_line():
    left_open = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in _templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OPEN_COMMENT.search(line)
    ]
    assert list(_templates()), "no templates found"
    assert left_open == []


def test_a_comment_left_open_is_found():
    assert OPEN_COMMENT.search("{# a note that goes on")
    assert not OPEN_COMMENT.search("{# a note #} <p>{{ x }}</p>")
