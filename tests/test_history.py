"""Every write to a curated record is recorded with its actor, whatever the path."""

import pghistory
import pytest
from django.urls import reverse
from pghistory.models import Events

from catalog.models import ModelVariant, Organization
from curation.services import curated_records_set_status
from tests import factories

pytestmark = pytest.mark.django_db


def _events(record):
    return Events.objects.tracks(record).order_by("pgh_created_at", "pgh_id")


def test_admin_edit_is_recorded_with_the_editor_and_the_diff(client):
    editor = factories.make_editor()
    organization = factories.OrganizationFactory(name="Old name")
    client.force_login(editor)
    url = reverse("admin:catalog_organization_change", args=[organization.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": "New name",
            "catalog-citation-content_type-object_id-TOTAL_FORMS": "0",
            "catalog-citation-content_type-object_id-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    update = _events(organization).filter(pgh_label="update").get()
    assert update.pgh_diff["name"] == ["Old name", "New name"]
    assert update.pgh_context["user"] == editor.pk
    assert update.pgh_context["url"] == url


def test_queryset_update_is_recorded_for_every_row_with_the_actor():
    editor = factories.make_editor()
    variants = factories.VariantFactory.create_batch(3)
    with pghistory.context(user=editor.pk, command="bulk-status"):
        changed = curated_records_set_status(
            queryset=ModelVariant.objects.filter(pk__in=[v.pk for v in variants]),
            status="deprecated",
        )
    assert changed == 3
    for variant in variants:
        update = _events(variant).get(pgh_label="update")
        assert update.pgh_diff["status"] == ["published", "deprecated"]
        assert update.pgh_context["user"] == editor.pk


def test_plain_queryset_update_outside_services_is_still_recorded():
    organization = factories.OrganizationFactory()
    Organization.objects.filter(pk=organization.pk).update(country="CN")
    assert _events(organization).filter(pgh_label="update").count() == 1


def test_saving_without_a_change_records_no_event():
    organization = factories.OrganizationFactory()
    Organization.objects.filter(pk=organization.pk).update(country=organization.country)
    assert not _events(organization).filter(pgh_label="update").exists()


def test_history_is_reachable_from_the_record_page(admin_client):
    organization = factories.OrganizationFactory()
    page = admin_client.get(reverse("admin:catalog_organization_change", args=[organization.pk]))
    link = f"?method=tracks&obj=catalog.Organization:{organization.pk}"
    assert link in page.content.decode()
    events = admin_client.get(reverse("admin:pghistory_events_changelist") + link)
    assert events.status_code == 200
    assert events.context["cl"].result_count == 1
