from django.core.management.base import BaseCommand, CommandError

from processes.archive import instances_archive


class Command(BaseCommand):
    help = (
        "Archive finished process instances older than FLOWDESK_ARCHIVE_AFTER_DAYS "
        "(the Process log shows them on request)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="age in days (default: the FLOWDESK_ARCHIVE_AFTER_DAYS setting)",
        )

    def handle(self, *args, older_than_days=None, **options):
        if older_than_days is not None and not 0 <= older_than_days <= 36500:
            raise CommandError("--older-than-days is a number of days from 0 to 36500.")
        archived = instances_archive(older_than_days=older_than_days)
        self.stdout.write(f"archived {archived} instance(s)")
