"""The lookups a service desk starts with, loaded idempotently.

`load_defaults(apps)` takes an app registry so the same code runs from a data
migration (historical models) and from the demo loader (real models). Rows
that exist are left as admins edited them; only missing ones are created.
"""

from datetime import time

STATUSES = [
    # code, name, order, final, resolved, paused, close on save
    ("new", "New", 10, False, False, False, False),
    ("in_progress", "In progress", 20, False, False, False, False),
    ("waiting", "Waiting for response", 30, False, False, True, False),
    ("resolved", "Resolved", 40, False, True, False, False),
    ("closed", "Closed", 50, True, True, False, True),
    ("canceled", "Canceled", 60, True, False, False, True),
    ("reopened", "Reopened", 70, False, False, False, False),
]
# The flags that name a status's role in the rules (cases/migrations/0007 added them):
# new cases start in "new", moving to "in_progress" makes the mover the assignee, a
# customer's reply or low rating reopens into "reopened".
STATUS_ROLES = {"new": "is_initial", "in_progress": "assigns_mover", "reopened": "is_reopen"}
NEXT_STATUSES = {
    "new": ["in_progress", "waiting", "resolved", "canceled"],
    "in_progress": ["waiting", "resolved", "canceled"],
    "waiting": ["in_progress", "resolved", "canceled", "reopened"],
    "resolved": ["closed", "reopened", "in_progress"],
    "closed": [],
    "canceled": [],
    "reopened": ["in_progress", "waiting", "resolved", "canceled"],
}
PRIORITIES = [
    ("critical", "Critical", 1),
    ("high", "High", 2),
    ("medium", "Medium", 3),
    ("low", "Low", 4),
]
CATEGORIES = [("incident", "Incident"), ("service_request", "Service request")]
SUPPORT_LEVELS = [
    ("1st line", 1, "1st line support"),
    ("2nd line", 2, "2nd line support"),
    ("3rd line", 3, ""),
]
CLOSURE_CODES = [
    "Solved",
    "Solved by workaround",
    "Not reproducible",
    "Duplicate",
    "Canceled by customer",
]
SATISFACTION = [
    (1, "Very dissatisfied", "reopened"),
    (2, "Dissatisfied", "reopened"),
    (3, "Neutral", "closed"),
    (4, "Satisfied", "closed"),
    (5, "Very satisfied", "closed"),
]

TEMPLATES = {
    "case_in_progress": {
        "name": "Case in progress (to the customer)",
        "subject": "[{{ case.number }}] We are working on your case",
        "text_body": (
            "Hello {{ contact_name|default:'there' }},\n\n"
            "{{ agent_name }} has started working on your case {{ case.number }} "
            "“{{ case.subject }}”.\n"
            "{% if resolution_due %}We aim to resolve it by {{ resolution_due }}.\n{% endif %}"
            "\nYou can reply to this email to add information.\n\n"
            "Flowdesk service desk\n"
        ),
        "html_body": (
            "<p>Hello {{ contact_name|default:'there' }},</p>"
            "<p>{{ agent_name }} has started working on your case <strong>{{ case.number }}"
            "</strong> “{{ case.subject }}”.</p>"
            "{% if resolution_due %}<p>We aim to resolve it by <strong>{{ resolution_due }}"
            "</strong>.</p>{% endif %}"
            "<p>You can reply to this email to add information.</p><p>Flowdesk service desk</p>"
        ),
    },
    "case_assignee": {
        "name": "Specifying case assignee",
        "subject": "[{{ case.number }}] Case assigned to {{ assigned_to }}: {{ case.subject }}",
        "text_body": (
            "The case {{ case.number }} “{{ case.subject }}” is now assigned to "
            "{{ assigned_to }}.\n"
            "Priority: {{ case.priority|default:'—' }}\n"
            "{% if resolution_due %}Resolution deadline: {{ resolution_due }}\n{% endif %}"
            "\nOpen the case: {{ url }}\n"
        ),
        "html_body": (
            "<p>The case <strong>{{ case.number }}</strong> “{{ case.subject }}” is now "
            "assigned to {{ assigned_to }}.</p>"
            "<p>Priority: {{ case.priority|default:'—' }}"
            "{% if resolution_due %}<br>Resolution deadline: {{ resolution_due }}{% endif %}</p>"
            '<p><a href="{{ url }}">Open the case</a></p>'
        ),
    },
}

# The customer side: portal messages, resolution with the satisfaction scale,
# the evaluation reminder, cancellation.
TEMPLATES.update(
    {
        "case_portal_message": {
            "name": "New message on the portal (to the customer)",
            "subject": "[{{ case.number }}] New message about your case: {{ case.subject }}",
            "text_body": (
                "Hello {{ contact_name|default:'there' }},\n\n"
                "{{ agent_name }} wrote about your case {{ case.number }} “{{ case.subject }}”:\n\n"
                "{{ body }}\n\n"
                "Read and answer it on the customer portal: {{ portal_url }}\n\n"
                "Flowdesk service desk\n"
            ),
            "html_body": (
                "<p>Hello {{ contact_name|default:'there' }},</p>"
                "<p>{{ agent_name }} wrote about your case <strong>{{ case.number }}</strong> "
                "“{{ case.subject }}”:</p><blockquote>{{ body|linebreaksbr }}</blockquote>"
                '<p><a href="{{ portal_url }}">Read and answer it on the customer portal</a></p>'
                "<p>Flowdesk service desk</p>"
            ),
        },
        "case_resolved": {
            "name": "Case resolved, with the satisfaction scale (to the customer)",
            "subject": "[{{ case.number }}] Your case is resolved: {{ case.subject }}",
            "text_body": (
                "Hello {{ contact_name|default:'there' }},\n\n"
                "{{ agent_name|default:'We' }} resolved your case {{ case.number }} "
                "“{{ case.subject }}”.\n\n"
                "How satisfied are you? Choose a score "
                "(1 = very dissatisfied, 5 = very satisfied):\n"
                "{% for link in rating_links %}  "
                "{{ link.value }} · {{ link.name }}: {{ link.url }}\n"
                "{% endfor %}\n"
                "A score of 1 or 2 reopens the case. You can also reply to this email.\n\n"
                "Flowdesk service desk\n"
            ),
            "html_body": (
                "<p>Hello {{ contact_name|default:'there' }},</p>"
                "<p>{{ agent_name|default:'We' }} resolved your case <strong>{{ case.number }}"
                "</strong> “{{ case.subject }}”.</p><p>How satisfied are you?</p><p>"
                '{% for link in rating_links %}<a href="{{ link.url }}" '
                'style="display:inline-block;'
                "padding:8px 14px;margin:0 4px 4px 0;border:1px solid #c9cfdb;border-radius:6px;"
                'text-decoration:none" title="{{ link.name }}">{{ link.value }}</a>{% endfor %}'
                "</p><p>1 = very dissatisfied, 5 = very satisfied. A score of 1 or 2 reopens the "
                "case.</p><p>Flowdesk service desk</p>"
            ),
        },
        "case_evaluation_reminder": {
            "name": "Reminder to evaluate a resolved case (to the customer)",
            "subject": "[{{ case.number }}] How did we do? {{ case.subject }}",
            "text_body": (
                "Hello {{ contact_name|default:'there' }},\n\n"
                "Your case {{ case.number }} “{{ case.subject }}” was resolved on "
                "{{ resolved_at }}. "
                "It closes on {{ closes_at }} unless you tell us it is not solved.\n\n"
                "Rate the resolution:\n"
                "{% for link in rating_links %}  "
                "{{ link.value }} · {{ link.name }}: {{ link.url }}\n"
                "{% endfor %}\nFlowdesk service desk\n"
            ),
            "html_body": "",
        },
        "case_canceled": {
            "name": "Case canceled (to the customer)",
            "subject": "[{{ case.number }}] Your case was canceled: {{ case.subject }}",
            "text_body": (
                "Hello {{ contact_name|default:'there' }},\n\n"
                "Your case {{ case.number }} “{{ case.subject }}” was canceled"
                "{% if agent_name %} by {{ agent_name }}{% endif %}: it needs no further answer.\n"
                "If it still matters to you, reply to this email and we will open a new case.\n\n"
                "Flowdesk service desk\n"
            ),
            "html_body": "",
        },
    }
)

CUSTOMER_SETTINGS = [
    # code, name, kind, value, description
    (
        "CloseResolvedCases",
        "Automatically close resolved cases",
        "boolean",
        "true",
        "Once a day, close Resolved cases whose evaluation waiting period has ended.",
    ),
    (
        "FirstReevaluationWaitingDays",
        "Number of waiting days to reevaluate resolved case",
        "integer",
        "3",
        "Days after the resolution before the customer is reminded to rate it.",
    ),
    (
        "SecondReevaluationWaitingDays",
        "Number of waiting days after second reminder of resolved case",
        "integer",
        "4",
        "Days after the reminder before the resolved case closes automatically.",
    ),
]

STANDARD_CALENDAR = "Standard working week"


def load_defaults(apps) -> None:
    """Create the default statuses, lookups, message templates and base calendar."""
    CaseStatus = apps.get_model("cases", "CaseStatus")
    # An early migration's historical model may not have the role flags yet.
    has_roles = {f.name for f in CaseStatus._meta.get_fields()} >= set(STATUS_ROLES.values())
    statuses = {}
    for code, name, order, final, resolved, paused, close in STATUSES:
        defaults = {
            "name": name,
            "order": order,
            "is_final": final,
            "is_resolved": resolved,
            "is_paused": paused,
            "close_on_save": close,
        }
        if has_roles and code in STATUS_ROLES:
            defaults[STATUS_ROLES[code]] = True
        statuses[code], _ = CaseStatus.objects.get_or_create(code=code, defaults=defaults)
    for code, targets in NEXT_STATUSES.items():
        status = statuses[code]
        if not status.next_statuses.exists() and targets:
            status.next_statuses.set([statuses[t] for t in targets])

    CasePriority = apps.get_model("cases", "CasePriority")
    for code, name, order in PRIORITIES:
        CasePriority.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    CaseCategory = apps.get_model("cases", "CaseCategory")
    for code, name in CATEGORIES:
        CaseCategory.objects.get_or_create(code=code, defaults={"name": name})

    Group = apps.get_model("auth", "Group")
    SupportLevel = apps.get_model("cases", "SupportLevel")
    for name, order, group_name in SUPPORT_LEVELS:
        group = Group.objects.get_or_create(name=group_name)[0] if group_name else None
        SupportLevel.objects.get_or_create(name=name, defaults={"order": order, "group": group})

    ClosureCode = apps.get_model("cases", "ClosureCode")
    for name in CLOSURE_CODES:
        ClosureCode.objects.get_or_create(name=name)
    SatisfactionLevel = apps.get_model("cases", "SatisfactionLevel")
    for value, name, status_code in SATISFACTION:
        SatisfactionLevel.objects.get_or_create(
            value=value, defaults={"name": name, "status": statuses[status_code]}
        )

    MessageTemplate = apps.get_model("crm", "MessageTemplate")
    for code, fields in TEMPLATES.items():
        MessageTemplate.objects.get_or_create(code=code, defaults=fields)

    WorkCalendar = apps.get_model("cases", "WorkCalendar")
    WorkingDay = apps.get_model("cases", "WorkingDay")
    calendar, created = WorkCalendar.objects.get_or_create(
        name=STANDARD_CALENDAR, defaults={"time_zone": "UTC"}
    )
    if created:
        WorkingDay.objects.bulk_create(
            WorkingDay(calendar=calendar, weekday=d, start=time(9), end=time(18)) for d in range(5)
        )
    SystemSetting = apps.get_model("crm", "SystemSetting")
    SystemSetting.objects.get_or_create(
        code="BaseCalendar",
        defaults={
            "name": "Base calendar",
            "kind": "text",
            "value": STANDARD_CALENDAR,
            "description": "The work calendar case deadlines count working time on when "
            "the service agreement names none.",
        },
    )
    for code, name, kind, value, description in CUSTOMER_SETTINGS:
        SystemSetting.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "value": value, "description": description},
        )
