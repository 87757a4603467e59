"""Reads for the Activities section and calendar. Query counts stay flat: the list
and the calendar read activities with their owner, role and step in one query."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Value, Window
from django.db.models.functions import Greatest, RowNumber, TruncDate
from django.utils import timezone

from activities.models import Activity


def _base():
    return Activity.objects.select_related("owner", "owner_role", "step")


def _mine(user) -> Q:
    return Q(owner=user) | Q(owner_role__in=user.groups.values("pk"))


@dataclass
class ListFilters:
    mine: bool = True
    status: str = "open"  # open | completed | all
    overdue: bool = False
    record: str = ""  # "app.model:pk"
    q: str = ""


def parse_filters(params) -> ListFilters:
    status = params.get("status", "open")
    return ListFilters(
        mine=params.get("owner", "mine") != "all",
        status=status if status in ("open", "completed", "all") else "open",
        overdue=params.get("overdue") == "1",
        record=params.get("record", "")[:120],
        q=params.get("q", "").strip()[:100],
    )


def activity_list(*, user, filters: ListFilters):
    activities = _base()
    if filters.mine:
        activities = activities.filter(_mine(user))
    if filters.status == "open":
        activities = activities.filter(status=Activity.Status.OPEN)
    elif filters.status == "completed":
        activities = activities.exclude(status=Activity.Status.OPEN)
    if filters.overdue:
        activities = activities.filter(status=Activity.Status.OPEN, due_at__lt=timezone.now())
    if filters.record:
        label, _sep, pk = filters.record.partition(":")
        app_label, _dot, model = label.lower().partition(".")
        activities = activities.filter(
            record_type__app_label=app_label, record_type__model=model, record_id=pk
        )
    if filters.q:
        activities = activities.filter(
            Q(title__icontains=filters.q) | Q(record_label__icontains=filters.q)
        )
    if filters.status == "completed":
        return activities.order_by("-completed_at", "-pk")
    return activities.order_by("start_at", "pk")


# -- calendar --------------------------------------------------------------------------

VIEWS = ("day", "week", "month")
MONTH_SHOWN = 3


@dataclass
class Day:
    date: date
    activities: list = field(default_factory=list)
    in_month: bool = True
    total: int = 0  # every activity of the day; a month's day holds only the first few

    @property
    def more(self) -> int:
        return max(self.total - len(self.activities), 0)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()


@dataclass
class Calendar:
    view: str
    anchor: date
    start: date
    end: date  # exclusive
    days: list[Day]
    previous: date
    next: date

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]


def calendar_for(*, user, view: str, anchor: date) -> Calendar:
    """A day, a week (Monday first) or a month (whole weeks) of the user's activities."""
    view = view if view in VIEWS else "week"
    if view == "day":
        start, end = anchor, anchor + timedelta(days=1)
        previous, following = anchor - timedelta(days=1), anchor + timedelta(days=1)
    elif view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=7)
        previous, following = anchor - timedelta(days=7), anchor + timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        last = anchor.replace(day=pycalendar.monthrange(anchor.year, anchor.month)[1])
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=7 - last.weekday())
        previous = (first - timedelta(days=1)).replace(day=1)
        following = last + timedelta(days=1)
    tz = timezone.get_current_timezone()
    start_dt = datetime.combine(start, time.min, tzinfo=tz)
    end_dt = datetime.combine(end, time.min, tzinfo=tz)
    activities = (
        _base()
        .filter(_mine(user))
        .exclude(status=Activity.Status.CANCELED)
        .filter(start_at__lt=end_dt, due_at__gte=start_dt)
        .order_by("start_at", "pk")
    )
    if view == "month":
        # A month shows MONTH_SHOWN a day and "+N more": the database picks those and
        # counts the rest (a window per day), instead of building every activity here.
        on_day = Greatest(TruncDate("start_at", tzinfo=tz), Value(start))
        activities = activities.annotate(
            day_rank=Window(RowNumber(), partition_by=[on_day], order_by=["start_at", "pk"]),
            day_total=Window(Count("pk"), partition_by=[on_day]),
        ).filter(day_rank__lte=MONTH_SHOWN)
    days = []
    current = start
    while current < end:
        days.append(Day(current, in_month=(view != "month" or current.month == anchor.month)))
        current += timedelta(days=1)
    by_date = {day.date: day for day in days}
    for activity in activities:
        local = timezone.localtime(activity.start_at).date()
        day = by_date.get(max(local, start))
        if day is not None:
            day.activities.append(activity)
            day.total = getattr(activity, "day_total", len(day.activities))
    return Calendar(view, anchor, start, end, days, previous, following)
