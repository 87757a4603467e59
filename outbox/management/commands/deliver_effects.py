from django.core.management.base import BaseCommand

from outbox.services import effects_deliver_due


class Command(BaseCommand):
    help = "Carry out every pending effect whose time has come (what beat runs every few seconds)."

    def handle(self, *args, **options):
        tried = effects_deliver_due()
        self.stdout.write(f"{tried} effect(s) tried")
