"""Are both catalogues complete? Re-extract every string into a scratch copy and look for gaps.

Fails (exit 1) naming each string that has no Simplified Chinese translation or is fuzzy.
Needs GNU gettext (xgettext) on the machine; without it, says so and passes.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if not shutil.which("xgettext"):
        print("SKIPPED: catalogue completeness check (GNU gettext is not installed)")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "locale"
        shutil.copytree(ROOT / "locale", copy)
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "zh_Hans",
                "-l",
                "en",
                "--ignore=.venv",
                "--ignore=node_modules",
                "--ignore=staticfiles",
                "--ignore=tests",
                "--ignore=bench",
                "-v",
                "0",
            ],
            cwd=ROOT,
            check=True,
            env={**__import__("os").environ, "KA_LOCALE_DIR": str(copy)},
        )
        po = polib.pofile(str(copy / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        gaps = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    if gaps:
        print(f"FAILED: {len(gaps)} string(s) without a Simplified Chinese translation in locale/zh_Hans:")
        for msgid in gaps:
            print(f"   {msgid!r}")
        print("   Run `make messages` and translate them.")
        return 1
    print("catalogues complete: every string has its Simplified Chinese translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
