"""`manage.py bpmn_check PATH...`: would these BPMN files run in Flowdesk, and how?

For each file (folders are searched for *.bpmn and *.bpmn20.xml) one line:

    OK <file>: <processes>
    BLOCKED <file>: <the tasks that have nothing to run yet>
    REFUSED <file>: <the element and what is unsupported or invalid>
    CRASHED <file>: <the exception> (a defect in Flowdesk: please report it)

then the vendor extensions Flowdesk ignores in it, and a last line
`imported N of M (P%), blocked B, refused R, crashed C`, where N counts the
files that import (OK and BLOCKED). Nothing is written to the database.
`--deployed` takes every process of the given trees as deployed, so that calls
between files resolve; without it, calls resolve against the processes this
installation has deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from processes import call_chains
from processes.engine.bindings import unbound_tasks
from processes.engine.bpmn import BpmnImportError, list_process_ids, parse_bpmn
from processes.engine.bpmn.vendor import MAX_FORM_SCHEMA_BYTES
from processes.models import ProcessDefinition

PATTERNS = ("*.bpmn", "*.bpmn20.xml")


@dataclass
class Verdict:
    path: Path
    status: str = "OK"
    reason: str = ""
    ignored: list[str] = field(default_factory=list)
    calls: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def bpmn_files(paths: list[Path]) -> list[Path]:
    """The files named, and the BPMN files under the folders named, each once, sorted."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for pattern in PATTERNS:
                found.update(p for p in path.rglob(pattern) if p.is_file())
        elif path.is_file():
            found.add(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    return sorted(found)


class FilesBeside(Mapping):
    """The files beside a model, by bare name, read when asked (JSON-schema forms)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __getitem__(self, name: str) -> str:
        candidate = self.folder / name
        if Path(name).name != name or not candidate.is_file():
            raise KeyError(name)
        if candidate.stat().st_size > MAX_FORM_SCHEMA_BYTES:
            raise KeyError(name)
        return candidate.read_text(encoding="utf-8", errors="replace")

    def __iter__(self):
        return (p.name for p in self.folder.glob("*.json"))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def check_file(path: Path, known: set[str]) -> Verdict:
    """Import one file in memory and judge it (circles between files come later)."""
    verdict = Verdict(path)
    try:
        data = path.read_bytes()
        document = parse_bpmn(data, known_processes=known, form_schemas=FilesBeside(path.parent))
        if not document.processes:
            raise BpmnImportError(None, "the file holds no executable process")
        unbound = []
        for graph in document.processes:
            verdict.calls[graph.id] = call_chains.calls_of(graph)
            unbound.extend(unbound_tasks(graph))
            verdict.ignored.extend(_ignored(graph))
        if unbound:
            verdict.status = "BLOCKED"
            verdict.reason = "cannot be activated until bound: " + "; ".join(
                u.describe() for u in unbound
            )
        else:
            verdict.reason = ", ".join(graph.id for graph in document.processes)
    except BpmnImportError as exc:
        verdict.status, verdict.reason = "REFUSED", str(exc)
    except OSError as exc:
        verdict.status, verdict.reason = "REFUSED", f"cannot be read: {exc.strerror}"
    except Exception as exc:  # noqa: BLE001 - a crash is what this report exists to find
        verdict.status, verdict.reason = "CRASHED", f"{type(exc).__name__}: {exc}"
    return verdict


def _ignored(graph) -> list[str]:
    """'camunda:executionListener (start, task1): listeners do not run ...', one per
    ignored extension and reason."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for note in graph.vendor_notes:
        if note.treatment == "ignored":
            elements = grouped.setdefault((note.extension, note.reason), [])
            if note.element_id not in elements:
                elements.append(note.element_id)
    return [
        f"{extension} ({', '.join(elements[:5])}{', ...' if len(elements) > 5 else ''}): {reason}"
        for (extension, reason), elements in grouped.items()
    ]


class Command(BaseCommand):
    help = (
        "Check BPMN files (or folders of them) for import into Flowdesk, without writing "
        "anything: OK, BLOCKED (imports, cannot be activated until bound), REFUSED or CRASHED."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument(
            "--deployed",
            action="store_true",
            help="Take every process of the given trees as deployed, so calls between files "
            "resolve.",
        )
        parser.add_argument("--summary", action="store_true", help="Print the last line only.")

    def handle(self, *args, paths, deployed, summary, **options):
        files = bpmn_files(paths)
        known: set[str] = set()
        deployed_calls: dict[str, list[tuple[str, str]]] = {}
        if deployed:
            for path in files:
                try:
                    known.update(list_process_ids(path.read_bytes()))
                except (BpmnImportError, OSError):
                    continue
                except Exception:  # noqa: BLE001, S112 - the file's own check reports it
                    continue
        else:
            try:
                known.update(ProcessDefinition.objects.values_list("code", flat=True))
                deployed_calls = call_chains.deployed_calls()
            except DatabaseError:
                self.stderr.write("No database: calls resolve within each file only.")
        verdicts = [check_file(path, known) for path in files]
        calls = dict(deployed_calls)
        for verdict in verdicts:
            calls.update(verdict.calls)
        counts = {"OK": 0, "BLOCKED": 0, "REFUSED": 0, "CRASHED": 0}
        for verdict in verdicts:
            if verdict.status in ("OK", "BLOCKED"):
                _refuse_circles(verdict, calls)
            counts[verdict.status] += 1
            if summary:
                continue
            self.stdout.write(f"{verdict.status} {verdict.path}: {verdict.reason}")
            for line in verdict.ignored:
                self.stdout.write(f"    ignored {line}")
        total = len(verdicts)
        imported = counts["OK"] + counts["BLOCKED"]
        percent = round(100 * imported / total, 1) if total else 0.0
        self.stdout.write(
            f"imported {imported} of {total} ({percent}%), blocked {counts['BLOCKED']}, "
            f"refused {counts['REFUSED']}, crashed {counts['CRASHED']}"
        )


def _refuse_circles(verdict: Verdict, calls: dict[str, list[tuple[str, str]]]) -> None:
    """Flowdesk refuses a process that calls itself, directly or through others."""
    for process_id in verdict.calls:
        found = call_chains.find_circle(process_id, calls)
        if found is not None:
            chain, element_id = found
            verdict.status = "REFUSED"
            verdict.reason = (
                f"Element '{element_id}' (callActivity): {call_chains.describe(chain)}: "
                "a process may not call itself, directly or through others"
            )
            return
