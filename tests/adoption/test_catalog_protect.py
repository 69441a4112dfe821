"""The company's records keep the catalog records they name: a variant or a version that has
approvals, deployments or artifacts is not deleted (PROTECT), and the editor is told which
records hold it, in the API (409) and in the admin, with nothing deleted."""

import pytest
from django.urls import reverse

from adoption.models import Approval, Deployment
from catalog.keys import variant_key
from catalog.models import ModelVariant, ModelVersion
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db


def test_the_api_refuses_to_delete_a_variant_that_runs_here_naming_the_deployment():
    deployment = factories.DeploymentFactory(name="chat-prod")
    variant = deployment.variant
    editor = token_client(factories.make_editor())

    response = editor.delete(reverse("variant-detail", args=[variant_key(variant)]))

    assert response.status_code == 409
    assert response.json()["referenced_by"] == ["deployment: chat-prod"]
    assert ModelVariant.objects.filter(pk=variant.pk).exists()
    assert Deployment.objects.filter(pk=deployment.pk).exists()


def test_the_admin_refuses_to_delete_a_version_an_approval_names(client):
    approval = factories.ApprovalFactory(variant=None, version=factories.VersionFactory())
    version = approval.version
    client.force_login(factories.make_editor())
    url = reverse("admin:catalog_modelversion_delete", args=[version.pk])

    page = client.get(url)
    refused = client.post(url, {"post": "yes"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Cannot delete model version" in html
    assert "approval" in html
    assert refused.status_code in {200, 403}
    assert ModelVersion.objects.filter(pk=version.pk).exists()
    assert Approval.objects.filter(pk=approval.pk).exists()


def test_an_admin_is_shown_the_approval_that_protects_the_version(admin_client):
    approval = factories.ApprovalFactory(variant=None, version=factories.VersionFactory())
    url = reverse("admin:catalog_modelversion_delete", args=[approval.version.pk])

    html = admin_client.get(url).content.decode()
    admin_client.post(url, {"post": "yes"})

    assert "protected related objects" in html
    assert str(approval) in html
    assert ModelVersion.objects.filter(pk=approval.version.pk).exists()
