"""django-ninja's page-number pagination with the page bounded.

An unbounded `page` becomes an OFFSET PostgreSQL cannot hold (a 500); past
MAX_PAGE the answer is a 400 naming `page` instead.
"""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, description="At most 100.")
