"""Ingestion of new releases: sources (network), pure parsers and the review services."""
