"""Cases, contacts, accounts and activities.

Input is checked by the same forms the pages use and written by the same services,
so a value the page refuses the API refuses too (400 naming the field).
"""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from activities import selectors as activity_selectors
from activities import services as activity_services
from activities.forms import ActivityCreateForm, ScheduleForm
from activities.models import Activity
from api.endpoints.pagination import Pages
from api.idempotency import create_once
from api.problems import BadInput
from cases import assignment as case_assignment
from cases import resolution
from cases import selectors as case_selectors
from cases import services as case_services
from cases.correspondence import messages as correspondence
from cases.forms import CaseEditForm, CaseForm, NoteForm, ReassignForm
from cases.models import Case, CasePriority, CaseStatus
from crm import services as crm_services
from crm.forms import AccountForm, ContactForm
from crm.models import Account, Contact

router = Router()


def _valid(form):
    """The form's cleaned data, or 400 naming the first field it refused."""
    if form.is_valid():
        return form.cleaned_data
    errors = [
        {"field": name if name != "__all__" else None, "detail": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]
    first = errors[0]
    raise FormRefused(first["field"], first["detail"], errors)


class FormRefused(BadInput):
    def __init__(self, field, detail, errors):
        super().__init__(field, detail)
        self.errors = errors


# ---------------------------------------------------------------- schemas


class ContactIn(Schema):
    full_name: str
    email: str = ""
    phone: str = ""
    job_title: str = ""
    account: int | None = None
    owner: int | None = None
    notes: str = ""


class ContactOut(Schema):
    id: int
    full_name: str
    email: str
    phone: str
    job_title: str
    account_id: int | None
    owner_id: int | None
    notes: str
    created_at: datetime
    modified_at: datetime


class AccountIn(Schema):
    name: str
    industry: str = ""
    phone: str = ""
    web: str = ""
    city: str = ""
    owner: int | None = None


class AccountOut(Schema):
    id: int
    name: str
    industry: str
    phone: str
    web: str
    city: str
    owner_id: int | None
    created_at: datetime
    modified_at: datetime


class CaseIn(Schema):
    subject: str
    description: str = ""
    contact: int | None = None
    account: int | None = None
    category: int | None = None
    priority: int | None = None
    service_agreement: int | None = None
    service: int | None = None
    configuration_item: int | None = None
    support_level: int | None = None
    assignee: int | None = None
    assignee_group: int | None = None


class CaseOut(Schema):
    id: int
    number: str | None
    subject: str
    description: str
    status: str = Field(validation_alias="status.code")
    category_id: int | None
    priority_id: int | None
    contact_id: int | None
    account_id: int | None
    assignee_id: int | None
    assignee_group_id: int | None
    tags: list[int] = Field(description="The ids of the case's tags.")
    registered_at: datetime | None
    resolution_due: datetime | None

    @staticmethod
    def resolve_tags(case) -> list[int]:
        return sorted(tag.pk for tag in case.tags.all())


class CaseUpdateIn(Schema):
    """The case page's profile, edited in place; a field left out stays as it is."""

    subject: str = Field(None, max_length=300)
    description: str = None
    contact: int | None = None
    account: int | None = None
    priority: int = None
    assignee: int | None = Field(None, description="A user id; null: nobody.")
    assignee_group: int | None = Field(None, description="A group id; null: none.")
    tags: list[int] = Field(None, max_length=100, description="Tag ids: the whole new set.")


class StatusIn(Schema):
    status: str = Field(description="The code of the status to move to.")
    tasks: str = Field(
        "",
        description="Open tasks when resolving: complete, cancel or leave.",
    )


class MessageIn(Schema):
    channel: Literal["email", "portal"]
    body: str
    subject: str = ""


class MessageOut(Schema):
    id: int
    channel: str
    direction: str
    subject: str
    body: str
    to: list[str]
    created_at: datetime


class AssignmentIn(Schema):
    assignee: int | None = Field(None, description="A user id; null: nobody.")
    assignee_group: int | None = Field(None, description="A group id; null: none.")


class NoteIn(Schema):
    text: str


class EventOut(Schema):
    id: int
    kind: str
    text: str = ""
    created_at: datetime


class ActivityIn(Schema):
    title: str
    kind: Activity.Kind = Activity.Kind.TASK
    start_at: datetime
    due_at: datetime
    contact: int | None = None
    account: int | None = None
    notes: str = ""


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    result: str
    owner_id: int | None
    owner_role_id: int | None
    start_at: datetime
    due_at: datetime
    completed_at: datetime | None
    contact_id: int | None
    account_id: int | None
    record_label: str
    notes: str


class ActivityCompleteIn(Schema):
    result: str = Field("Completed", max_length=200, description="One of the activity's results.")


class ScheduleIn(Schema):
    start_at: datetime
    due_at: datetime


def _form_data(payload: Schema) -> dict:
    return {k: ("" if v is None else v) for k, v in payload.model_dump().items()}


def _out(schema, obj) -> dict:
    return schema.from_orm(obj).model_dump(mode="json")


# ------------------------------------------------------- contacts, accounts


def _mount_directory(
    path: str, *, tag: str, model, name_field: str, form_class, create, schema_in, schema_out
):
    """List (searched by name), read and create one kind of CRM record: contacts and
    accounts answer the same three calls, through their page's form and service."""

    @router.get(f"/{path}", response=list[schema_out], tags=[tag], operation_id=f"{path}_list")
    @paginate(Pages)
    def listing(request, q: str = ""):
        rows = model.objects.order_by(name_field, "pk")
        if q.strip():
            rows = rows.filter(**{f"{name_field}__icontains": q.strip()})
        return rows

    @router.get(
        f"/{path}/{{record_id}}", response=schema_out, tags=[tag], operation_id=f"{path}_read"
    )
    def read(request, record_id: int):
        return get_object_or_404(model, pk=record_id)

    @router.post(f"/{path}", response={201: schema_out}, tags=[tag], operation_id=f"{path}_create")
    def make(request, payload: schema_in):
        data = _valid(form_class(_form_data(payload)))
        return create_once(
            request, lambda: _out(schema_out, create(created_by=request.user, **data))
        )


DIRECTORIES = (
    (
        "contacts",
        Contact,
        "full_name",
        ContactForm,
        crm_services.contact_create,
        ContactIn,
        ContactOut,
    ),
    ("accounts", Account, "name", AccountForm, crm_services.account_create, AccountIn, AccountOut),
)
for path, model, name_field, form_class, create, schema_in, schema_out in DIRECTORIES:
    _mount_directory(
        path,
        tag=path,
        model=model,
        name_field=name_field,
        form_class=form_class,
        create=create,
        schema_in=schema_in,
        schema_out=schema_out,
    )


# ------------------------------------------------------------------- cases


def _case(case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("status").prefetch_related("tags"), pk=case_id
    )


def _code_of(model, field: str, code: str) -> int | None:
    """The id of the lookup with this code, or 400 naming the filter; None when not given."""
    if not code:
        return None
    found = model.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise BadInput(
            field, _("There is no %(field)s “%(code)s”.") % {"field": field, "code": code}
        )
    return found


@router.get("/cases", response=list[CaseOut], tags=["cases"])
@paginate(Pages)
def cases_list(
    request,
    q: str = "",
    status: str = "",
    priority: str = "",
    assignee: Literal["all", "mine", "unassigned"] = "all",
    assignee_group: int | None = None,
    overdue: bool = False,
):
    """Cases as the case list filters them: search, status and priority codes, whose, overdue."""
    status_id = _code_of(CaseStatus, "status", status)
    cases, _sort = case_selectors.case_list(
        user=request.user,
        q=q,
        status=status_id,
        priority=_code_of(CasePriority, "priority", priority),
        assignee=assignee,
        group=assignee_group,
        overdue=overdue,
    )
    return cases.prefetch_related("tags")


@router.get("/cases/{case_id}", response=CaseOut, tags=["cases"])
def case_read(request, case_id: int):
    return _case(case_id)


@router.post("/cases", response={201: CaseOut}, tags=["cases"])
def case_create(request, payload: CaseIn):
    data = _valid(CaseForm(_form_data(payload)))
    return create_once(
        request,
        lambda: _out(CaseOut, _case(case_services.case_create(created_by=request.user, **data).pk)),
    )


@router.patch("/cases/{case_id}", response=CaseOut, tags=["cases"])
def case_update(request, case_id: int, payload: CaseUpdateIn):
    """Edit the case as its page's Edit does: one History entry says who changed what,
    a new priority computes the deadlines again, a new assignee or group is told."""
    case = _case(case_id)
    refusal = case_services.case_edit_refusal(case, request.user)
    if refusal:
        if case.status.is_final:
            raise case_services.CaseError(refusal)
        raise PermissionDenied(refusal)
    form = CaseEditForm(case=case)
    current = {name: form.initial.get(name) for name in form.fields}
    sent = payload.model_dump(exclude_unset=True)
    data = current | sent
    data["tags"] = data.get("tags") or []
    cleaned = _valid(
        CaseEditForm({k: ("" if v is None else v) for k, v in data.items()}, case=case)
    )
    # Only what was sent: an unchanged assignee must not go through the assignment rules.
    changes = {name: cleaned[name] for name in sent}
    case_services.case_edit(case=case, user=request.user, **changes)
    return _case(case_id)


@router.post("/cases/{case_id}/status", response=CaseOut, tags=["cases"])
def case_set_status(request, case_id: int, payload: StatusIn):
    """Move the case along the workflow bar, under the bar's rules."""
    case = _case(case_id)
    status = CaseStatus.objects.filter(code=payload.status).first()
    if status is None:
        raise BadInput("status", _("There is no status “%(code)s”.") % {"code": payload.status})
    if payload.tasks:
        resolution.case_set_status_with_tasks(
            case=case, status=status, user=request.user, tasks=payload.tasks
        )
    else:
        resolving = status.is_resolved and not status.is_final and not case.move_refusal(status)
        if resolving and resolution.open_tasks(case).exists():
            raise BadInput(
                "tasks",
                _("The case has open tasks: say whether to complete, cancel or leave them."),
            )
        case_services.case_set_status(case=case, status=status, user=request.user)
    return _case(case_id)


@router.patch("/cases/{case_id}/assignment", response=CaseOut, tags=["cases"])
def case_reassign(request, case_id: int, payload: AssignmentIn):
    """Reassign the case as the Reassign action does; a field left out stays as it is."""
    case = _case(case_id)
    sent = payload.model_dump(exclude_unset=True)
    current = {"assignee": case.assignee_id, "assignee_group": case.assignee_group_id}
    data = _valid(ReassignForm(_form_data(AssignmentIn(**(current | sent)))))
    case_assignment.case_assign(case=case, user=request.user, **data)
    return _case(case_id)


@router.post("/cases/{case_id}/notes", response={201: EventOut}, tags=["cases"])
def case_add_note(request, case_id: int, payload: NoteIn):
    case = _case(case_id)
    text = _valid(NoteForm({"text": payload.text}))["text"]
    return create_once(
        request,
        lambda: _out(
            EventOut, case_services.case_add_note(case=case, user=request.user, text=text)
        ),
    )


@router.post("/cases/{case_id}/messages", response={201: MessageOut}, tags=["cases"])
def case_send_message(request, case_id: int, payload: MessageIn):
    """An Email or Portal message to the case's contact, as the case page's composer sends it."""
    case = _case(case_id)
    if not payload.body.strip():
        raise BadInput("body", _("Write the message before sending it."))
    return create_once(
        request,
        lambda: _out(
            MessageOut,
            correspondence.message_send(
                case=case,
                user=request.user,
                channel=payload.channel,
                body=payload.body,
                subject=payload.subject,
            ),
        ),
    )


# -------------------------------------------------------------- activities


@router.get("/activities", response=list[ActivityOut], tags=["activities"])
@paginate(Pages)
def activities_list(
    request, mine: bool = True, status: Literal["open", "completed", "all"] = "open", q: str = ""
):
    filters = activity_selectors.ListFilters(mine=mine, status=status, q=q)
    return activity_selectors.activity_list(user=request.user, filters=filters)


@router.get("/activities/{activity_id}", response=ActivityOut, tags=["activities"])
def activity_read(request, activity_id: int):
    return get_object_or_404(Activity, pk=activity_id)


@router.post("/activities", response={201: ActivityOut}, tags=["activities"])
def activity_create(request, payload: ActivityIn):
    data = _valid(ActivityCreateForm(_form_data(payload)))

    def make():
        try:
            activity = activity_services.activity_create(
                title=data["title"],
                kind=data["kind"],
                owner=request.user,
                start_at=data["start_at"],
                due_at=data["due_at"],
                record=data.get("contact") or data.get("account"),
                notes=data["notes"],
                created_by=request.user,
            )
        except activity_services.ActivityError as error:
            raise BadInput("due_at", str(error)) from None
        return _out(ActivityOut, activity)

    return create_once(request, make)


def _open_activity_of(request, activity_id: int) -> Activity:
    """The activity, refused (403) unless the caller may work on it, as on its page."""
    activity = get_object_or_404(Activity, pk=activity_id)
    if not activity.can_be_done_by(request.user):
        raise PermissionDenied(
            _("This activity belongs to %(owner)s: only they can change it.")
            % {"owner": activity.owner_label or _("nobody")}
        )
    return activity


@router.post("/activities/{activity_id}/complete", response=ActivityOut, tags=["activities"])
def activity_complete(request, activity_id: int, payload: ActivityCompleteIn):
    """Complete the activity with one of its results; its process step completes with it."""
    activity = _open_activity_of(request, activity_id)
    if activity.is_open and payload.result not in activity.results:
        raise BadInput(
            "result",
            _("Choose one of the results: %(results)s.") % {"results": ", ".join(activity.results)},
        )
    try:
        activity_services.activity_complete(
            activity_id=activity.pk, user=request.user, result=payload.result
        )
    except activity_services.ActivityError as error:
        raise HttpError(409, str(error)) from None
    return get_object_or_404(Activity, pk=activity_id)


@router.post("/activities/{activity_id}/schedule", response=ActivityOut, tags=["activities"])
def activity_schedule(request, activity_id: int, payload: ScheduleIn):
    """New start and due times ("Perform later"); a process step starting later is postponed."""
    activity = _open_activity_of(request, activity_id)
    data = _valid(ScheduleForm(_form_data(payload)))
    try:
        activity_services.activity_reschedule(activity_id=activity.pk, user=request.user, **data)
    except activity_services.ActivityError as error:
        raise HttpError(409, str(error)) from None
    return get_object_or_404(Activity, pk=activity_id)
