"""The CI check that every marked string has a German translation."""

import pytest

from tests.support import translations

MISSING = """from django.utils.translation import gettext as _, ngettext

NEW = _("A sentence nobody has translated yet")
COUNT = ngettext("%(n)s new thing", "%(n)s new things", 2)
"""


def test_a_newly_marked_string_fails_the_check_by_name(tmp_path):
    catalogues = translations.fresh_catalogues(tmp_path, extra={"crm/_new_strings.py": MISSING})

    missing = translations.untranslated(catalogues["de", "django"])

    assert sorted(entry.msgid for entry in missing) == [
        "%(n)s new thing",
        "A sentence nobody has translated yet",
    ]
    # The repository itself is left alone: its catalogue does not know the new strings.
    shipped = (translations.ROOT / "locale/de/LC_MESSAGES/django.po").read_text()
    assert "A sentence nobody has translated yet" not in shipped


def test_the_shipped_catalogue_translates_every_string_it_holds():
    shipped = (translations.ROOT / "locale/de/LC_MESSAGES/django.po").read_text()
    assert len(translations.parse_po(shipped)) > 1000
    assert translations.untranslated(shipped) == []


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ('msgid "Save"\nmsgstr ""\n', "empty"),
        ('#, fuzzy\nmsgid "Save"\nmsgstr "Sichern"\n', "fuzzy"),
        (
            'msgid "%(n)s step"\nmsgid_plural "%(n)s steps"\nmsgstr[0] "%(n)s Schritt"\n'
            'msgstr[1] ""\n',
            "a plural form empty",
        ),
    ],
)
def test_empty_fuzzy_and_half_plural_entries_count_as_missing(entry, why):
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    assert len(translations.untranslated(header + entry)) == 1, why


def test_a_multi_line_entry_is_read_whole():
    text = 'msgctxt "queue"\nmsgid ""\n"Return "\n"it"\nmsgstr ""\n"Zurück"\n"geben"\n'
    [entry] = translations.parse_po(text)
    assert (entry.msgctxt, entry.msgid, entry.msgstr) == ("queue", "Return it", ["Zurückgeben"])
    assert entry.translated
