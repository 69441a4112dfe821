"""Core's models: API tokens and the catalog generation (its app label is ``llmregistry``),
and the abstract base the apps' curated records share."""

from core.models.curated import CuratedRecord
from core.models.generation import CatalogGeneration
from core.models.tokens import TOKEN_PREFIX, ApiToken, hash_token

__all__ = ["TOKEN_PREFIX", "ApiToken", "CatalogGeneration", "CuratedRecord", "hash_token"]
