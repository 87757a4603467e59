"""Demo processes for `make run`: a few processes and instances in every state.

Idempotent: a process is imported only when its code is missing, and its
instances are made only when it has none. Everything goes through the
services, so the rows are exactly what the engine writes. Finished instances
are run under a frozen clock set in the past, so durations and statistics
look like a real week.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone

from crm import demo
from crm.models import Contact
from processes import clock, registry, services
from processes.models import ProcessDefinition, ProcessInstance, Step

BPMN_DIR = Path(__file__).parent / "demo_bpmn"

FILES = {
    "demo_expense_approval": "expense_approval.bpmn",
    "demo_budget_split": "budget_split.bpmn",
    "demo_customer_onboarding": "customer_onboarding.bpmn",
    "demo_contact_follow_up": "contact_follow_up.bpmn",
}


def _import_missing(user) -> None:
    known = set(ProcessDefinition.objects.values_list("code", flat=True))
    for code, filename in FILES.items():
        if code not in known:
            services.process_import(data=(BPMN_DIR / filename).read_bytes(), user=user)
    # Trace data is a definition setting: the budget process keeps what each step saw.
    ProcessDefinition.objects.filter(code="demo_budget_split", tracing=False).update(tracing=True)


def _has_instances(code: str) -> bool:
    return ProcessInstance.objects.filter(definition__code=code).exists()


def _waiting_user_step(instance) -> int | None:
    return (
        Step.objects.filter(instance=instance, status="waiting", is_user_step=True)
        .values_list("number", flat=True)
        .first()
    )


def _expenses(users, rng: random.Random) -> None:
    if _has_instances("demo_expense_approval"):
        return
    now = timezone.now()
    for index in range(14):
        user = users[index % len(users)]
        started = now - timedelta(days=7 - index * 0.45, hours=rng.randint(0, 5))
        with clock.frozen_at(started):
            instance = services.instance_start(
                code="demo_expense_approval",
                variables={
                    "amount": rng.choice([45, 120, 380, 640, 1250]),
                    "reason": rng.choice(["Travel", "Team lunch", "Software", "Hardware"]),
                },
                user=user,
                run_now=True,
            )
            if index >= 12:
                continue  # the last two still wait for their approver
            clock.advance(timedelta(minutes=rng.choice([4, 9, 15, 26, 38, 55, 90, 240])))
            number = _waiting_user_step(instance)
            if number is not None:
                services.step_complete(
                    instance_id=instance.pk,
                    step_number=number,
                    user=users[0],
                    variables={"answer": "No" if index % 5 == 4 else "Yes"},
                    result="No" if index % 5 == 4 else "Yes",
                )


def _budgets(users) -> None:
    if _has_instances("demo_budget_split"):
        return
    now = timezone.now()
    samples = [(12000, 4), (800, 3), (4500, 9), (2400, 0)]  # the last one fails: 0 people
    for index, (budget, people) in enumerate(samples):
        with clock.frozen_at(now - timedelta(hours=30 - index * 7)):
            services.instance_start(
                code="demo_budget_split",
                variables={"budget": budget, "people": people},
                user=users[index % len(users)],
                run_now=True,
            )


def _onboardings(users) -> None:
    if _has_instances("demo_customer_onboarding"):
        return
    for customer, seats in (("Northwind Traders", 25), ("Globex", 120)):
        # Stepped after commit: the called "Size an account" runs as a child instance.
        services.instance_start(
            code="demo_customer_onboarding",
            variables={"customer": customer, "seats": seats},
            user=users[0],
        )


@demo.register(order=50)
def load_processes():
    User = get_user_model()
    users = list(
        User.objects.filter(username__in=["admin", "supervisor", "agent1"]).order_by("username")
    )
    admin = next((u for u in users if u.username == "admin"), None)
    if admin is None:
        return
    users = [admin, *[u for u in users if u.pk != admin.pk]]
    _import_missing(admin)
    rng = random.Random(50)  # noqa: S311 - demo data, not security
    _expenses(users, rng)
    _budgets(users)
    _onboardings(users)
    _follow_ups()


def _follow_ups() -> None:
    """Two running "Follow up a contact" instances for agent1: a proposal email and a
    postponed call wait in their Business process tasks tab, and a call back sits in
    their calendar. Run the process from any contact page to see the pages open live."""
    if _has_instances("demo_contact_follow_up"):
        return
    agent = get_user_model().objects.filter(username="agent1").first()
    contacts = list(Contact.objects.order_by("pk")[:3])
    if agent is None or len(contacts) < 3:
        return

    def run(contact, answers):
        instance = services.instance_start(
            code="demo_contact_follow_up",
            user=agent,
            record=contact,
            variables={"record": registry.record_values(contact)},
            run_now=True,
        )
        for variables, result in answers:
            number = _waiting_user_step(instance)
            services.step_complete(
                instance_id=instance.pk,
                step_number=number,
                user=agent,
                variables=variables,
                result=result,
            )
        return instance

    # Interested: details saved, proposal planned; the proposal email waits in the panel.
    run(
        contacts[0],
        [
            ({"call_outcome": "Interested"}, "Interested"),
            ({}, ""),
            ({"budget": 18000, "button": "Send proposal"}, "Send proposal"),
        ],
    )
    # Not now: "Call again next month" is an activity, postponed to a day this week.
    later = run(contacts[1], [({"call_outcome": "Not now"}, "Not now")])
    step = Step.objects.filter(instance=later, status="waiting", is_user_step=True).first()
    if step is not None:
        when = (timezone.localtime() + timedelta(days=2)).replace(
            hour=10, minute=30, second=0, microsecond=0
        )
        services.step_postpone(
            instance_id=later.pk, step_number=step.number, user=agent, until=when
        )
    # Interested and sent: "Call back about the proposal" is an activity due today.
    run(
        contacts[2],
        [
            ({"call_outcome": "Interested"}, "Interested"),
            ({}, ""),
            ({"budget": 5000, "button": "Send proposal"}, "Send proposal"),
            ({"email_to": [contacts[2].email]}, ""),
        ],
    )
