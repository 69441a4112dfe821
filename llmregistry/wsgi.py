import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llmregistry.settings")

application = get_wsgi_application()

# Import every view now rather than at the first request (Django loads the URLconf lazily),
# then move everything loaded so far out of the collector's reach. A full collection otherwise
# walks the whole framework and every imported module: about 180 ms, every few dozen MCP calls
# (their answers allocate many small objects), measured in bench/mcp_bench.py's p99.
get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
