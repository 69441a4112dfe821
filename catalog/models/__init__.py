from catalog.models.families import ModelFamily
from catalog.models.features import ArchitectureFeature
from catalog.models.ingest import (
    IngestRun,
    IngestSource,
    IngestSourceResult,
    ReleaseCandidate,
    WatchedPublisher,
)
from catalog.models.lineages import Lineage
from catalog.models.organizations import Organization
from catalog.models.sources import Citation, Source
from catalog.models.variants import ModelVariant
from catalog.models.version_features import VersionFeature
from catalog.models.versions import ModelVersion

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
