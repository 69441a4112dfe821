"""Filter building blocks shared by the apps' FilterSets (API and HTML list pages)."""

import datetime
import re
from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.search import names_hold, search_query, search_vector

MAX_INTEGER = 2**62  # below PostgreSQL's bigint limit: larger values are refused, not a 500
_HUMAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmbt])?\s*$", re.IGNORECASE)
_SCALE = {None: 1, "k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}

BAD_COUNT = _("Enter a number of parameters such as 7000000000, 7B, 1.5T or 500M.")
TOO_LARGE = _("Too large.")


class ParameterCountField(forms.Field):
    """A parameter count: an integer or a human form (7B, 1.5T, 500M, 1.2k)."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        match = _HUMAN.match(str(value))
        if not match:
            raise forms.ValidationError(BAD_COUNT, code="invalid")
        try:
            number = Decimal(match.group(1)) * _SCALE[(match.group(2) or "").lower() or None]
        except InvalidOperation:
            raise forms.ValidationError(BAD_COUNT, code="invalid") from None
        if number > MAX_INTEGER:
            raise forms.ValidationError(TOO_LARGE, code="max_value")
        return int(number)


@extend_schema_field(OpenApiTypes.STR)
class ParameterCountFilter(django_filters.Filter):
    field_class = ParameterCountField


class BoundedIntegerFilter(django_filters.NumberFilter):
    """An integer filter that refuses values the database cannot hold."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_INTEGER)
        super().__init__(*args, **kwargs)


class BoundedDecimalFilter(django_filters.NumberFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10**9)
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 3)
        super().__init__(*args, **kwargs)


_VALUE = re.compile(r"^[\w./:-]{1,200}$")


class ValuesField(forms.MultipleChoiceField):
    """Repeated and/or comma-separated values from an open vocabulary (slugs, codes)."""

    def to_python(self, value):
        values = super().to_python(value)
        return [part.strip() for item in values for part in item.split(",") if part.strip()]

    def valid_value(self, value):
        return bool(_VALUE.match(value))


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Any of several choices. Without ``DISTINCT``: every filter of the registry reads the
    model's own columns or to-one relations, which cannot repeat a row, and a ``DISTINCT``
    over every selected column is what made deep list pages slow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class ValuesFilter(ChoicesFilter):
    """``?family=llama&family=qwen`` or ``?family=llama,qwen``: any of them (OR), or all of
    them with ``conjoined=True``."""

    field_class = ValuesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", ())
        super().__init__(*args, **kwargs)


NOT_AN_ID = _("Enter record ids: whole numbers such as 12 or 12,15.")


class IdsField(ValuesField):
    """Repeated and/or comma-separated record ids (primary keys)."""

    default_error_messages = {"invalid_choice": NOT_AN_ID}

    def to_python(self, value):
        return [
            int(part) if part.isascii() and part.isdigit() else part
            for part in super().to_python(value)
        ]

    def valid_value(self, value):
        return isinstance(value, int) and value <= MAX_INTEGER


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdsFilter(ValuesFilter):
    """``?family_id=3&family_id=5`` or ``?family_id=3,5``: any of them; anything but an id is a
    400 naming the parameter (a database lookup would fail on it)."""

    field_class = IdsField


def full_text_search(
    queryset,
    text: str,
    *,
    vector_fields: tuple[str, ...],
    names: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
):
    """Rows whose ``vector_fields`` match ``text`` (PostgreSQL full text, every word as a
    prefix, or websearch syntax), or whose ``names`` and ``aliases`` (array fields) hold each
    of its terms, punctuation and spaces left out (:func:`~core.search.names_hold`:
    Chinese is not split into words by the parser, and people type ``llama3`` for
    ``Llama 3``)."""
    queryset = queryset.annotate(_search=search_vector(*vector_fields))
    return queryset.filter(full_text_q(text, names, aliases))


def full_text_q(text: str, names: tuple[str, ...] = (), aliases: tuple[str, ...] = ()) -> Q:
    """The condition of :func:`full_text_search` on an annotated ``_search`` vector."""
    condition = Q(_search=search_query(text))
    if names or aliases:
        condition |= names_hold(text, names, aliases)
    return condition


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """``?ordering=`` with empty values last in both directions. PostgreSQL sorts NULL as
    larger than any value, so a descending sort ("largest first", "newest first") would open
    on the models whose size or date nobody knows."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = param[1:] if descending else param
        field = F(self.param_map.get(name, name))
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)


NOT_A_BOOLEAN = _("Enter true or false.")


class StrictBooleanField(forms.Field):
    """true/false (1/0, yes/no, on/off); anything else is an error, not "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        lowered = str(value).strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise forms.ValidationError(NOT_A_BOOLEAN, code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcDateTimeField(forms.DateTimeField):
    """A date-time in UTC: any offset Python accepts (up to ±23:59) is converted, as
    PostgreSQL takes offsets of at most ±15:59 only; one that leaves the calendar is invalid."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UtcDateTimeFilter(django_filters.DateTimeFilter):
    """A date-time filter that turns any offset into UTC (:class:`UtcDateTimeField`), so an
    offset PostgreSQL cannot take is never sent to it."""

    field_class = UtcDateTimeField


class ChangedSinceFilter(django_filters.DateTimeFilter):
    """``?changed_since=2026-12-01`` (or a date-time, ``2026-12-01T08:00:00Z``): records written
    since then, for a client that checks back (the What's new page reads the same history)."""

    field_class = UtcDateTimeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", _("changed since (a date or date-time)"))
        super().__init__(*args, **kwargs)


class RegistryFilterSet(django_filters.FilterSet):
    """Base of every FilterSet: an empty parameter (``?kind=``, what an HTML form sends for an
    untouched select) means "no filter", never "an invalid choice". Parameters matched by the
    ``pattern_filters`` apps add (core.extensions.PatternFilter) are validated with the form
    and applied after the declared filters."""

    pattern_filters: tuple = ()

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not hasattr(data, "getlist"):
            data = {key: value for key, value in data.items() if value not in ("", None)}
        elif data is not None:
            data = data.copy()
            for key in list(data.keys()):
                values = [value for value in data.getlist(key) if value not in ("", None)]
                if key == "ordering":
                    # "?ordering=," names no field: keep the default order rather than none
                    # (an unordered page is an unstable page).
                    values = [value for value in values if value.strip(", ")]
                if values:
                    data.setlist(key, values)
                else:
                    del data[key]
        super().__init__(data, *args, **kwargs)

    @property
    def form(self):
        form = super().form
        if self.is_bound and self.pattern_filters and not hasattr(self, "_pattern_values"):
            self._pattern_values: list = []
            errors = form.errors  # the declared filters' validation, once
            for name in list(self.data.keys()):
                for pattern_filter in self.pattern_filters:
                    match = pattern_filter.pattern.fullmatch(name)
                    if match is None:
                        continue
                    try:
                        cleaned = pattern_filter.clean(match, self.data.get(name), self.request)
                    except forms.ValidationError as exc:
                        errors[name] = form.error_class(exc.messages)
                    else:
                        self._pattern_values.append((pattern_filter, match, cleaned))
                    break
        return form

    def filter_queryset(self, queryset):
        """An ``ordering`` asked for ends with the primary key: rows that tie on it (versions
        released the same day) keep one order, so pages neither repeat nor skip a row."""
        queryset = super().filter_queryset(queryset)
        for pattern_filter, match, cleaned in getattr(self, "_pattern_values", ()):
            queryset = pattern_filter.apply(queryset, match, cleaned, self.request)
        order = list(queryset.query.order_by)
        if self.form.cleaned_data.get("ordering") and order and not {"pk", "-pk"} & set(order):
            queryset = queryset.order_by(*order, "pk")
        return queryset
