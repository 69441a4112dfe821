from django.apps import AppConfig


class CurationConfig(AppConfig):
    """Write paths that span the domain apps: save, status, delete, load, export, review.

    One layer above catalog, licences and hardware; it has no models of its own."""

    name = "curation"
