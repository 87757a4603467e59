from django.core.management.base import BaseCommand

from processes.services import steps_release_postponed


class Command(BaseCommand):
    help = "Announce user steps whose postponement has passed, so panels count them again."

    def handle(self, *args, **options):
        released = steps_release_postponed()
        self.stdout.write(f"released {released} postponed step(s)")
