"""An editor restores an earlier version of a curated record from its admin History page."""

import pghistory
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import ModelVariantEvent
from core.history_admin import NOT_RESTORED, RESTORED
from curation.services import curated_record_save
from tests import factories

pytestmark = pytest.mark.django_db


def _history_url(variant):
    return reverse("admin:catalog_modelvariant_history", args=[variant.pk])


def _restore_url(variant, event):
    return reverse("admin:catalog_modelvariant_history_restore", args=[variant.pk, event.pk])


def _change(variant, user, **values):
    for name, value in values.items():
        setattr(variant, name, value)
    with pghistory.context(user=user.pk):
        curated_record_save(record=variant)
    return ModelVariantEvent.objects.filter(pgh_obj_id=variant.pk).latest("pgh_id")


def _make_viewer():
    user = get_user_model().objects.create_user(
        username="viewer", password="a-long-test-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="viewer"))
    return user


def test_an_editor_restores_the_first_change_of_a_variant_changed_twice(client):
    editor = factories.make_editor()
    variant = factories.VariantFactory(name="Original", total_parameters=7_000_000_000)
    first = _change(variant, editor, name="First change", total_parameters=8_000_000_000)
    _change(variant, editor, name="Second change", total_parameters=9_000_000_000, num_layers=40)
    client.force_login(editor)

    page = client.get(_history_url(variant))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Restore this version" in content
    assert _restore_url(variant, first) in content
    assert [entry.event.pk for entry in page.context["entries"]][1] == first.pk

    response = client.post(_restore_url(variant, first), follow=True)
    assert response.redirect_chain[-1][0] == _history_url(variant)

    variant.refresh_from_db()
    assert (variant.name, variant.total_parameters, variant.num_layers) == (
        "First change",
        8_000_000_000,
        32,
    )
    restore = ModelVariantEvent.objects.filter(pgh_obj_id=variant.pk).latest("pgh_id")
    assert restore.pgh_label == "update"
    assert restore.pgh_context.metadata["user"] == editor.pk
    assert restore.pgh_context.metadata["restored_event"] == first.pk
    assert restore.pgh_context.metadata["url"] == _restore_url(variant, first)
    expected = RESTORED % {
        "time": first.pgh_created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "event": first.pk,
        "fields": "name, total_parameters, num_layers",
    }
    assert [str(m) for m in response.context["messages"]] == [expected]
    assert f"restore of event {first.pk}" in response.content.decode()


def test_restoring_the_first_version_undoes_every_change(client):
    editor = factories.make_editor()
    variant = factories.VariantFactory(name="Original")
    insert = ModelVariantEvent.objects.get(pgh_obj_id=variant.pk, pgh_label="insert")
    _change(variant, editor, name="Renamed", hf_repo_id="acme/renamed")
    client.force_login(editor)
    client.post(_restore_url(variant, insert))
    variant.refresh_from_db()
    assert (variant.name, variant.hf_repo_id) == ("Original", "")


def test_a_version_that_is_no_longer_valid_is_not_restored(client):
    editor = factories.make_editor()
    variant = factories.VariantFactory(slug="base")
    insert = ModelVariantEvent.objects.get(pgh_obj_id=variant.pk, pgh_label="insert")
    _change(variant, editor, slug="renamed")
    factories.VariantFactory(version=variant.version, slug="base")  # the old slug is taken
    client.force_login(editor)
    response = client.post(_restore_url(variant, insert), follow=True)
    message = str(next(iter(response.context["messages"])))
    assert message.startswith(str(NOT_RESTORED).split("%(errors)s")[0])
    variant.refresh_from_db()
    assert variant.slug == "renamed"
    assert ModelVariantEvent.objects.filter(pgh_obj_id=variant.pk).count() == 2


def test_a_viewer_reads_the_history_but_cannot_restore(client):
    editor = factories.make_editor()
    variant = factories.VariantFactory(name="Original")
    first = _change(variant, editor, name="First change")
    _change(variant, editor, name="Second change")
    client.force_login(_make_viewer())
    page = client.get(_history_url(variant))
    assert page.status_code == 200
    assert "Restore this version" not in page.content.decode()
    assert client.post(_restore_url(variant, first)).status_code == 403
    variant.refresh_from_db()
    assert variant.name == "Second change"


def test_restore_takes_only_a_post_and_only_an_event_of_the_same_record(client):
    editor = factories.make_editor()
    variant, other = factories.VariantFactory.create_batch(2)
    other_event = ModelVariantEvent.objects.get(pgh_obj_id=other.pk)
    client.force_login(editor)
    assert client.post(_restore_url(variant, other_event)).status_code == 404
    own = ModelVariantEvent.objects.get(pgh_obj_id=variant.pk)
    assert client.get(_restore_url(variant, own)).status_code == 405


def test_the_history_page_costs_the_same_queries_for_2_and_6_versions(client):
    editor = factories.make_editor()
    client.force_login(editor)
    counts = []
    for changes in (1, 5):
        variant = factories.VariantFactory()
        for number in range(changes):
            _change(variant, editor, name=f"Change {number}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_history_url(variant)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], "\n".join(q["sql"] for q in queries.captured_queries)


def test_every_curated_admin_has_the_restore_page(admin_client):
    organization = factories.OrganizationFactory()
    page = admin_client.get(reverse("admin:catalog_organization_history", args=[organization.pk]))
    assert page.status_code == 200
    assert page.context["entries"][0].event.pgh_label == "insert"
