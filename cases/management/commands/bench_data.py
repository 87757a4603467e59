"""Generate a production-sized database for the list benchmarks (`make bench-lists`).

    manage.py bench_data --cases 100000 --instances 1000000

Rows are generated (seeded random, so two runs build the same data) and written
with PostgreSQL's COPY in batches: this measures reading big lists, not the
services that write one row at a time. Running it again tops up to the
requested counts and never duplicates what is there. It lives in `cases`
because it writes cases, activities and process instances (an app may import
only the apps to its left).
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction

from activities.models import Activity
from cases.models import Case, CaseCategory, CasePriority, CaseStatus
from crm.models import Account, Contact
from processes.models import ProcessDefinition, ProcessInstance
from processes.services import process_import

BENCH_AGENT = "bench-agent"
AGENT_GROUP = "1st line support"
CASE_PREFIX = "BN-"
PROCESS_PREFIX = "bench_data_"
BATCH = 20_000
# The generated history ends here and reaches back two years.
END = datetime(2026, 12, 1, tzinfo=UTC)
SPAN = timedelta(days=730)

WORDS = [
    "printer",
    "vpn",
    "laptop",
    "password",
    "mailbox",
    "invoice",
    "login",
    "screen",
    "network",
    "wifi",
    "monitor",
    "keyboard",
    "license",
    "backup",
    "server",
    "database",
    "report",
    "export",
    "import",
    "slow",
    "error",
    "crash",
    "update",
    "upgrade",
    "access",
    "account",
    "phone",
    "headset",
    "calendar",
    "meeting",
    "badge",
    "door",
    "parking",
    "payroll",
    "contract",
    "shipment",
    "delivery",
    "refund",
    "order",
    "portal",
    "timeout",
    "certificate",
    "disk",
    "storage",
    "quota",
    "sync",
]
STATUS_WEIGHTS = {
    "closed": 55,
    "resolved": 10,
    "canceled": 5,
    "new": 10,
    "in_progress": 12,
    "waiting": 5,
    "reopened": 3,
}
INSTANCE_STATUSES = ["completed"] * 70 + ["running"] * 20 + ["error"] * 5 + ["canceled"] * 5


class Command(BaseCommand):
    help = "Generate N cases, their activities and M process instances for the list benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--instances", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=17)

    def handle(self, *args, cases, instances, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_data writes with COPY: it needs PostgreSQL.")
        if not 0 <= cases <= 5_000_000 or not 0 <= instances <= 20_000_000:
            raise CommandError("--cases at most 5,000,000 and --instances at most 20,000,000.")
        rng = random.Random(seed)
        people = self._people()
        started = time.perf_counter()
        made = self._cases(cases, people, rng)
        self.stdout.write(f"cases: {made} added ({time.perf_counter() - started:.1f}s)")
        started = time.perf_counter()
        made = self._instances(instances, people, rng)
        self.stdout.write(f"process instances: {made} added ({time.perf_counter() - started:.1f}s)")
        with connection.cursor() as cursor:
            for model in (Case, Activity, ProcessInstance, Contact, Account):
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')

    # ------------------------------------------------------------------ people

    def _people(self) -> dict:
        User = get_user_model()
        group = Group.objects.get_or_create(name=AGENT_GROUP)[0]
        second = Group.objects.get_or_create(name="2nd line support")[0]
        agent, made = User.objects.get_or_create(
            username=BENCH_AGENT, defaults={"first_name": "Bench", "last_name": "Agent"}
        )
        if made:
            agent.set_password(BENCH_AGENT)
            agent.save(update_fields=["password"])
        agent.groups.add(group)
        agents = [agent]
        for i in range(29):
            user, _ = User.objects.get_or_create(
                username=f"bench-agent-{i:02d}",
                defaults={"first_name": "Agent", "last_name": f"{i:02d}"},
            )
            user.groups.add(group if i % 2 else second)
            agents.append(user)
        return {"agents": [a.pk for a in agents], "groups": [group.pk, second.pk]}

    # ------------------------------------------------------------------ cases

    def _cases(self, wanted: int, people: dict, rng: random.Random) -> int:
        have = Case.objects.filter(number__startswith=CASE_PREFIX).count()
        if have >= wanted:
            return 0
        accounts = self._accounts(max(wanted // 50, 10))
        contacts = self._contacts(max(wanted // 5, 10), accounts)
        statuses = {s.code: s.pk for s in CaseStatus.objects.all()}
        if not statuses or not set(STATUS_WEIGHTS) <= set(statuses):
            raise CommandError("Case statuses are missing: run `manage.py migrate` first.")
        status_pool = [statuses[c] for c, w in STATUS_WEIGHTS.items() for _ in range(w)]
        final = set(CaseStatus.objects.filter(is_resolved=True).values_list("pk", flat=True)) | set(
            CaseStatus.objects.filter(is_final=True).values_list("pk", flat=True)
        )
        priorities = list(CasePriority.objects.values_list("pk", flat=True)) or [None]
        categories = list(CaseCategory.objects.values_list("pk", flat=True)) or [None]
        agents, groups = people["agents"], people["groups"]
        case_type = ContentType.objects.get_for_model(Case)
        start_number = have
        for first in range(start_number, wanted, BATCH):
            case_rows, activity_rows = [], []
            for n in range(first, min(first + BATCH, wanted)):
                registered = (
                    END
                    - SPAN
                    + SPAN * (n / max(wanted, 1))
                    + timedelta(seconds=rng.randint(0, 600))
                )
                status = rng.choice(status_pool)
                assignee = rng.choice(agents) if rng.random() < 0.85 else None
                words = rng.sample(WORDS, 4)
                subject = f"{words[0].capitalize()} {words[1]}: {words[2]} {words[3]}"
                resolved = status in final
                contact = rng.choice(contacts)
                case_rows.append(
                    {
                        "number": f"{CASE_PREFIX}{n + 1:07d}",
                        "subject": subject,
                        "description": f"Generated case {n + 1}: {' '.join(rng.sample(WORDS, 8))}.",
                        "category_id": rng.choice(categories),
                        "priority_id": rng.choice(priorities),
                        "status_id": status,
                        "contact_id": contact[0],
                        "account_id": contact[1],
                        "assignee_id": assignee,
                        "assignee_group_id": rng.choice(groups) if rng.random() < 0.9 else None,
                        "registered_at": registered,
                        "response_due": registered + timedelta(hours=4),
                        "resolution_due": registered + timedelta(days=rng.randint(1, 5)),
                        "responded_at": registered + timedelta(hours=1) if resolved else None,
                        "resolved_at": registered + timedelta(days=1) if resolved else None,
                        "postponed_until": (
                            END + timedelta(days=rng.randint(1, 9))
                            if not resolved and rng.random() < 0.02
                            else None
                        ),
                        "created_at": registered,
                        "modified_at": registered,
                    }
                )
                owner = assignee if rng.random() < 0.8 else None
                start = registered + timedelta(hours=rng.randint(1, 48))
                activity_rows.append(
                    {
                        "title": f"Call back about {subject}",
                        "kind": "call" if n % 3 else "task",
                        "status": "completed" if resolved else "open",
                        "owner_id": owner,
                        "owner_role_id": None if owner else rng.choice(groups),
                        "start_at": start,
                        "due_at": start + timedelta(minutes=30),
                        "completed_at": start + timedelta(minutes=30) if resolved else None,
                        "record_type_id": case_type.pk,
                        "record_label": f"{CASE_PREFIX}{n + 1:07d}",
                        "contact_id": contact[0],
                        "account_id": contact[1],
                        "created_at": registered,
                        "modified_at": registered,
                    }
                )
            with transaction.atomic():
                copy_rows(Case, case_rows)
                # Activities point at their case by id; the numbers say which.
                ids = dict(
                    Case.objects.filter(
                        number__in=[row["number"] for row in case_rows]
                    ).values_list("number", "pk")
                )
                for row in activity_rows:
                    row["record_id"] = str(ids[row["record_label"]])
                    row["record_url"] = f"/cases/{row['record_id']}/"
                copy_rows(Activity, activity_rows)
            self.stdout.write(f"  cases {min(first + BATCH, wanted)}/{wanted}")
        return wanted - have

    def _accounts(self, wanted: int) -> list[int]:
        have = Account.objects.filter(name__startswith="Bench account ").count()
        copy_rows(
            Account,
            [
                {"name": f"Bench account {n:06d}", "city": "Springfield"}
                for n in range(have, wanted)
            ],
        )
        return list(
            Account.objects.filter(name__startswith="Bench account ").values_list("pk", flat=True)
        )

    def _contacts(self, wanted: int, accounts: list[int]) -> list[tuple[int, int]]:
        existing = Contact.objects.filter(email__endswith="@bench.example")
        have = existing.count()
        first_names = [
            "Ada",
            "Ben",
            "Cleo",
            "Dan",
            "Eva",
            "Finn",
            "Gita",
            "Hugo",
            "Iris",
            "Jon",
            "Kai",
            "Lena",
            "Max",
            "Nora",
            "Omar",
        ]
        last_names = [
            "Smith",
            "Novak",
            "Garcia",
            "Chen",
            "Müller",
            "Rossi",
            "Kowalski",
            "Dubois",
            "Silva",
            "Berg",
        ]
        copy_rows(
            Contact,
            [
                {
                    "full_name": f"{first_names[n % 15]} {last_names[n // 15 % 10]} {n}",
                    "email": f"contact{n}@bench.example",
                    "account_id": accounts[n % len(accounts)],
                }
                for n in range(have, wanted)
            ],
        )
        return list(existing.values_list("pk", "account_id"))

    # ------------------------------------------------------------------ instances

    def _instances(self, wanted: int, people: dict, rng: random.Random) -> int:
        definitions = []
        for i in range(10):
            code = f"{PROCESS_PREFIX}{i}"
            if not ProcessDefinition.objects.filter(code=code).exists():
                process_import(data=_bpmn(code, i))
            definition = ProcessDefinition.objects.get(code=code)
            definitions.append((definition.pk, definition.versions.order_by("-number")[0].pk))
        have = ProcessInstance.objects.filter(definition_id__in=[d for d, _ in definitions]).count()
        agents = people["agents"]
        for first in range(have, wanted, BATCH * 5):
            rows = []
            for n in range(first, min(first + BATCH * 5, wanted)):
                definition, version = definitions[n % len(definitions)]
                started = END - SPAN + SPAN * (n / max(wanted, 1))
                status = rng.choice(INSTANCE_STATUSES)
                finished = status in {"completed", "canceled"}
                took = timedelta(seconds=rng.randint(5, 7200))
                rows.append(
                    {
                        "definition_id": definition,
                        "version_id": version,
                        "status": status,
                        "started_by_id": rng.choice(agents),
                        "started_at": started,
                        "completed_at": started + took if finished else None,
                        "duration": took if finished else None,
                        "error": "Generated failure" if status == "error" else "",
                        "next_step_no": 3,
                    }
                )
            with transaction.atomic():
                copy_rows(ProcessInstance, rows)
            self.stdout.write(f"  instances {min(first + BATCH * 5, wanted)}/{wanted}")
        return max(wanted - have, 0)


def copy_rows(model: type[models.Model], rows: list[dict]) -> None:
    """COPY rows into the model's table; columns a row leaves out take the field's default."""
    if not rows:
        return
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.name not in rows[0])
    ]
    names = [f.attname for f in fields]
    defaults = {}
    for field in fields:
        if field.attname in rows[0]:
            continue
        if field.has_default():
            defaults[field.attname] = _db_value(field, field.get_default())
        elif field.null:
            defaults[field.attname] = None
        elif isinstance(field, models.DateTimeField):
            defaults[field.attname] = END
        else:
            defaults[field.attname] = ""
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[n])
                        if n in json_fields and n in row
                        else row.get(n)
                        if n in row
                        else defaults[n]
                        for n in names
                    ]
                )


def _db_value(field, value):
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


def _bpmn(code: str, i: int) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{code}"
  targetNamespace="https://flowdesk.dev/bench">
  <bpmn:process id="{code}" name="Bench process {i}" isExecutable="true">
    <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>""".encode()
