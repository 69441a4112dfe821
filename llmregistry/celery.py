"""The Celery application. Configured from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llmregistry.settings")

app = Celery("llmregistry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
