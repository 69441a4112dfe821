from rest_framework_csv.renderers import PaginatedCSVRenderer


class ListCSVRenderer(PaginatedCSVRenderer):
    """CSV of a list page (`?format=csv`): the same rows and filters as the JSON, nested
    objects flattened into dotted columns."""

    results_field = "results"
    format = "csv"
