from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from catalog.keys import variant_key
from catalog.models import ModelVariant
from evaluations.fileformat import SETTING_FIELDS
from evaluations.models import Benchmark, Result

# The columns of a result, in the order a CSV upload and the API name them.
RESULT_FIELDS = (
    "variant",
    "benchmark",
    "benchmark_version",
    "value",
    "metric",
    *SETTING_FIELDS,
    "reported_by",
    "reporter",
    "date",
    "source_url",
    "source_title",
    "source_locator",
    "source_quote",
    "note",
)
REQUIRED = ("variant", "benchmark", "value", "metric", "reported_by", "reporter", "date")
# An uploaded CSV beyond this many rows is refused before any is read (a run's results, not
# a dump of a leaderboard).
MAX_CSV_ROWS = 5000
MAX_CSV_BYTES = 5 * 1024 * 1024


class ResultInputError(ValueError):
    """A result cannot be built; ``field`` names the value at fault."""

    def __init__(self, field: str | None, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}" if field else message)


class ResultImportError(ValueError):
    """A CSV upload was refused; ``errors`` holds (row number, field, message) for each bad
    row (row 1 is the header), and nothing was written."""

    def __init__(self, errors: list[tuple[int, str | None, str]]):
        self.errors = errors
        super().__init__(
            "; ".join(
                _("row %(row)s: %(field)s: %(message)s")
                % {"row": row, "field": field or _("row"), "message": message}
                for row, field, message in errors
            )
        )


def variant_index() -> dict[str, ModelVariant]:
    """Every variant by its key (family/version/variant), one query."""
    return {
        variant_key(v): v
        for v in ModelVariant.objects.select_related("version__family").defer("config")
    }


@dataclass
class _Lookups:
    variants: Mapping[str, ModelVariant]
    benchmarks: Mapping[str, Benchmark]


def _clean(name: str, value: Any) -> Any:
    field = Result._meta.get_field(name)
    assert isinstance(field, models.Field)
    if value is None or value == "":
        if field.null:
            return None
        if isinstance(field, models.CharField | models.TextField | models.URLField):
            return ""
        raise ResultInputError(name, _("This field is required."))
    if isinstance(field, models.BooleanField) and isinstance(value, str):
        lowered = value.strip().lower()
        truth = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if lowered not in truth:
            raise ResultInputError(name, _("Enter true or false (or leave it empty)."))
        return truth[lowered]
    if isinstance(field, models.CharField | models.TextField) and not isinstance(value, str):
        if isinstance(value, bool | dict | list):
            raise ResultInputError(name, _("Enter text."))
        value = str(value)
    if isinstance(field, models.DecimalField) and isinstance(value, float):
        value = repr(value)  # the digits as written, not the binary float's expansion
    if isinstance(value, bool) and not isinstance(field, models.BooleanField):
        raise ResultInputError(name, _("Enter a number, not true or false."))
    try:
        cleaned = field.clean(value, None)
    except ValidationError as exc:
        raise ResultInputError(name, " ".join(exc.messages)) from None
    return cleaned


def result_build(
    *,
    values: Mapping[str, Any],
    variants: Mapping[str, ModelVariant],
    benchmarks: Mapping[str, Benchmark],
    instance: Result | None = None,
    user=None,
    check_duplicates: bool = True,
) -> Result:
    """A validated, unsaved result from plain values (``RESULT_FIELDS``): ``variant`` is a
    variant key and ``benchmark`` a benchmark slug. Raises :class:`ResultInputError` naming the
    first field at fault (an unknown field, an unknown variant or benchmark, a value outside
    the benchmark's scale, a setting value outside its vocabulary, a duplicate unless
    ``check_duplicates`` is off)."""
    unknown = sorted(set(values) - set(RESULT_FIELDS))
    if unknown:
        raise ResultInputError(unknown[0], _("Unknown field."))
    for name in REQUIRED:
        if values.get(name) in (None, ""):
            raise ResultInputError(name, _("This field is required."))
    result = instance or Result()
    key = values["variant"]
    variant = variants.get(key) if isinstance(key, str) else None
    if variant is None:
        raise ResultInputError("variant", _("Unknown variant '%(key)s'.") % {"key": key})
    slug = values["benchmark"]
    benchmark = benchmarks.get(slug) if isinstance(slug, str) else None
    if benchmark is None:
        raise ResultInputError("benchmark", _("Unknown benchmark '%(slug)s'.") % {"slug": slug})
    result.variant, result.benchmark = variant, benchmark
    for name in RESULT_FIELDS[2:]:
        setattr(result, name, _clean(name, values.get(name)))
    if user is not None and result.pk is None and getattr(user, "is_authenticated", False):
        result.created_by = user
    try:
        result.full_clean(
            exclude=["created_by"],
            validate_unique=check_duplicates,
            validate_constraints=check_duplicates,
        )
        if not check_duplicates:
            result.comparable_key = result.compute_comparable_key()
    except ValidationError as exc:
        name, errors = next(iter(exc.error_dict.items()))
        message = " ".join(m for e in errors for m in e.messages)
        raise ResultInputError(None if name == "__all__" else name, message) from None
    return result


def result_save(*, result: Result) -> Result:
    """Validate and save ``result`` (the admin's and the API's write path)."""
    result.full_clean()
    result.save()
    return result


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    return header, list(reader)


def results_import_csv(*, text: str, user=None) -> list[Result]:
    """Import results from CSV text (a header row naming ``RESULT_FIELDS`` columns;
    ``reported_by`` defaults to ``internal``). All rows or none: every bad row is reported
    in :class:`ResultImportError` with its row number and field, and nothing is written."""
    if len(text.encode("utf-8")) > MAX_CSV_BYTES:
        raise ResultImportError([(0, None, _("The file is larger than 5 MB."))])
    try:
        header, rows = _rows(text)
    except csv.Error as exc:
        raise ResultImportError(
            [(0, None, _("Not a CSV file: %(error)s") % {"error": exc})]
        ) from None
    if not header:
        raise ResultImportError([(1, None, _("The file has no header row."))])
    unknown = [name for name in header if name not in RESULT_FIELDS]
    if unknown:
        raise ResultImportError([(1, unknown[0], _("Unknown column."))])
    missing = [name for name in REQUIRED if name not in header and name != "reported_by"]
    if missing:
        raise ResultImportError([(1, missing[0], _("Missing column."))])
    if not rows:
        raise ResultImportError([(2, None, _("The file has no result rows."))])
    if len(rows) > MAX_CSV_ROWS:
        raise ResultImportError(
            [(0, None, _("More than %(count)s rows.") % {"count": MAX_CSV_ROWS})]
        )
    lookups = _Lookups(variant_index(), {b.slug: b for b in Benchmark.objects.all()})
    built: list[Result] = []
    errors: list[tuple[int, str | None, str]] = []
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows, start=2):
        if None in row:  # more cells than the header names
            errors.append((number, None, _("More cells than the header has columns.")))
            continue
        values = {name: (value or "").strip() for name, value in row.items()}
        values.setdefault("reported_by", "internal")
        if not values["reported_by"]:
            values["reported_by"] = "internal"
        try:
            result = result_build(
                values=values, variants=lookups.variants, benchmarks=lookups.benchmarks, user=user
            )
        except ResultInputError as exc:
            errors.append((number, exc.field, exc.message))
            continue
        key = (
            result.variant_id,
            result.benchmark_id,
            result.comparable_key,
            result.sampling,
            result.checkpoint,
            result.source_url,
            result.source_title,
            result.date,
        )
        if key in seen:
            errors.append(
                (
                    number,
                    None,
                    _("Repeats row %(row)s: same variant, benchmark, setting and source.")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = number
        built.append(result)
    if errors:
        raise ResultImportError(errors)
    with transaction.atomic():
        for result in built:
            result.save()
    return built
