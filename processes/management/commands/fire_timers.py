from django.core.management.base import BaseCommand

from processes.services import instances_resume_stuck, timers_fire_due


class Command(BaseCommand):
    help = "Fire due process timers and resume instances left with ready steps (cron-friendly)."

    def handle(self, *args, **options):
        fired = timers_fire_due()
        resumed = instances_resume_stuck()
        self.stdout.write(f"fired {fired} timer(s), resumed {resumed} instance(s)")
