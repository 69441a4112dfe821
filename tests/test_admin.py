"""Every admin changelist and change page loads, in constant queries."""

import pytest
from django.contrib import admin
from django.urls import reverse
from pghistory.models import Events

from adoption.models import (
    Approval,
    Artifact,
    Delivery,
    Deployment,
    Event,
    Subscription,
    UseCase,
    Webhook,
)
from catalog.models import (
    ArchitectureFeature,
    Citation,
    IngestRun,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
    ReleaseCandidate,
    Source,
    WatchedPublisher,
)
from evaluations.models import Benchmark, Claim, Result
from hardware.models import Accelerator, HardwareProfile, Recommendation, RecomputeRun, SizeTier
from licenses.models import License
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

FACTORIES = {
    Organization: factories.OrganizationFactory,
    ArchitectureFeature: factories.FeatureFactory,
    ModelFamily: factories.FamilyFactory,
    ModelVersion: factories.VersionFactory,
    ModelVariant: factories.VariantFactory,
    Lineage: factories.LineageFactory,
    Source: factories.SourceFactory,
    Citation: factories.CitationFactory,
    License: factories.LicenseFactory,
    Accelerator: factories.AcceleratorFactory,
    HardwareProfile: factories.ProfileFactory,
    SizeTier: factories.SizeTierFactory,
    Recommendation: factories.RecommendationFactory,
    RecomputeRun: factories.RecomputeRunFactory,
    WatchedPublisher: factories.WatchedPublisherFactory,
    IngestRun: factories.IngestRunFactory,
    ReleaseCandidate: factories.ReleaseCandidateFactory,
    Benchmark: factories.BenchmarkFactory,
    Result: factories.ResultFactory,
    Claim: factories.ClaimFactory,
    UseCase: factories.UseCaseFactory,
    Approval: factories.ApprovalFactory,
    Deployment: factories.DeploymentFactory,
    Artifact: factories.ArtifactFactory,
    Webhook: factories.WebhookFactory,
    Subscription: factories.SubscriptionFactory,
    Event: factories.EventFactory,
    Delivery: factories.DeliveryFactory,
}
# Computed or ingested rows: no add page.
READ_ONLY = {Recommendation, RecomputeRun, IngestRun, ReleaseCandidate, Event, Delivery}
OUR_APPS = {"catalog", "licenses", "hardware", "evaluations", "adoption"}


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_registered_model_of_ours_has_a_factory_here():
    registered = {m for m in admin.site._registry if m._meta.app_label in OUR_APPS}
    assert registered == set(FACTORIES)


@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    factory = FACTORIES[model]
    url = _changelist(model)
    factory()
    one = count_queries(lambda: admin_client.get(url))
    factory.create_batch(4)
    many = count_queries(lambda: admin_client.get(url))
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()
    assert_same_query_count(one, many, f"{model.__name__} changelist")


@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_change_and_add_pages_load(admin_client, model):
    record = FACTORIES[model]()
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert admin_client.get(reverse(f"{info}_change", args=[record.pk])).status_code == 200
    expected = 403 if model in READ_ONLY else 200
    assert admin_client.get(reverse(f"{info}_add")).status_code == expected


def test_version_page_queries_do_not_grow_with_inline_variants(admin_client):
    version = factories.VersionFactory()
    factories.VariantFactory(version=version)
    url = reverse("admin:catalog_modelversion_change", args=[version.pk])
    one = count_queries(lambda: admin_client.get(url))
    factories.VariantFactory.create_batch(4, version=version)
    many = count_queries(lambda: admin_client.get(url))
    assert_same_query_count(one, many, "version change page")


def test_history_changelist_queries_do_not_grow_with_events(admin_client):
    url = _changelist(Events)
    factories.OrganizationFactory()
    one = count_queries(lambda: admin_client.get(url))
    factories.OrganizationFactory.create_batch(4)
    many = count_queries(lambda: admin_client.get(url))
    assert admin_client.get(url).status_code == 200
    assert_same_query_count(one, many, "history changelist")


def test_editor_group_can_curate_and_viewer_group_only_view(client):
    editor = factories.make_editor()
    client.force_login(editor)
    assert client.get(reverse("admin:catalog_modelvariant_add")).status_code == 200
    viewer = factories.make_editor("viewer-user")
    viewer.groups.clear()
    viewer.groups.add(factories.Group.objects.get(name="viewer"))
    client.force_login(viewer)
    assert client.get(_changelist(ModelVariant)).status_code == 200
    assert client.get(reverse("admin:catalog_modelvariant_add")).status_code == 403


def test_curated_lists_filter_records_that_differ_from_the_seed(admin_client):
    factories.OrganizationFactory(seed_claim="种子文档: … — corrected")
    factories.OrganizationFactory()
    response = admin_client.get(_changelist(Organization) + "?seed_claim=yes")
    assert response.context["cl"].result_count == 1


def test_editors_review_release_candidates_and_viewers_only_see_them(client):
    candidate = factories.ReleaseCandidateFactory()
    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])
    editor = factories.make_editor()
    assert editor.has_perm("catalog.change_releasecandidate")
    assert editor.has_perm("catalog.change_watchedpublisher")
    client.force_login(editor)
    assert client.get(url).status_code == 200
    viewer = factories.make_editor("viewer-user")
    viewer.groups.clear()
    viewer.groups.add(factories.Group.objects.get(name="viewer"))
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"revision": candidate.revision, "action": "reject"}).status_code == 403
    assert client.get(_changelist(IngestRun)).status_code == 200
