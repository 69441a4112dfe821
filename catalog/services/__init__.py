"""Write paths of the catalog. Every write with side effects goes through a function here."""

from catalog.services.catalog_load import CatalogLoadError, CatalogLoadReport, catalog_load
from catalog.services.records import (
    curated_record_save,
    curated_records_set_status,
    version_features_set,
)

__all__ = [
    "CatalogLoadError",
    "CatalogLoadReport",
    "catalog_load",
    "curated_record_save",
    "curated_records_set_status",
    "version_features_set",
]
