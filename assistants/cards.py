"""The MCP resources: a model card and a licence text, as Markdown an assistant can quote.

The registry stores a licence's structured terms, its summary, the clauses editors quoted and a
link to the full text at its publisher, not the full text itself: the licence resource says so.
"""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from assistants.common import acting_user, model_summary, page
from catalog import selectors
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from catalog.models import ModelVariant
from licenses.models import License
from licenses.selectors import license_detail
from licenses.terms import term_cells


def _cell(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: list[tuple[str, object]]) -> list[str]:
    lines = ["| | |", "|---|---|"]
    lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in rows]
    return lines


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _sources(citations) -> list[str]:
    lines = []
    for citation in citations:
        source = citation.source
        title = source.title or source.url
        lines.append(f"- [{title}]({source.url}) — {', '.join(citation.fields)}")
        if citation.quote:
            lines += [f"  > {line}" for line in citation.quote.splitlines() if line.strip()]
    return lines


def model_card(family: str, version: str, variant: str) -> str:
    queryset = selectors.variant_detail(user=acting_user()).filter(
        version__family__slug=family, version__slug=version, slug=variant
    )
    record = queryset.first()
    if record is None:
        raise ResourceNotFoundError(
            _("no model “%(key)s” in the registry; search_models finds the keys.")
            % {"key": f"{family}/{version}/{variant}"}
        )
    summary = model_summary(record)
    released = record.release_date or record.version.release_date
    lines = [
        f"# {record.name}",
        "",
        f"{summary.organization} · {summary.family} · {record.version.localized('name')}",
        "",
        f"`{summary.key}` · {summary.page}",
        "",
    ]
    lines += _table(
        [
            (_label(ModelVariant, "kind"), record.get_kind_display()),
            (_label(ModelVariant, "total_parameters"), summary.total_parameters),
            (_label(ModelVariant, "active_parameters"), summary.active_parameters),
            (_("Context (tokens)"), summary.context_tokens),
            (_label(ModelVariant, "release_date"), date_format(released) if released else None),
            (_label(ModelVariant, "hf_repo_id"), record.hf_repo_id),
        ]
    )
    numbers = [
        (_label(ModelVariant, name), getattr(record, name))
        for name in ARCHITECTURE_FIELDS
        if getattr(record, name) not in (None, "")
    ]
    if numbers:
        lines += ["", f"## {_('Architecture')}", "", *_table(numbers)]
    license = record.license or record.version.license
    if license is not None:
        lines += [
            "",
            f"## {_('Licence')}",
            "",
            f"{license.localized('name')} — registry://licenses/{license.slug}",
        ]
    citations = list(record.citations.all())
    if citations:
        lines += ["", f"## {_('Sources')}", "", *_sources(citations)]
    description = record.localized("description")
    if description:
        lines += ["", description]
    return "\n".join(lines) + "\n"


def license_text(slug: str) -> str:
    license: License | None = license_detail(user=acting_user()).filter(slug=slug).first()
    if license is None:
        raise ResourceNotFoundError(
            _("There is no published licence “%(value)s”.") % {"value": slug}
        )
    lines = [f"# {license.localized('name')}", ""]
    summary = license.localized("summary")
    if summary:
        lines += [summary, ""]
    if license.url:
        lines += [f"{_label(License, 'url')}: {license.url}", ""]
    lines += [
        page(reverse("licenses:license_detail", kwargs={"slug": license.slug})),
        "",
        f"## {_('Terms')}",
        "",
        *_table([(cell.label, cell.text) for cell in term_cells(license)]),
    ]
    citations = list(license.citations.all())
    if citations:
        lines += ["", f"## {_('Sources')}", "", *_sources(citations)]
    lines += ["", _("This is not legal advice.")]
    return "\n".join(lines) + "\n"
