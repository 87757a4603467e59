from django.core.management.base import BaseCommand

from crm import demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        self.stdout.write("Loading demo data...")
        demo.load_all(self.stdout)
        self.stdout.write(self.style.SUCCESS("\nFlowdesk is ready at http://127.0.0.1:8000"))
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for login in demo.logins():
            self.stdout.write(f"  {login.username:<12} {login.role}")
