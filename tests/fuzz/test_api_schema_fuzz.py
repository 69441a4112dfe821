"""Deep schema fuzzing of every API operation (schemathesis): no input makes the API answer 5xx.

Every operation of the OpenAPI schema (reads, creates, replaces, partial updates, deletes, the
estimate and the export) is called with generated parameters and bodies, valid and invalid
(schemathesis' positive and negative modes), as an editor with a write token and, for reads,
anonymously, against a database holding the curated catalog and factory records. Path
parameters are drawn from real keys about as often as from random text, so writes and deletes reach
existing records. Each call runs in a savepoint rolled back afterwards: every example sees the
same data.

Each operation is a test item of its own (schemathesis' per-operation tests, from the schema
/api/schema/ serves, made at collection without the database), so ``--dist load`` spreads the
operations over the workers. ``FUZZ_EXAMPLES`` sets the depth: the average number of examples
per item, a few in ``make test`` (the same tests, run quickly), many in ``make fuzz`` (the CI
step after ``make test``). An operation's share grows with what it takes in (``example_budgets``):
the variant list's 32 filters and the writes' bodies get more examples than a read by key or
the export. A failure shows the request that produced the 5xx and a curl line to replay it.
"""

import math
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
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
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# Keys of real records per resource (the path segment after /api/v1/), filled by fuzz_data.
_KEYS: dict[str, list[str]] = {}


def _inputs(document: dict, operation: dict) -> int:
    """How many inputs an operation takes: its parameters and its request body's fields."""
    count = len(operation.get("parameters", []))
    for content in operation.get("requestBody", {}).get("content", {}).values():
        body = content.get("schema", {})
        if "$ref" in body:
            body = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
        # Every media type of a body (JSON, form, multipart) carries the same fields.
        return count + len(body.get("properties", {}))
    return count


def example_budgets(document: dict, examples: int) -> dict[str, int]:
    """Examples per operation label (``GET /api/v1/variants/``), ``examples`` on average over
    the items of both tests (the editor's, every operation; the anonymous client's, the reads).

    An operation's weight is one plus the base-2 logarithm of one plus its inputs: the export
    (no input) 1, a read or delete by key 2, a write of a dozen fields about 4.7, the variant
    list's 32 filters 6, a variant write's 41 fields 6.4. The examples go where the inputs are
    (every filter combined with the others, every body field against validation and the
    database's constraints), while the slowest calls, the big writes, get only about three
    times a read by key: the total time stays close to that of the examples spread evenly.
    """
    weights = {}
    items = 0
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method not in HTTP_METHODS:
                continue
            runs = 2 if method == "get" else 1  # the editor's test, and the anonymous one
            weights[f"{method.upper()} {path}"] = (
                runs,
                1 + math.log2(1 + _inputs(document, operation)),
            )
            items += runs
    scale = examples * items / sum(runs * weight for runs, weight in weights.values())
    return {label: max(1, round(weight * scale)) for label, (_, weight) in weights.items()}


def served_document() -> dict:
    """The OpenAPI document /api/schema/ serves: drf-spectacular's generator, as its view calls
    it, without a request or the database (so it can be made when the tests are collected)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _load_schema() -> schemathesis.BaseSchema:
    """The served schema, called through the WSGI application, each operation with its
    budget of examples."""
    document = served_document()
    config = schemathesis.Config.from_dict(
        {
            "operations": [
                {"include-name": label, "generation": {"max-examples": budget}}
                for label, budget in example_budgets(document, FUZZ_EXAMPLES).items()
            ]
        }
    )
    loaded = schemathesis.openapi.from_dict(document, config=config)
    loaded.app = application
    return loaded


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


schema = _load_schema()
# Before the tests are collected: each operation's strategy is built then.
schema.hook("before_generate_path_parameters")(_with_real_keys)
schema.hook("before_generate_case")(_sendable)


@pytest.fixture(scope="module")
def fuzz_data(curated_catalog, django_db_blocker):
    """Factory records beside the curated catalog: drafts, lineage, recommendations. Made once
    for the module's operations, in the catalog's transaction (every call is rolled back)."""
    with django_db_blocker.unblock():
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


@pytest.fixture(scope="module")
def editor_authorization(fuzz_data, django_db_blocker):
    """An editor's write token, made once for the module (hashing its password takes a while)."""
    with django_db_blocker.unblock():
        _, plaintext = ApiToken.issue(user=factories.make_editor("fuzz-editor"), name="fuzz")
    return {"Authorization": f"Token {plaintext}"}


@pytest.fixture
def served_api(fuzz_data, monkeypatch):
    """The API served through the real WSGI application on the test's connection."""
    # Thousands of anonymous calls in a minute: the rate limit is tested in tests/test_api.py.
    monkeypatch.setattr(ResilientAnonRateThrottle, "THROTTLE_RATES", {"anon": "1000000/min"})
    # Like Django's test client: keep the test's connection (and transaction) open across
    # requests served through the real WSGI application.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


FUZZ_SETTINGS = settings(
    # No max_examples here: each operation's budget (its schemathesis configuration) applies.
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


def test_the_schema_fuzzed_is_the_one_the_api_serves(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json() == served_document()


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_answers_an_editor_with_a_server_error(case, served_api, editor_authorization):
    response = _call(case, headers=editor_authorization)
    case.validate_response(response, checks=(not_a_server_error,))


# Every operation but the writes (the schema's own operation filters match every operation, so
# an include filter would add to them, not narrow them).
@schema.exclude(method=["POST", "PUT", "PATCH", "DELETE"]).parametrize()
@FUZZ_SETTINGS
def test_no_read_answers_an_anonymous_client_with_a_server_error(case, served_api):
    response = _call(case)
    case.validate_response(response, checks=(not_a_server_error,))
