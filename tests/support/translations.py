"""Every marked string has a German translation.

`python -m tests.support.translations` copies the sources and locale/ to a temporary
directory, runs `manage.py makemessages -l de` there (the repository is left as it is),
and exits 1 naming every msgid whose German msgstr is empty or marked fuzzy: a string
marked after the .po was last updated is missing too. `make lint` and .ci/run run it.

To bring locale/de/LC_MESSAGES/django.po up to date, then translate what it names:

    DEBUG=1 .venv/bin/python manage.py makemessages -l de \\
        --ignore=.venv --ignore=node_modules --ignore=static/vendor
"""

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("de",)
DOMAINS = ("django", "djangojs")
# What makemessages reads (py, html, txt; js for djangojs) and the catalogues themselves.
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js", ".po"}
SKIPPED = {".git", ".venv", "node_modules", "var", "__pycache__", "test-artifacts", "vendor"}
IGNORE = ("--ignore=.venv", "--ignore=node_modules", "--ignore=static/vendor")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"{self.msgid!r}{context}"

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (blocks between blank lines, as gettext writes them),
    the header and obsolete (#~) entries left out."""
    entries = []
    for block in text.split("\n\n"):
        entry, target = Entry(), None
        for line in (raw.strip() for raw in block.splitlines()):
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                target.append(ast.literal_eval(line))
            else:
                keyword, _, value = line.partition(" ")
                target = [ast.literal_eval(value)]
                if keyword == "msgctxt":
                    entry.msgctxt = target
                elif keyword == "msgid":
                    entry.msgid = target
                elif keyword == "msgid_plural":
                    entry.msgid_plural = target
                else:  # msgstr or msgstr[n]
                    entry.msgstr.append(target)
        entry.msgid = "".join(entry.msgid)
        entry.msgid_plural = "".join(entry.msgid_plural)
        if entry.msgctxt is not None:
            entry.msgctxt = "".join(entry.msgctxt)
        entry.msgstr = ["".join(parts) for parts in entry.msgstr]
        if entry.msgid:
            entries.append(entry)
    return entries


def untranslated(po_text: str) -> list[Entry]:
    """Entries with an empty msgstr (or an empty plural form) or marked fuzzy."""
    return [entry for entry in parse_po(po_text) if not entry.translated]


def _copy_sources(destination: Path) -> None:
    def ignore(directory, names):
        skipped = {n for n in names if n in SKIPPED}
        for name in names:
            path = Path(directory, name)
            if path.is_file() and path.suffix not in SOURCE_SUFFIXES:
                skipped.add(name)
        return skipped

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=False, dirs_exist_ok=True)


def fresh_catalogues(work: Path, extra: dict[str, str] | None = None) -> dict[tuple[str, str], str]:
    """Run makemessages on a copy of the sources (plus `extra` files, path: text); the
    merged .po texts by (language, domain)."""
    _copy_sources(work)
    for relative, text in (extra or {}).items():
        (work / relative).write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bpm_project.settings",
        "DEBUG": "1",
        "PYTHONPATH": str(work),
    }
    for name in ("DATABASE_URL", "REDIS_URL"):  # makemessages needs neither
        env.pop(name, None)
    catalogues = {}
    for domain in DOMAINS:
        if domain == "djangojs" and not any(
            (work / "locale" / language / "LC_MESSAGES" / "djangojs.po").exists()
            for language in LANGUAGES
        ):
            continue  # no JavaScript catalogue ships: the scripts mark no strings
        languages = [arg for language in LANGUAGES for arg in ("-l", language)]
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-d", domain, *languages, *IGNORE],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
        )
        for language in LANGUAGES:
            po = work / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            catalogues[language, domain] = po.read_text(encoding="utf-8") if po.exists() else ""
    return catalogues


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="flowdesk-messages-") as work:
        catalogues = fresh_catalogues(Path(work))
    problems = 0
    for (language, domain), text in sorted(catalogues.items()):
        missing = untranslated(text)
        if not text:
            print(f"locale/{language}/LC_MESSAGES/{domain}.po: missing")
            problems += 1
        for entry in missing:
            print(f"{language} {domain}: no translation for {entry.label}")
        problems += len(missing)
        if not missing:
            print(f"{language} {domain}: {len(parse_po(text))} strings, every one translated")
    if problems:
        print(
            f"{problems} untranslated (or fuzzy) string(s). Update the catalogue with "
            "`DEBUG=1 .venv/bin/python manage.py makemessages -l de --ignore=.venv "
            "--ignore=node_modules --ignore=static/vendor` and translate them."
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
