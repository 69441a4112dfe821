"""Settings of bench/read_bench.py's server: the production settings unchanged, with the bench
urlconf (``bench_urls``) in front of the real one. Needs ``bench/`` on the import path."""

from llmregistry import settings as _registry

globals().update({name: getattr(_registry, name) for name in dir(_registry) if name.isupper()})

ROOT_URLCONF = "bench_urls"
