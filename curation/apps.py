from django.apps import AppConfig

from core.curated_writes import register_curated_writes


class CurationConfig(AppConfig):
    """Write paths that span the domain apps: save, status, delete, load, export, review; and
    the interfaces that write through them (the admin, the export API, the load commands).

    One layer above catalog, licences and hardware; it has no models of its own."""

    name = "curation"

    def ready(self):
        # Imported here: the services import the domain apps' models, loaded only by now.
        from curation.services import curated_record_delete, curated_record_save

        # Core's API base classes and history restore write curated records through these.
        register_curated_writes(save=curated_record_save, delete=curated_record_delete)
