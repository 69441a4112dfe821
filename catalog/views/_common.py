"""What the version page and the variant page share: which related records a visitor may see,
and the superscript markers that link a fact to its sources."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.choices import PublicationStatus
from core.visibility import shows_drafts


def _shown(record, user):
    """``record`` unless it is a draft the user may not see (a licence or a version that a
    published record points at can still be a draft)."""
    if record is None:
        return None
    if record.status == PublicationStatus.DRAFT and not shows_drafts(type(record), user):
        return None
    return record


def _citation_marks(record) -> dict[str, SafeString]:
    """Superscript links to the record's sources, by the field names each citation backs.

    Numbers follow the order of ``includes/_citations.html`` (the prefetched citations), so
    mark [2] is the second entry of the list it links to.
    """
    numbers: dict[str, list[int]] = {}
    for number, citation in enumerate(record.citations.all(), start=1):
        for name in citation.fields:
            numbers.setdefault(name, []).append(number)
    anchor = f"#sources-{record.pk}"
    label = gettext("Source %(number)s")
    return _Marks(
        (
            name,
            format_html(
                '<sup class="cite">{}</sup>',
                format_html_join(
                    " ",
                    '<a href="{}" aria-label="{}">[{}]</a>',
                    ((anchor, label % {"number": n}, n) for n in found),
                ),
            ),
        )
        for name, found in numbers.items()
    )


def _marks_for(marks: dict[str, SafeString], *names: str) -> SafeString:
    return mark_safe(" ".join(marks[name] for name in names if name in marks))  # noqa: S308


class _Marks(dict):
    """Source markers by field name; a field without a source gets an empty string."""

    def get(self, key, default=""):
        return super().get(key, default)


def _yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")
