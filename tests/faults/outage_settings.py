"""Production settings for the server the PostgreSQL outage test runs, with plain static
storage: the test serves pages without running collectstatic first (the image runs it)."""

from llmregistry import settings as _production

globals().update({name: getattr(_production, name) for name in dir(_production) if name.isupper()})

STORAGES = {
    **_production.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
