from django.conf import settings
from django.core.management.base import BaseCommand

from outbox.retention import history_prune


class Command(BaseCommand):
    help = (
        "Delete finished operational rows (done effects, finished webhook deliveries and "
        "their attempts, finished kept messages) older than FLOWDESK_RETAIN_DAYS; what the "
        "daily job runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="count the rows per table that would be deleted, and delete nothing",
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.FLOWDESK_RETAIN_DAYS
        if not days:
            self.stdout.write("FLOWDESK_RETAIN_DAYS is 0: history is kept forever")
            return
        counts = history_prune(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for table, count in sorted(counts.items()):
            self.stdout.write(f"{table}: {verb} {count} row(s) older than {days} days")
