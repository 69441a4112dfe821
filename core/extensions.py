"""Extension points: how an app higher in the layers adds to a page or a FilterSet of an app
below it, without the lower app importing the higher one (docs/architecture.md, "Layers").

NetBox's plugin template extensions are the model: the higher app registers in its
``AppConfig.ready()``, and the lower app's view asks at request time. The hardware app adds the
"hardware that fits" rows to the catalog's variant page and the ``fits`` filters to its
variant FilterSet this way; the catalog app adds its model lists to the licence pages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.core.exceptions import ImproperlyConfigured

ContextProvider = Callable[..., dict[str, Any]]

_providers: dict[str, list[ContextProvider]] = defaultdict(list)


def add_page_context(page: str, provider: ContextProvider) -> None:
    """Register ``provider(request, **objects) -> dict`` for ``page``; its keys join the page's
    template context. Registering the same provider twice keeps one."""
    if provider not in _providers[page]:
        _providers[page].append(provider)


def page_context(page: str, request, **objects: Any) -> dict[str, Any]:
    """What the apps above add to ``page`` for these objects, in registration order."""
    context: dict[str, Any] = {}
    for provider in _providers.get(page, ()):
        context.update(provider(request, **objects))
    return context


def page_providers(page: str) -> tuple[ContextProvider, ...]:
    """The providers registered for ``page`` (for tests and the architecture check)."""
    return tuple(_providers.get(page, ()))


def extend_filterset(
    filterset_class: type[django_filters.FilterSet], **filters: django_filters.Filter
) -> None:
    """Declare ``filters`` on a FilterSet of a lower app, as if written in its class body: the
    API, the HTML pages, MCP and the OpenAPI schema see them. A filter's ``method`` should be a
    callable ``(queryset, name, value)``. Two apps declaring one name is a configuration
    error, named."""
    for name, filter_ in filters.items():
        existing = filterset_class.base_filters.get(name)
        if existing is filter_:
            continue
        if existing is not None:
            raise ImproperlyConfigured(
                f"{filterset_class.__name__} already has a filter named {name!r}."
            )
        if getattr(filter_, "field_name", None) is None:
            filter_.field_name = name
        filterset_class.declared_filters[name] = filter_
        filterset_class.base_filters[name] = filter_


@dataclass(frozen=True)
class PatternFilter:
    """Query parameters whose names come from data, such as ``score__<benchmark>__gte``: a
    FilterSet cannot declare one filter per benchmark, so it matches the names.

    ``clean(match, value, request)`` returns the cleaned value or raises ``ValidationError``
    (the parameter's error, a 400 on the API); ``apply(queryset, match, cleaned, request)``
    filters. ``help`` describes the family of parameters for the documentation.
    """

    pattern: re.Pattern
    clean: Callable[..., Any]
    apply: Callable[..., Any]
    help: str = ""


def extend_filterset_patterns(
    filterset_class: type[django_filters.FilterSet], pattern_filter: PatternFilter
) -> None:
    """Add a :class:`PatternFilter` to a FilterSet of a lower app (``core.filtering.
    RegistryFilterSet`` applies them). Adding the same one twice keeps one."""
    existing = tuple(getattr(filterset_class, "pattern_filters", ()))
    if pattern_filter not in existing:
        filterset_class.pattern_filters = (*existing, pattern_filter)  # type: ignore[attr-defined]
