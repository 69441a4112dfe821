from catalog.models.families import Lineage, ModelFamily, ModelVariant, ModelVersion, VersionFeature
from catalog.models.features import ArchitectureFeature
from catalog.models.organizations import Organization
from catalog.models.sources import Citation, Source

__all__ = [
    "ArchitectureFeature",
    "Citation",
    "Lineage",
    "ModelFamily",
    "ModelVariant",
    "ModelVersion",
    "Organization",
    "Source",
    "VersionFeature",
]
