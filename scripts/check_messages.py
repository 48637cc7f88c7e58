"""Are both catalogues complete? Re-extract every string and look for gaps, leaving the catalogues as they were.

Fails (exit 1) naming each string that has no Simplified Chinese translation or is fuzzy.
Needs GNU gettext (xgettext) on the machine; without it, says so and passes.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if not shutil.which("xgettext"):
        print("SKIPPED: catalogue completeness check (GNU gettext is not installed)")
        return 0
    # makemessages writes into the locale/ folder beside the sources it reads (LOCALE_PATHS is only the
    # fallback), so it is run on the real catalogues and they are put back byte for byte afterwards.
    catalogues = sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po"))
    saved = {path: path.read_bytes() for path in catalogues}
    try:
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
        )
        po = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
        gaps = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    finally:
        for path, content in saved.items():
            path.write_bytes(content)
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
