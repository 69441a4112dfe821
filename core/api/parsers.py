"""Request parsers for every API endpoint."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

JSON_TOO_NESTED = _("This JSON is nested too deeply to read.")


class NestingSafeJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 rather than 500 to JSON nested beyond Python's
    recursion limit (``json`` raises RecursionError, not the ValueError DRF turns into 400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(JSON_TOO_NESTED) from None
