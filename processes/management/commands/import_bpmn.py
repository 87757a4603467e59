from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from processes.engine.bpmn import BpmnImportError
from processes.services import process_import


class Command(BaseCommand):
    help = "Import BPMN 2.0 files; each executable process becomes a new version."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--inactive", action="store_true", help="Import new processes as inactive."
        )

    def handle(self, *args, files, inactive, **options):
        for path in files:
            try:
                versions = process_import(data=path.read_bytes(), activate=not inactive)
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
            except BpmnImportError as exc:
                raise CommandError(f"{path}: {exc}") from exc
            for version in versions:
                self.stdout.write(f"{path.name}: {version.definition.code} v{version.number}")
