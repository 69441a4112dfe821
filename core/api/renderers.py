import re

from rest_framework_csv.renderers import PaginatedCSVRenderer

# A text cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection":
# =, +, -, @, tab, carriage return); prefixed with an apostrophe, it is shown as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A signed number is data, not a formula (DRF writes decimals as strings: "-2.5").
_SIGNED_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value):
    """``value`` as a spreadsheet will show it and never evaluate it: a text cell that starts
    like a formula gets a leading apostrophe; numbers, signed number strings and everything
    else are returned as they are."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _SIGNED_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class ListCSVRenderer(PaginatedCSVRenderer):
    """CSV of a list page (`?format=csv`): the same rows and filters as the JSON, nested
    objects flattened into dotted columns, and no cell a spreadsheet would run as a formula."""

    results_field = "results"
    format = "csv"

    def render(self, data, media_type=None, renderer_context=None, **kwargs):
        renderer_context = renderer_context or {}
        if isinstance(data, dict) and data.get(self.results_field) == []:
            # An empty page would be an empty body, which DRF sends without a Content-Type:
            # write the header row of the list's own fields (top level: there are no rows
            # to flatten; a field written but never answered has no column).
            view = renderer_context.get("view")
            if view is not None and hasattr(view, "get_serializer"):
                renderer_context = {
                    **renderer_context,
                    "header": sorted(
                        name
                        for name, field in view.get_serializer().fields.items()
                        if not field.write_only
                    ),
                }
        return super().render(data, media_type, renderer_context, **kwargs)

    def tablize(self, data, header=None, labels=None):
        for row in super().tablize(data, header=header, labels=labels):
            yield [neutralise_formula(cell) for cell in row]
