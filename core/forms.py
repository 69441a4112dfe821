"""Form fields shared by the admin and the pages."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext_lazy as _

from core.jsonsafe import NOT_FINITE, NUL, unstorable

JSON_TOO_NESTED = _("This JSON is nested too deeply to read.")
JSON_NOT_FINITE = _("Numbers must be finite: NaN, Infinity and values beyond 1e308 are refused.")


class StrictJSONField(forms.JSONField):
    """Django's JSON form field, refusing as form errors what would otherwise fail as a 500:
    JSON nested past Python's recursion limit, NUL characters (``\\u0000``) and NaN or infinite
    numbers, which PostgreSQL's jsonb cannot store."""

    def to_python(self, value):
        try:
            converted = super().to_python(value)
        except RecursionError:
            raise forms.ValidationError(JSON_TOO_NESTED, code="invalid") from None
        problem = unstorable(converted)
        if problem == NUL:
            raise forms.ValidationError(ProhibitNullCharactersValidator.message, code="null")
        if problem == NOT_FINITE:
            raise forms.ValidationError(JSON_NOT_FINITE, code="invalid")
        return converted

    def bound_data(self, data, initial):
        # Redisplaying the refused text parses it again.
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
