"""The filter backend of the API: django-filter, strict about unknown parameters."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# Parameters every list endpoint understands besides its FilterSet's.
COMMON_PARAMETERS = {"page", "page_size", "format", "ordering"}
UNKNOWN_PARAMETER = _("Unknown parameter.")
NUL_IN_PARAMETER = _("Null characters are not allowed.")


class StrictFilterBackend(DjangoFilterBackend):
    """Rejects unknown query parameters and NUL bytes with 400 naming the parameter; bad values
    are rejected by the FilterSet's form (django-filter raises a field-keyed 400)."""

    def get_filterset_kwargs(self, request, queryset, view):
        """``ordering=-total_parameters&ordering=name`` is ``ordering=-total_parameters,name``:
        the schema gives ``ordering`` as a list, clients generated from it repeat the
        parameter, and django-filter would read only the last one."""
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        orderings = [value for value in kwargs["data"].getlist("ordering") if value.strip(", ")]
        if len(orderings) > 1:
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"].setlist("ordering", [",".join(orderings)])
        return kwargs

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(COMMON_PARAMETERS)
        patterns: tuple = ()
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
            patterns = tuple(p.pattern for p in getattr(filterset_class, "pattern_filters", ()))
        errors = {}
        for name, values in request.query_params.lists():
            if name not in known and not any(p.fullmatch(name) for p in patterns):
                errors[name] = [UNKNOWN_PARAMETER]
            elif any("\x00" in value for value in values):
                errors[name] = [NUL_IN_PARAMETER]
        if errors:
            raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)
