from catalog.models.families import Lineage, ModelFamily, ModelVariant, ModelVersion, VersionFeature
from catalog.models.features import ArchitectureFeature
from catalog.models.ingest import (
    IngestRun,
    IngestSource,
    IngestSourceResult,
    ReleaseCandidate,
    WatchedPublisher,
)
from catalog.models.organizations import Organization
from catalog.models.sources import Citation, Source

__all__ = [
    "ArchitectureFeature",
    "Citation",
    "IngestRun",
    "IngestSource",
    "IngestSourceResult",
    "Lineage",
    "ModelFamily",
    "ModelVariant",
    "ModelVersion",
    "Organization",
    "ReleaseCandidate",
    "Source",
    "VersionFeature",
    "WatchedPublisher",
]
