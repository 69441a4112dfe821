"""The hardware selectors show everyone only what is published, parents included."""

import pytest
from django.urls import reverse

from catalog.models import ModelFamily
from curation.services import curated_records_set_status
from hardware.models import Recommendation
from hardware.selectors import variants_for_recommendations
from hardware.services import recommendation_grid, recommendations_recompute
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_family_variant():
    """A published variant of a published version of a draft family, beside a shown one."""
    accelerator = factories.AcceleratorFactory(slug="gpu-80", memory=80)
    factories.ProfileFactory(slug="1x-gpu-80", accelerator=accelerator, count=1)
    shown = factories.VariantFactory(slug="shown", name="Shown-Variant", model_type="llama")
    hidden = factories.VariantFactory(
        slug="hidden",
        name="Under-Draft-Family",
        model_type="llama",
        version__family=factories.FamilyFactory(status="draft"),
    )
    return shown, hidden


def test_recommendations_are_computed_for_published_families_only(draft_family_variant):
    shown, hidden = draft_family_variant
    assert list(variants_for_recommendations()) == [shown]
    recommendations_recompute()
    assert not Recommendation.objects.filter(variant=hidden).exists()


def test_publishing_or_drafting_a_family_recomputes_its_variants(
    draft_family_variant, django_capture_on_commit_callbacks
):
    _, hidden = draft_family_variant
    recommendations_recompute()
    family = ModelFamily.objects.filter(pk=hidden.version.family_id)
    with django_capture_on_commit_callbacks(execute=True):
        curated_records_set_status(queryset=family, status="published")
    assert Recommendation.objects.filter(variant=hidden).count() == len(recommendation_grid(hidden))
    with django_capture_on_commit_callbacks(execute=True):
        curated_records_set_status(queryset=family, status="draft")
    assert not Recommendation.objects.filter(variant=hidden).exists()


def test_can_i_run_it_never_lists_variants_of_a_draft_family(client, draft_family_variant):
    _, hidden = draft_family_variant
    page = reverse("hardware:fit")
    for params in ({}, {"accelerator": "gpu-80", "count": 1}):
        html = client.get(page, params).content.decode()
        assert "Shown-Variant" in html
        assert "Under-Draft-Family" not in html
    key = f"{hidden.version.family.slug}/{hidden.version.slug}/{hidden.slug}"
    assert client.get(page, {"variant": key}).status_code == 400  # no published model has it
