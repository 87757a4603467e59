"""Text search shared by the knowledge base and the case desk: the words of a text,
and one PostgreSQL full-text query matching any of them.

The "simple" configuration (no stemming, no language's stop words) serves mail and
notes in any language alike; trigram similarity (pg_trgm, created by a cases
migration) catches typos and near subjects. On SQLite the callers fall back to
matching words with icontains.
"""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery

CONFIG = "simple"
# Words too common to say two texts are alike, in the languages customers write in.
COMMON_WORDS = frozenset(
    re.split(
        r"\s+",
        """the and for with from this that are was were has have not you your our but can
        please thanks thank hello dear regards der die das und mit von ist nicht ein eine
        bitte danke hallo les des une pour avec est pas""",
    )
)


def search_words(text: str, *, limit: int = 12) -> list[str]:
    """The distinct words of `text` worth searching for (three letters or more)."""
    words = []
    for word in re.findall(r"\w{3,}", (text or "").lower()):
        if word not in COMMON_WORDS and not word.isdigit() and word not in words:
            words.append(word)
    return words[:limit]


def words_query(words: list[str]) -> SearchQuery:
    """A full-text query matching a document holding any of `words`."""
    return reduce(or_, (SearchQuery(word, config=CONFIG, search_type="plain") for word in words))
