"""Demo data of the knowledge base: a few articles, and the article process
(inactive) in the Process library. Idempotent."""

from crm import demo
from knowledge import services
from knowledge.models import KnowledgeArticle

ARTICLES = [
    (
        "Resetting a forgotten password",
        "Open the sign-in page and choose “Forgot password”. The reset link is valid for 30 "
        "minutes; if it expired, ask for a new one. Accounts lock after five failed attempts "
        "and unlock themselves after 15 minutes.",
    ),
    (
        "Connecting to the VPN from a new device",
        "Install the VPN client from the self-service portal, sign in with your usual "
        "account and approve the push notification. If the gateway refuses the device, "
        "send its name to support so it can be added to the VPN group.",
    ),
    (
        "Downloading invoices as PDF",
        "Invoices are under Billing → Documents. If the download button stays grey, allow "
        "pop-ups for the portal's address, or use the “Send by email” action instead.",
    ),
    (
        "Shared calendars on phones",
        "Remove the account from the phone, add it again as an Exchange account, and turn "
        "on calendar sync. Shared calendars appear within 15 minutes.",
    ),
]


@demo.register(order=58)
def load_articles():
    services.kb_definition()  # the article process, inactive, in the Process library
    for title, body in ARTICLES:
        KnowledgeArticle.objects.get_or_create(title=title, defaults={"body": body})
