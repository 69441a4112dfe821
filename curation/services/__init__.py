"""Write paths that span apps. Every write with side effects across catalog, licences and
hardware goes through a function here: interfaces (admin, API, commands, MCP) call them."""

from curation.services.export import catalog_export, catalog_export_json
from curation.services.load import CatalogLoadError, CatalogLoadReport
from curation.services.load_evaluations import catalog_load
from curation.services.records import (
    curated_record_delete,
    curated_record_save,
    curated_records_delete,
    curated_records_set_status,
)

__all__ = [
    "CatalogLoadError",
    "CatalogLoadReport",
    "catalog_export",
    "catalog_export_json",
    "catalog_load",
    "curated_record_delete",
    "curated_record_save",
    "curated_records_delete",
    "curated_records_set_status",
]
