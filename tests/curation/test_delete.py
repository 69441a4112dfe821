"""Deletes go through the curation layer: what depended on the deleted record is recomputed."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ApiToken
from hardware.models import HardwareProfile, Recommendation, RecomputeRun
from hardware.services import recommendations_recompute
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def fitted():
    """One variant that fits on both of two profiles, its recommendations computed."""
    gpu = factories.AcceleratorFactory(slug="gpu-80", memory=80, memory_bandwidth_gbps=3350)
    one = factories.ProfileFactory(slug="1x-gpu-80", accelerator=gpu, count=1)
    two = factories.ProfileFactory(slug="2x-gpu-80", accelerator=gpu, count=2)
    variant = factories.VariantFactory(model_type="llama")
    recommendations_recompute()
    assert _fitting(variant) >= {one.slug, two.slug}
    return variant, one, two


def _fitting(variant) -> set[str]:
    rows = Recommendation.objects.filter(variant=variant)
    return {slug for row in rows for slug in row.fitting_profiles}


def test_deleting_a_profile_in_the_admin_recomputes_the_recommendations(
    admin_client, fitted, django_capture_on_commit_callbacks
):
    variant, one, two = fitted
    url = reverse("admin:hardware_hardwareprofile_delete", args=[one.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not HardwareProfile.objects.filter(pk=one.pk).exists()
    assert one.slug not in _fitting(variant)
    assert two.slug in _fitting(variant)
    assert RecomputeRun.objects.latest("created_at").status == RecomputeRun.Status.SUCCEEDED


def test_bulk_deleting_profiles_in_the_admin_recomputes_the_recommendations(
    admin_client, fitted, django_capture_on_commit_callbacks
):
    variant, one, two = fitted
    url = reverse("admin:hardware_hardwareprofile_changelist")
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [one.pk, two.pk], "post": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    assert not HardwareProfile.objects.filter(pk__in=[one.pk, two.pk]).exists()
    assert _fitting(variant) == set()


def test_deleting_a_profile_through_the_api_recomputes_the_recommendations(
    fitted, django_capture_on_commit_callbacks
):
    variant, one, two = fitted
    _, token = ApiToken.issue(user=factories.make_editor(), name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(reverse("profile-detail", args=[one.slug]))
    assert response.status_code == 204
    assert _fitting(variant) == {two.slug}


def test_deleting_a_variant_in_the_admin_takes_its_recommendations_with_it(
    admin_client, fitted, django_capture_on_commit_callbacks
):
    variant, _, _ = fitted
    url = reverse("admin:catalog_modelvariant_delete", args=[variant.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Recommendation.objects.filter(variant_id=variant.pk).exists()
