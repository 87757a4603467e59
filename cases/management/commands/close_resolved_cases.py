from django.core.management.base import BaseCommand

from cases.closing import cases_close_resolved


class Command(BaseCommand):
    help = (
        "Remind customers to rate resolved cases and close those whose evaluation "
        "waiting period has ended (system settings FirstReevaluationWaitingDays, "
        "SecondReevaluationWaitingDays, CloseResolvedCases)."
    )

    def handle(self, *args, **options):
        counts = cases_close_resolved()
        self.stdout.write(f"reminded {counts['reminded']}, closed {counts['closed']}")
