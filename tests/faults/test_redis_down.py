"""Redis stopped (killed) under the app: public pages, API reads, admin login and admin saves
keep working; a save that enqueues the recommendation recompute returns in bounded time and
leaves its run recorded as queued; once Redis is back the nightly recompute covers the edit,
new saves reach the queue again and pages are cached again. Redis hung (accepting connections,
never answering): every request still answers, each Redis call giving up after the client
timeout.

Redis here is a private server on a free port (the shared one is never stopped), used the way
production uses it: the page cache and throttle counters in database 1, the Celery queue in
database 0, with the production client timeouts.
"""

import time

import pytest
import redis
from django.contrib.auth import get_user_model
from django.urls import reverse

from catalog.models import ModelVariant
from hardware.models import Recommendation, RecomputeRun
from hardware.tasks import recompute_recommendations
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

# A refused connection fails at once; one publish retry and its pause stay well below this.
ENQUEUE_BOUND_SECONDS = 3.0
# Slack for a loaded machine on top of the waits the settings allow a hung Redis.
MARGIN_SECONDS = 1.5
PASSWORD = "a-long-test-password"


@pytest.fixture
def redis_backed(settings, private_redis, celery_on):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url(1),
            "KEY_PREFIX": "llmregistry",
            "OPTIONS": settings.REDIS_CLIENT_OPTIONS,
        }
    }
    settings.REGISTRY_PAGE_CACHE_SECONDS = 300
    return private_redis


def _variant_urls(variant: ModelVariant) -> list[str]:
    version = variant.version
    key = f"{version.family.slug}/{version.slug}/{variant.slug}"
    return [
        reverse("catalog:variant_list"),
        reverse(
            "catalog:variant_detail",
            kwargs={
                "family": version.family.slug,
                "version": version.slug,
                "variant": variant.slug,
            },
        ),
        reverse("variant-list"),
        reverse("variant-detail", args=[key]),
    ]


def _change_form_data(response) -> dict:
    """The POST an unchanged admin change form sends: the main form and every inline formset
    (management forms included), as the browser would."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def _save_variant(client, variant: ModelVariant, description: str):
    url = reverse("admin:catalog_modelvariant_change", args=[variant.pk])
    data = _change_form_data(client.get(url))
    data["description"] = description
    started = time.monotonic()
    response = client.post(url, data)
    return response, time.monotonic() - started


def test_reads_logins_and_saves_keep_working_while_redis_is_down(client, redis_backed):
    variant = factories.VariantFactory()
    get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    assert client.get(reverse("catalog:variant_list"))["X-Page-Cache"] == "miss"

    redis_backed.kill()

    for url in _variant_urls(variant):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "X-Page-Cache" not in response, url

    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"

    response, seconds = _save_variant(client, variant, "Edited while Redis was down.")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert seconds < ENQUEUE_BOUND_SECONDS
    variant.refresh_from_db()
    assert variant.description == "Edited while Redis was down."
    # The work the save needed is recorded, waiting for a worker or the nightly run.
    run = RecomputeRun.objects.latest("created_at")
    assert (run.status, run.scope) == (RecomputeRun.Status.QUEUED, str(variant.pk))
    assert not Recommendation.objects.filter(variant=variant).exists()

    redis_backed.start()

    # The nightly safety net (the beat schedule's task) recomputes everything, this edit too.
    recompute_recommendations.apply()
    assert Recommendation.objects.filter(variant=variant).exists()
    assert RecomputeRun.objects.latest("created_at").status == RecomputeRun.Status.SUCCEEDED

    # New saves reach the queue again (the pooled connection Redis dropped is replaced) ...
    queue = redis.Redis.from_url(redis_backed.url(0))
    response, seconds = _save_variant(client, variant, "Edited after Redis came back.")
    assert response.status_code == 302
    assert queue.llen("celery") == 1
    # ... and anonymous pages are cached again.
    client.logout()
    client.get(reverse("catalog:variant_list"))
    assert client.get(reverse("catalog:variant_list"))["X-Page-Cache"] == "hit"


def test_a_hung_redis_costs_a_request_a_bounded_wait_not_a_hang(client, redis_backed, settings):
    timeout = settings.REDIS_SOCKET_TIMEOUT_SECONDS
    publish_retry = settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    variant = factories.VariantFactory()
    editor = get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    page = reverse("catalog:variant_list")
    client.get(page)

    redis_backed.freeze()

    # The page cache reads, then stores: two calls that each time out.
    started = time.monotonic()
    response = client.get(page)
    assert response.status_code == 200
    assert time.monotonic() - started < 2 * timeout + MARGIN_SECONDS

    client.force_login(editor)
    response, seconds = _save_variant(client, variant, "Edited while Redis hung.")
    assert response.status_code == 302
    attempts = publish_retry["max_retries"] + 1
    assert seconds < attempts * timeout + publish_retry["interval_max"] + MARGIN_SECONDS
    run = RecomputeRun.objects.latest("created_at")
    assert (run.status, run.scope) == (RecomputeRun.Status.QUEUED, str(variant.pk))
