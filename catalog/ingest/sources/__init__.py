"""Every network and file read of the ingestion: the Hugging Face Hub, ModelScope, catalog feeds.

The ``parse`` package turns what these sources return into release facts without touching the
network. All HTTP goes through one kind of httpx client: 429 and 5xx answers are retried with
exponential backoff, ``Retry-After`` is honoured up to a cap on the total wait, every request has a
timeout, the User-Agent names the registry, and bodies are read up to a size cap. Every failure
surfaces as one ``SourceError`` whose one-line message names the source, the URL and what went
wrong. Tokens come from the constructors only, travel in headers to the configured endpoint, and are
never put in a message or a log line.

The modules: ``http`` (the client: transport, retries, size cap, ``SourceError``), ``common``
(what a source returns, JSON bodies, checks on what callers pass in), ``hub``, ``modelscope``
and ``feed`` (one source each).
"""

from catalog.ingest.sources.common import FetchedRelease, ListedRepository
from catalog.ingest.sources.feed import FeedSource
from catalog.ingest.sources.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    MIB,
    RETRIED_STATUS_CODES,
    USER_AGENT,
    SourceError,
)
from catalog.ingest.sources.hub import HubSource
from catalog.ingest.sources.modelscope import MODELSCOPE_DEFAULT_REVISION, ModelScopeSource

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MIB",
    "MODELSCOPE_DEFAULT_REVISION",
    "RETRIED_STATUS_CODES",
    "USER_AGENT",
    "FeedSource",
    "FetchedRelease",
    "HubSource",
    "ListedRepository",
    "ModelScopeSource",
    "SourceError",
]
