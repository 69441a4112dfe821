"""Deep schema fuzzing of every API operation (schemathesis): no input makes the API answer 5xx.

Every operation of the OpenAPI schema (reads, creates, replaces, partial updates, deletes, the
estimate and the export) is called with generated parameters and bodies, valid and invalid
(schemathesis' positive and negative modes), as an editor with a write token and, for reads,
anonymously, against a database holding the curated catalog and factory records. Path
parameters are drawn from real keys about as often as from random text, so writes and deletes reach
existing records. Each call runs in a savepoint rolled back afterwards: every example sees the
same data.

``FUZZ_EXAMPLES`` sets the number of examples per operation: a few in ``make test`` (the same
test, run quickly), many in ``make fuzz`` (the CI step after ``make test``). A failure shows the
request that produced the 5xx and a curl line to replay it.
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from catalog.models import (
    ArchitectureFeature,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
)
from core.api.throttling import ResilientAnonRateThrottle
from core.models import ApiToken
from hardware.models import Accelerator, HardwareProfile, Recommendation, SizeTier
from licenses.models import License
from llmregistry.wsgi import application
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# Keys of real records per resource (the path segment after /api/v1/), filled by fuzz_data.
_KEYS: dict[str, list[str]] = {}


def _real_keys() -> dict[str, list[str]]:
    """Keys of records the fuzzer may address, per resource path segment."""

    def slugs(model):
        return list(model.objects.order_by("pk").values_list("slug", flat=True)[:20])

    return {
        "organizations": slugs(Organization),
        "families": slugs(ModelFamily),
        "features": slugs(ArchitectureFeature),
        "licenses": slugs(License),
        "accelerators": slugs(Accelerator),
        "profiles": slugs(HardwareProfile),
        "size-tiers": slugs(SizeTier),
        "versions": [
            f"{v.family.slug}/{v.slug}"
            for v in ModelVersion.objects.select_related("family").order_by("pk")[:20]
        ],
        "variants": [
            f"{v.version.family.slug}/{v.version.slug}/{v.slug}"
            for v in ModelVariant.objects.select_related("version__family").order_by("pk")[:20]
        ],
        "recommendations": [
            str(pk)
            for pk in Recommendation.objects.order_by("pk").values_list("pk", flat=True)[:20]
        ],
    }


def _with_real_keys(context, strategy):
    """Half of the path parameters name a real record (``before_generate_path_parameters``)."""
    resource = context.operation.path.removeprefix("/api/v1/").split("/")[0]
    keys = _KEYS.get(resource)
    if not keys:
        return strategy
    names = [p.name for p in context.operation.path_parameters]
    real = st.sampled_from(keys).map(lambda key: dict.fromkeys(names, key))
    return st.one_of(strategy, real)


def _sendable(context, strategy):
    """Only bodies the WSGI test transport can encode (``before_generate_case``): it builds
    multipart bodies from a mapping, so a negative example's bare number or list cannot be sent
    as ``multipart/form-data`` (JSON carries it, and is fuzzed with every shape)."""
    return strategy.filter(
        lambda case: case.media_type != "multipart/form-data" or isinstance(case.body, dict)
    )


@pytest.fixture
def fuzz_data(curated_catalog):
    """Factory records beside the curated catalog: drafts, lineage, recommendations."""
    variant = factories.VariantFactory(version__status="draft")
    factories.LineageFactory(parent=variant)
    factories.RecommendationFactory(variant=variant)
    factories.VersionFeatureFactory()
    factories.CitationFactory()
    factories.SizeTierFactory(slug="999b", label="999B", parameters_billion=999)
    _KEYS.clear()
    _KEYS.update(_real_keys())
    yield
    _KEYS.clear()


@pytest.fixture
def api_schema(fuzz_data, monkeypatch):
    # Thousands of anonymous calls in a minute: the rate limit is tested in tests/test_api.py.
    monkeypatch.setattr(ResilientAnonRateThrottle, "THROTTLE_RATES", {"anon": "1000000/min"})
    # Like Django's test client: keep the test's connection (and transaction) open across
    # requests served through the real WSGI application.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
        loaded.hook("before_generate_path_parameters")(_with_real_keys)
        loaded.hook("before_generate_case")(_sendable)
        yield loaded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def editor_authorization():
    _, plaintext = ApiToken.issue(user=factories.make_editor("fuzz-editor"), name="fuzz")
    return {"Authorization": f"Token {plaintext}"}


schema = schemathesis.pytest.from_fixture("api_schema")

FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    # Random generation only: the explicit phase's coverage cases explode combinatorially on
    # the variant list's 30 filters.
    phases=[Phase.generate],
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same examples on every run: a failure replays
)


def _call(case, **kwargs):
    """One call in a savepoint rolled back afterwards, so every example sees the same data.
    The plain body: schemathesis asks for gzip, which its WSGI transport does not decode."""
    headers = {"Accept-Encoding": "identity", **kwargs.pop("headers", {})}
    with transaction.atomic():
        response = case.call(headers=headers, **kwargs)
        transaction.set_rollback(True)
    return response


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_answers_an_editor_with_a_server_error(case, editor_authorization):
    response = _call(case, headers=editor_authorization)
    case.validate_response(response, checks=(not_a_server_error,))


@schema.include(method="GET").parametrize()
@FUZZ_SETTINGS
def test_no_read_answers_an_anonymous_client_with_a_server_error(case):
    response = _call(case)
    case.validate_response(response, checks=(not_a_server_error,))
