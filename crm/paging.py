"""Big lists page by ids first: sort the narrow rows, then fetch one page's wide ones.

A list page joins six or seven tables (status, priority, contact, account,
assignee…) and sorts by one column. Sorting the joined rows of 100,000 cases
to keep 25 carries kilobytes per row through the sort; sorting only the ids
(with the sort key, from an index where one fits) and then reading those 25
rows with their joins costs a fraction of it, and stays one query:

    SELECT <wide columns> FROM case JOIN … WHERE case.id = ANY(ARRAY(
        SELECT case.id FROM case … WHERE <filters> ORDER BY <sort> LIMIT 25 OFFSET n))
    ORDER BY <sort>

`IdsFirst(queryset)` gives the Paginator that shape: its count is the
queryset's and a slice is one page, as a list. The queryset keeps its filters,
ordering, select_related and only()/defer(); annotations are not carried to
the outer query (the list querysets have none).
"""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import BooleanField, F, Func


class _AnyOf(Func):
    """`column = ANY(array)`, a condition."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


class IdsFirst:
    def __init__(self, queryset):
        self.queryset = queryset
        self.ordered = True  # the Paginator's check: the queryset's ordering is kept

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        source = self.queryset
        ids = source.values("pk")[key]
        manager = source.model._default_manager.using(source.db)
        if connections[source.db].vendor == "postgresql":
            # id = ANY(ARRAY(subquery)): PostgreSQL runs the subquery first, once, and
            # then reads just those rows by primary key and joins them (an IN here is
            # planned as a semi-join against every joined row).
            page = manager.filter(_AnyOf(F("pk"), ArraySubquery(ids)))
        else:
            page = manager.filter(pk__in=ids)
        page.query.select_related = source.query.select_related
        page.query.deferred_loading = source.query.deferred_loading
        ordering = source.query.order_by or source.query.get_meta().ordering
        return list(page.order_by(*ordering))
