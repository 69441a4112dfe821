"""Writes of the catalog's own records. Write paths that span apps (saving a curated record,
its status, deleting, loading and exporting the catalog, reviewing release candidates) live
one layer up, in ``curation/services/``."""

from catalog.services.versions import version_features_set

__all__ = ["version_features_set"]
