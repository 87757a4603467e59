from django.core.management.base import BaseCommand

from cases.correspondence import inbound


class Command(BaseCommand):
    help = (
        "Read new email to the support address (the INBOUND_MAILDIR Maildir, and IMAP "
        "when IMAP_HOST is set) into cases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--maildir", help="Read this Maildir instead of INBOUND_MAILDIR.")

    def handle(self, *args, **options):
        if options.get("maildir"):
            report = inbound.fetch_maildir(options["maildir"])
        else:
            report = inbound.fetch_mail()
        self.stdout.write(
            f"stored {report.stored}, duplicates {report.duplicates}, "
            f"kept aside {report.quarantined}"
        )
        for reason in report.reasons:
            self.stderr.write(f"kept aside: {reason}")
