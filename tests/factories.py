"""Factories for curated records: valid by default, every slug unique."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from adoption.models import (
    Approval,
    Artifact,
    ArtifactFile,
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
    VersionFeature,
    WatchedPublisher,
)
from evaluations.models import Benchmark, Claim, Result
from hardware.models import (
    Accelerator,
    HardwareProfile,
    Recommendation,
    RecomputeRun,
    SizeTier,
)
from licenses.models import License


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organization {n}")
    country = "US"


class FeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArchitectureFeature

    slug = factory.Sequence(lambda n: f"feature-{n}")
    name = factory.Sequence(lambda n: f"Feature {n}")
    category = "attention"


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = License

    slug = factory.Sequence(lambda n: f"license-{n}")
    name = factory.Sequence(lambda n: f"License {n}")
    kind = "permissive"
    commercial_use = "allowed"


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelFamily

    slug = factory.Sequence(lambda n: f"family-{n}")
    name = factory.Sequence(lambda n: f"Family {n}")
    organization = factory.SubFactory(OrganizationFactory)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    family = factory.SubFactory(FamilyFactory)
    slug = factory.Sequence(lambda n: f"version-{n}")
    name = factory.Sequence(lambda n: f"Version {n}")
    release_date = datetime.date(2024, 1, 1)
    license = factory.SubFactory(LicenseFactory)
    default_context_tokens = 4096
    max_context_tokens = 8192


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVariant

    version = factory.SubFactory(VersionFactory)
    slug = factory.Sequence(lambda n: f"variant-{n}")
    name = factory.Sequence(lambda n: f"Variant-{n}")
    total_parameters = 6_738_415_616
    num_layers = 32
    hidden_size = 4096
    num_attention_heads = 32
    num_kv_heads = 32
    head_dim = 128
    intermediate_size = 11008
    vocab_size = 32000


class LineageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lineage

    parent = factory.SubFactory(VariantFactory)
    child = factory.SubFactory(VariantFactory)
    kind = "finetune"


class VersionFeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VersionFeature

    version = factory.SubFactory(VersionFactory)
    feature = factory.SubFactory(FeatureFactory)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://example.org/source/{n}")
    title = factory.Sequence(lambda n: f"Source {n}")


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    record = factory.SubFactory(VersionFactory)


class AcceleratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accelerator

    slug = factory.Sequence(lambda n: f"accelerator-{n}")
    vendor = "NVIDIA"
    name = factory.Sequence(lambda n: f"GPU {n}")
    form = "datacenter"
    memory = 80
    memory_bandwidth_gbps = 3350


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HardwareProfile

    slug = factory.Sequence(lambda n: f"profile-{n}")
    name = factory.Sequence(lambda n: f"Profile {n}")
    accelerator = factory.SubFactory(AcceleratorFactory)
    count = 1


class SizeTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SizeTier

    slug = factory.Sequence(lambda n: f"{n + 1}b")
    label = factory.Sequence(lambda n: f"{n + 1}B")
    parameters_billion = factory.Sequence(lambda n: n + 1)


def make_editor(username: str = "editor"):
    return make_staff(username, "editor")


def make_staff(username: str, group: str):
    """A staff user in one role group: editor, viewer or approver."""
    user = get_user_model().objects.create_user(
        username=username, password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def make_approver(username: str = "approver"):
    return make_staff(username, "approver")


def token_client(user, *, read_only: bool = False):
    """An API client sending ``Authorization: Token …`` of ``user``."""
    from rest_framework.test import APIClient

    from core.models import ApiToken

    _, plaintext = ApiToken.issue(user=user, name="test", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    return client


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    variant = factory.SubFactory(VariantFactory)
    workload = "inference"
    precision = "bf16"
    context_tokens = factory.Sequence(lambda n: 1024 * (n + 1))
    total_bytes = 16 * 1024**3
    weights_bytes = 14 * 1024**3
    kv_cache_bytes = 1024**3
    breakdown = factory.LazyFunction(dict)
    smallest_profile = factory.SubFactory(ProfileFactory)
    estimator_version = "1.0.0"
    input_digest = "x"
    computed_at = factory.LazyFunction(timezone.now)


class RecomputeRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecomputeRun

    status = "succeeded"


class WatchedPublisherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WatchedPublisher

    source = "hf"
    author = factory.Sequence(lambda n: f"publisher-{n}")
    organization = factory.SubFactory(OrganizationFactory)


class IngestRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IngestRun

    trigger = "command"
    status = "succeeded"


class ReleaseCandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReleaseCandidate

    source = "hf"
    upstream_id = factory.Sequence(lambda n: f"example-org/Model-{n}-7B")
    revision = factory.Sequence(lambda n: f"{n:040x}")
    upstream_url = factory.LazyAttribute(lambda c: f"https://huggingface.co/{c.upstream_id}")
    version = factory.SubFactory(VersionFactory)
    proposed = factory.LazyAttribute(
        lambda c: {"name": c.upstream_id.split("/")[1], "slug": c.upstream_id.split("/")[1].lower()}
    )
    diff = factory.LazyAttribute(
        lambda c: {"name": {"current": None, "upstream": c.proposed["name"]}}
    )
    facts = factory.LazyAttribute(lambda c: {"notes": [], "license_tag": "apache-2.0"})
    payload = factory.LazyAttribute(lambda c: {"info": {"id": c.upstream_id}, "config": None})


class BenchmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benchmark
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"bench-{n}")
    name = factory.Sequence(lambda n: f"Bench {n}")
    category = "knowledge"
    metric = "accuracy"
    scale_min = 0
    scale_max = 100


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    variant = factory.SubFactory(VariantFactory)
    benchmark = factory.SubFactory(BenchmarkFactory)
    value = factory.Sequence(lambda n: 40 + n % 50)
    metric = "accuracy"
    shots = 5
    reported_by = "publisher"
    reporter = "Publisher"
    date = datetime.date(2025, 1, 1)
    source_url = factory.Sequence(lambda n: f"https://example.org/card-{n}")
    source_title = "Model card"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    seed_text = factory.Sequence(lambda n: f"种子文档的说法 {n}")
    version = factory.SubFactory(VersionFactory)
    verdict = "supported"
    explanation = "The source says so."
    source_url = "https://example.org/readme"


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"use-case-{n}")
    name = factory.Sequence(lambda n: f"Use case {n}")
    owner = "Platform team"
    commercial_product = True
    monthly_users = 2_000_000
    hosted_service = True
    territory = "DE"


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    use_case = factory.SubFactory(UseCaseFactory)
    variant = factory.SubFactory(VariantFactory)
    status = "proposed"


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    variant = factory.SubFactory(VariantFactory)
    name = factory.Sequence(lambda n: f"deployment-{n}")
    environment = "production"
    endpoint_url = factory.Sequence(lambda n: f"http://127.0.0.1:9/{n}")
    engine = "vllm"
    owner_team = "Platform team"


class ArtifactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artifact

    variant = factory.SubFactory(VariantFactory)
    uri = factory.Sequence(lambda n: f"s3://models/copy-{n}/")
    format = "safetensors"


class ArtifactFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArtifactFile

    artifact = factory.SubFactory(ArtifactFactory)
    path = factory.Sequence(lambda n: f"model-{n:05d}.safetensors")
    size_bytes = 1024
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    name = factory.Sequence(lambda n: f"hook {n}")
    team = "Platform team"
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/hook-{n}")
    secret = "a-shared-secret"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    webhook = factory.SubFactory(WebhookFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = "approval_changed"
    occurred_at = factory.LazyFunction(timezone.now)
    title = factory.Sequence(lambda n: f"Event {n}")


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    webhook = factory.SubFactory(WebhookFactory)
    event = factory.SubFactory(EventFactory)
