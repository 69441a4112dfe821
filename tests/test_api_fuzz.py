"""Schema-based fuzzing of the API (schemathesis): no 5xx, responses match the schema.

Bounded: a few generated examples per read operation, against the curated catalog, anonymous.
Every operation, writes included, is fuzzed deeper for server errors in tests/fuzz/ (`make fuzz`).
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from llmregistry.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(curated_catalog):
    # Like Django's test client: keep the test's connection (and transaction) open across
    # requests served through the real WSGI application.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


# Reads (what anonymous clients may do); writes are covered by tests/test_api.py.
@schema.include(method="GET").parametrize()
@settings(
    max_examples=8,
    # Random generation only: the explicit phase's coverage cases explode combinatorially on
    # the variant list's 30 filters.
    phases=[Phase.generate],
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
)
def test_no_server_errors_and_responses_match_the_schema(case):
    # schemathesis sends requests' default Accept-Encoding (gzip), and its in-process WSGI
    # transport, unlike an HTTP client, does not decode gzip: ask for the plain body.
    response = case.call(headers={"Accept-Encoding": "identity"})
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
