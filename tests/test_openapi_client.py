"""A client generated from the OpenAPI schema, as API users generate theirs
(openapi-python-client, offline, at test time), used against the running registry: a filtered
list, a detail and an estimate. A test with our own client can pass while the schema misleads
every generated one (it described multi-value filters as lists of lists, the estimate's
answer as its request, public reads as needing credentials)."""

import datetime
import importlib
import subprocess
import sys

import httpx
import pytest

# Marked so pytest-django sets the test database up; the data lives in the module's server.
pytestmark = pytest.mark.django_db

PACKAGE = "llm_registry_api_client"
DEEPSEEK_V3 = "deepseek/deepseek-v3/deepseek-v3"
# From catalog/data/families/deepseek.yaml (computed exactly from its config.json).
DEEPSEEK_V3_TOTAL_PARAMETERS = 671_026_419_200


@pytest.fixture(scope="module")
def registry_url(curated_catalog_snapshot, django_db_blocker):
    """A live server over the test database holding the curated catalog, committed so the
    server's own connection sees it, and emptied again afterwards."""
    from pytest_django.live_server_helper import LiveServer

    from tests.catalog_snapshot import committed_catalog

    with django_db_blocker.unblock(), committed_catalog(curated_catalog_snapshot):
        server = LiveServer("127.0.0.1")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()


@pytest.fixture(scope="module")
def generated(registry_url, tmp_path_factory):
    """The client package generated from the schema the server serves (/api/schema/)."""
    folder = tmp_path_factory.mktemp("openapi-client")
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run over the generated code
    command = [
        sys.executable,
        "-m",
        "openapi_python_client",
        "generate",
        "--url",
        f"{registry_url}/api/schema/",
        "--meta",
        "none",
        "--output-path",
        str(folder / PACKAGE),
        "--config",
        str(config),
        "--fail-on-warning",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def client(generated, registry_url):
    # Anonymous: public reads need no credentials. The generated functions are typed
    # AuthenticatedClient for any operation with security requirements, even one that lists
    # anonymous access ({}) among them (openapi-python-client issue #1372); the plain
    # client is what an anonymous user has.
    return generated("client").Client(base_url=registry_url, raise_on_unexpected_status=True)


def test_a_generated_client_lists_variants_of_several_families_in_several_orders(
    generated, client, registry_url
):
    variants_list = generated("api.api.api_v1_variants_list")
    ordering = generated("models").ApiV1VariantsListOrderingItem
    page = variants_list.sync(
        client=client,
        family=["qwen", "deepseek"],
        ordering=[ordering("-total_parameters"), ordering("name")],
        page_size=500,
    )
    assert page.count == len(page.results) > 10
    assert {variant.family.slug for variant in page.results} == {"qwen", "deepseek"}
    keys = [variant.key for variant in page.results]
    assert DEEPSEEK_V3 in keys
    # The same list as the documented comma form: both orderings applied, not only the last.
    same = httpx.get(
        f"{registry_url}/api/v1/variants/",
        params={"family": "qwen,deepseek", "ordering": "-total_parameters,name", "page_size": 500},
    ).json()
    assert keys == [variant["key"] for variant in same["results"]]
    sizes = [variant.total_parameters for variant in page.results]
    known = [size for size in sizes if isinstance(size, int)]
    assert known == sorted(known, reverse=True)


def test_a_generated_client_reads_a_variant_by_its_key(generated, client):
    variant = generated("api.api.api_v1_variants_retrieve").sync(client=client, key=DEEPSEEK_V3)
    assert isinstance(variant, generated("models").VariantDetail)
    assert variant.key == DEEPSEEK_V3
    assert variant.name == "DeepSeek-V3"
    assert variant.total_parameters == DEEPSEEK_V3_TOTAL_PARAMETERS
    assert variant.organization.slug == "deepseek"
    assert variant.sources
    assert all(source.url.startswith("https://") for source in variant.sources)


def test_a_generated_client_estimates_a_variant(generated, client):
    models = generated("models")
    body = models.EstimateRequest(variant="deepseek-v3", precision=models.PrecisionEnum("fp8"))
    estimate = generated("api.api.api_v1_estimate_create").sync(client=client, body=body)
    assert isinstance(estimate, models.Estimate)
    assert estimate.variant == "deepseek-v3"
    assert estimate.inputs.precision == "fp8"
    assert estimate.total_params == DEEPSEEK_V3_TOTAL_PARAMETERS
    assert estimate.memory.total_bytes > estimate.memory.weights_bytes > 600 * 10**9
    assert estimate.breakdown
    assert estimate.fits
    fitting = {fit.profile for fit in estimate.fits if fit.fits}
    assert estimate.smallest_profile in fitting if fitting else estimate.smallest_profile is None
    # Every field of the answer is in the schema: nothing landed in the catch-all.
    parts = [estimate, estimate.inputs, estimate.memory, estimate.extra_params]
    parts += [*estimate.breakdown, *estimate.fits]
    assert [part.additional_properties for part in parts] == [{} for _ in parts]


def test_a_generated_client_filters_by_territory_and_by_change_date(generated, client):
    variants_list = generated("api.api.api_v1_variants_list")
    families = ["llama", "qwen"]
    everywhere = variants_list.sync(client=client, family=families, page_size=500)
    in_germany = variants_list.sync(
        client=client, family=families, license_allowed_in="DE", page_size=500
    )
    keys = {variant.key for variant in in_germany.results}
    # Llama 4's licence withholds the multimodal models from the European Union; Apache-2.0
    # is recorded as worldwide.
    assert "llama/llama-4/llama-4-scout-17b-16e" not in keys
    assert "qwen/qwen2-5/qwen2-5-7b-instruct" in keys
    assert in_germany.count < everywhere.count
    licenses = generated("api.api.api_v1_licenses_list").sync(
        client=client, allowed_in="DE", page_size=500
    )
    assert "llama-4-community" not in {license.slug for license in licenses.results}
    assert "apache-2-0" in {license.slug for license in licenses.results}
    later = variants_list.sync(
        client=client, family=["llama"], changed_since=datetime.date(2999, 1, 1), page_size=500
    )
    assert later.count == 0


def test_a_generated_client_reads_results_and_the_best_model_that_fits(generated, client):
    results = generated("api.api.api_v1_evaluations_list").sync(
        client=client, benchmark=["gpqa-diamond"], thinking=True, page_size=500
    )
    assert results.count == len(results.results) > 0
    assert {r.benchmark for r in results.results} == {"gpqa-diamond"}
    assert all(r.thinking for r in results.results)
    assert all(r.comparable_key.startswith("gpqa-diamond|") for r in results.results)
    answer = generated("api.api.api_v1_best_fit_retrieve").sync(
        client=client,
        accelerator="nvidia-rtx-4090",
        count=2,
        precision="awq-int4",
        context_tokens="32768",
        benchmark="mmlu-redux",
    )
    assert answer.benchmark.slug == "mmlu-redux"
    assert answer.points
    assert any(point.on_frontier for point in answer.points)
    assert all(point.memory_bytes > 0 for point in answer.points)
    parts = [answer, answer.benchmark, *answer.points, *answer.settings]
    assert [part.additional_properties for part in parts] == [{} for _ in parts]


@pytest.fixture(scope="module")
def our_approval(registry_url, django_db_blocker):
    """A viewer's API token and a decided approval, committed for the live server; removed
    afterwards (the catalog's own clean-up does not reach users and use cases)."""
    from adoption.models import Approval, UseCase
    from adoption.services.approvals import approval_decide
    from catalog.models import ModelVariant
    from core.models import ApiToken
    from tests import factories

    with django_db_blocker.unblock():
        variant = ModelVariant.objects.get(slug="deepseek-v3", version__slug="deepseek-v3")
        approval = factories.ApprovalFactory(variant=variant, use_case__slug="support-chat")
        approver = factories.make_approver("client-approver")
        approval_decide(
            approval=approval,
            status="approved_with_conditions",
            conditions="Internal users only.",
            user=approver,
        )
        viewer = factories.make_staff("client-viewer", "viewer")
        _, plaintext = ApiToken.issue(user=viewer, name="generated client")
        try:
            yield approval, plaintext
        finally:
            Approval.objects.filter(pk=approval.pk).delete()
            UseCase.objects.filter(slug="support-chat").delete()
            ApiToken.objects.filter(user__in=[viewer, approver]).delete()
            viewer.delete()
            approver.delete()


def test_a_generated_client_reads_our_approvals_with_a_viewers_token(
    generated, registry_url, our_approval
):
    approval, token = our_approval
    signed_in = generated("client").AuthenticatedClient(
        base_url=registry_url, token=token, prefix="Token", raise_on_unexpected_status=True
    )
    listed = generated("api.api.api_v1_approvals_list").sync(
        client=signed_in, variant=[DEEPSEEK_V3]
    )
    assert [(a.id, a.status, a.conditions) for a in listed.results] == [
        (approval.pk, "approved_with_conditions", "Internal users only.")
    ]
    # Anonymous: the answer of a path that does not exist (not in the schema's answers).
    anonymous = generated("client").Client(base_url=registry_url)
    answer = generated("api.api.api_v1_approvals_list").sync_detailed(client=anonymous)
    assert answer.status_code == 404
