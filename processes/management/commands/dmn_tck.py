"""``manage.py dmn_tck PATH``: run the DMN TCK test cases under PATH and print the results.

A thin command-line face of `processes.engine.dmn.tck`; it touches no database.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from processes.engine.dmn.tck import run_folder_tree


class Command(BaseCommand):
    help = "Run DMN TCK test cases (a TestCases-style folder tree) and print PASS/FAIL per result."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder of TCK test cases (searched recursively)")

    def handle(self, *args, **options):
        root = Path(options["path"])
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder")
        passed = failed = 0
        started = time.monotonic()
        for result in run_folder_tree(root):
            self.stdout.write(result.line())
            if result.passed:
                passed += 1
            else:
                failed += 1
        elapsed = time.monotonic() - started
        self.stderr.write(f"ran in {elapsed:.1f} s")
        self.stdout.write(f"{passed} passed, {failed} failed")
