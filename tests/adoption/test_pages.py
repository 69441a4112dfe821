"""The adoption layer's pages and the variant page's staff section: internal data that signed-in
staff with the adoption view permission read, and nobody else sees, whether public read is on
or off, in the response cache neither."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adoption import extensions, views
from adoption.services.approvals import approval_decide
from catalog.keys import variant_key
from core.response_cache import HEADER
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

PAGES = ("adoption:index", "adoption:approval_list", "adoption:may_we_use")
SECTION = 'id="variant-adoption"'
CONDITIONS = "Only behind the company's content filter."


@pytest.fixture
def variant():
    return factories.VariantFactory(hf_repo_id="example-org/Example-7B")


@pytest.fixture
def viewer_client():
    client = Client()
    client.force_login(factories.make_staff("page-viewer", "viewer"))
    return client


@pytest.fixture
def approver():
    return factories.make_approver("page-approver")


def _decided(variant, approver, *, status="approved_with_conditions", expires_on=None, **kw):
    approval = factories.ApprovalFactory(variant=variant, **kw)
    return approval_decide(
        approval=approval,
        status=status,
        user=approver,
        conditions=CONDITIONS,
        decided_on=datetime.date(2025, 1, 10),
        expires_on=expires_on,
    )


def _html(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:800]
    return response.content.decode()


# -- who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", PAGES)
def test_anonymous_readers_get_404_with_public_read_on(settings, name, language):
    settings.REGISTRY_PUBLIC_READ = True
    prefix = "/zh-hans" if language == "zh-hans" else ""
    response = Client().get(prefix + reverse(name))
    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_readers_are_sent_to_sign_in_with_public_read_off(settings, name):
    settings.REGISTRY_PUBLIC_READ = False
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", PAGES)
def test_signed_in_users_without_the_adoption_permission_get_404(settings, name):
    settings.REGISTRY_PUBLIC_READ = False
    user = get_user_model().objects.create_user("no-role", password="a-long-test-password")
    client = Client()
    client.force_login(user)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "editor", "approver"])
@pytest.mark.parametrize("name", PAGES)
def test_each_staff_role_reads_every_adoption_page(settings, name, role):
    settings.REGISTRY_PUBLIC_READ = False
    client = Client()
    client.force_login(factories.make_staff(f"page-{role}", role))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'id="nav-our-models"' in response.content.decode()


def test_the_navigation_link_shows_only_to_staff_who_read_the_adoption_layer(viewer_client):
    home = reverse("catalog:home")
    assert 'id="nav-our-models"' in _html(viewer_client, home)
    assert 'id="nav-our-models"' not in _html(Client(), home)
    editor_without_adoption = factories.make_editor("catalog-only")
    editor_without_adoption.user_permissions.clear()
    for group in editor_without_adoption.groups.all():
        editor_without_adoption.groups.remove(group)
    client = Client()
    client.force_login(editor_without_adoption)
    assert 'id="nav-our-models"' not in _html(client, home)


# -- the variant page ----------------------------------------------------------------------------


def _adoption_records(variant, approver):
    profile = factories.ProfileFactory(slug="one-h100", name="One H100")
    _decided(variant, approver)
    deployment = factories.DeploymentFactory(
        variant=variant,
        name="chat-prod",
        engine="vllm",
        engine_version="0.11.0",
        profile=profile,
        precision="bf16",
        max_context_tokens=4096,
        owner_contact="#chat-platform",
    )
    verified = factories.ArtifactFactory(variant=variant, uri="s3://models/example-7b/")
    file = factories.ArtifactFileFactory(artifact=verified, path="model.safetensors")
    verified.__class__.objects.filter(pk=verified.pk).update(verification="verified")
    file.__class__.objects.filter(pk=file.pk).update(verified=True)
    return deployment, file


def test_a_viewer_sees_our_approvals_deployments_artifacts_and_a_recipe(
    viewer_client, variant, approver
):
    _deployment, file = _adoption_records(variant, approver)
    html = _html(viewer_client, variant.get_absolute_url())
    section = html[html.index(SECTION) :]
    assert CONDITIONS.replace("'", "&#x27;") in section
    assert "approved with conditions" in section
    assert "chat-prod" in section
    assert "vLLM 0.11.0" in section
    assert "#chat-platform" in section
    assert "s3://models/example-7b/" in section
    assert file.sha256 in section  # a verified copy lists its files' checksums
    # The default recipe is the deployment's: vLLM on its profile, precision and context.
    assert 'id="variant-recipe-result" data-engine="vllm"' in section
    assert "vllm serve example-org/Example-7B" in section
    assert "--max-model-len 4096" in section


def test_without_a_deployment_the_recipe_starts_from_the_smallest_fitting_profile(
    viewer_client, variant
):
    profile = factories.ProfileFactory(slug="fitting-gpu", name="Fitting GPU")
    factories.RecommendationFactory(
        variant=variant, smallest_profile=profile, precision="bf16", context_tokens=2048
    )
    html = _html(viewer_client, variant.get_absolute_url())
    assert '<option value="fitting-gpu" selected>' in html
    assert 'id="variant-recipe-result" data-engine="vllm"' in html
    assert "--max-model-len 2048" in html


def test_anonymous_readers_get_the_variant_page_without_any_of_it(settings, variant, approver):
    _adoption_records(variant, approver)
    settings.REGISTRY_PUBLIC_READ = True
    html = _html(Client(), variant.get_absolute_url())
    assert SECTION not in html
    for secret in ("chat-prod", "s3://models/example-7b/", "content filter", "nav-our-models"):
        assert secret not in html


def test_signed_in_users_without_the_permission_get_the_page_without_it(variant, approver):
    _adoption_records(variant, approver)
    user = get_user_model().objects.create_user("plain", password="a-long-test-password")
    client = Client()
    client.force_login(user)
    html = _html(client, variant.get_absolute_url())
    assert SECTION not in html
    assert "chat-prod" not in html


def test_the_staff_section_runs_the_same_queries_for_1_and_5_records(
    viewer_client, variant, approver
):
    url = variant.get_absolute_url()
    profile = factories.ProfileFactory()

    def records():
        factories.ApprovalFactory(variant=variant)
        factories.DeploymentFactory(variant=variant, profile=profile, precision="bf16")
        factories.ArtifactFileFactory(artifact=factories.ArtifactFactory(variant=variant))

    records()
    viewer_client.get(url)  # the session and permissions, once
    one = count_queries(lambda: viewer_client.get(url))
    for _ in range(4):
        records()
    many = count_queries(lambda: viewer_client.get(url))
    assert_same_query_count(one, many, "variant page, staff section")


@pytest.fixture
def response_cache(settings):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 60
    # The generation bump runs at commit; a test never commits (tests/core/
    # test_response_cache.py does the same).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_staff_content_never_lands_in_the_anonymous_cache_entry(
    response_cache, viewer_client, variant, approver
):
    _adoption_records(variant, approver)
    url = variant.get_absolute_url()
    staff = viewer_client.get(url)
    assert SECTION in staff.content.decode()
    assert HEADER not in staff  # a signed-in visitor's page is never stored nor served
    anonymous = Client()
    first = anonymous.get(url)
    assert first[HEADER] == "miss"
    assert SECTION not in first.content.decode()
    second = anonymous.get(url)
    assert second[HEADER] == "hit"
    assert "chat-prod" not in second.content.decode()
    again = viewer_client.get(url)
    assert HEADER not in again
    assert SECTION in again.content.decode()


def test_the_recipe_form_answers_the_parameters_and_explains_a_refusal(viewer_client, variant):
    small = factories.ProfileFactory(
        slug="small-gpu", name="Small GPU", accelerator=factories.AcceleratorFactory(memory=8)
    )
    factories.ProfileFactory(slug="big-gpu", name="Big GPU")
    url = variant.get_absolute_url()
    html = _html(
        viewer_client,
        url,
        {
            "recipe_engine": "llama_cpp",
            "recipe_profile": "big-gpu",
            "recipe_precision": "q4_k_m",
            "recipe_context": "8192",
        },
    )
    assert 'data-engine="llama_cpp"' in html
    assert "llama-server" in html
    refused = _html(
        viewer_client,
        url,
        {"recipe_engine": "vllm", "recipe_profile": small.slug, "recipe_precision": "bf16"},
    )
    assert 'id="variant-recipe-refused"' in refused
    assert "Does not fit" in refused
    unknown = _html(viewer_client, url, {"recipe_profile": "no-such-profile"})
    assert str(extensions.UNKNOWN_PROFILE % {"value": "no-such-profile"}) in unknown.replace(
        "&#x27;", "'"
    ).replace("&quot;", '"')


# -- "Approved for us" ---------------------------------------------------------------------------


def test_an_approval_past_its_expiry_shows_re_review_due(viewer_client, variant, approver):
    due = _decided(variant, approver, expires_on=timezone.localdate())
    current = _decided(
        factories.VariantFactory(),
        approver,
        status="approved",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    html = _html(viewer_client, reverse("adoption:approval_list"))
    rows = dict(re.findall(r'<tr data-approval="(\d+)"(.*?)</tr>', html, re.S))
    assert "re-review due" in rows[str(due.pk)]
    assert "re-review due" not in rows[str(current.pk)]
    section = _html(viewer_client, variant.get_absolute_url())
    assert 'data-review-due="true"' in section
    only_due = _html(viewer_client, reverse("adoption:approval_list"), {"review_due": "true"})
    assert f'data-approval="{due.pk}"' in only_due
    assert f'data-approval="{current.pk}"' not in only_due


def test_the_list_filters_by_use_case_and_status_and_links_to_the_model(
    viewer_client, variant, approver
):
    chat = factories.UseCaseFactory(slug="chat", name="Customer chat")
    code = factories.UseCaseFactory(slug="code", name="Code assistant")
    approved = _decided(variant, approver, use_case=chat, status="approved")
    proposed = factories.ApprovalFactory(use_case=code)
    url = reverse("adoption:approval_list")
    html = _html(viewer_client, url, {"use_case": "chat"})
    assert f'data-approval="{approved.pk}"' in html
    assert f'data-approval="{proposed.pk}"' not in html
    assert variant.get_absolute_url() in html
    html = _html(viewer_client, url, {"status": "proposed"})
    assert f'data-approval="{proposed.pk}"' in html
    assert f'data-approval="{approved.pk}"' not in html
    family = _html(viewer_client, url, {"family": variant.version.family.slug})
    assert f'data-approval="{approved.pk}"' in family
    assert f'data-approval="{proposed.pk}"' not in family
    _html(viewer_client, url, {"status": "no-such-status"}, status=400)


def test_the_list_runs_the_same_queries_for_1_and_5_rows(viewer_client, approver):
    url = reverse("adoption:approval_list")
    _decided(factories.VariantFactory(), approver)
    viewer_client.get(url)  # the session and permissions, once
    one = count_queries(lambda: viewer_client.get(url))
    for _ in range(4):
        _decided(factories.VariantFactory(), approver)
    factories.ApprovalFactory(version=factories.VersionFactory(), variant=None)
    many = count_queries(lambda: viewer_client.get(url))
    assert_same_query_count(one, many, "approval list")


def test_the_list_page_renders_in_chinese(viewer_client, variant, approver):
    _decided(variant, approver)
    response = viewer_client.get("/zh-hans" + reverse("adoption:approval_list"))
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_landing_page_counts_approvals_and_lists_endpoints_down(
    viewer_client, variant, approver
):
    _decided(variant, approver, expires_on=timezone.localdate())
    down = factories.DeploymentFactory(variant=variant, name="embeddings-staging")
    down.__class__.objects.filter(pk=down.pk).update(health="down")
    html = _html(viewer_client, reverse("adoption:index"))
    assert re.search(r'id="adoption-review-due"><strong>1</strong>', html)
    assert "embeddings-staging" in html
    assert reverse("adoption_feeds:approvals") in html


# -- "May we use X for Y?" -----------------------------------------------------------------------


def test_may_we_use_answers_with_our_decision_first_then_the_licence(
    viewer_client, variant, approver
):
    use_case = factories.UseCaseFactory(slug="support-bot", name="Support bot")
    _decided(variant, approver, use_case=use_case)
    html = _html(
        viewer_client,
        reverse("adoption:may_we_use"),
        {"variant": variant_key(variant), "use_case": "support-bot"},
    )
    ours = html.index('id="our-decision"')
    licence = html.index('id="license-answers"')
    assert ours < licence
    decision = html[ours:licence]
    assert 'data-allowed="yes"' in decision
    assert "approved with conditions" in decision
    assert "content filter" in decision
    assert "page-approver" in decision
    assert 'id="answer-commercial_product"' in html[licence:]
    assert 'id="our-decision-license-changed"' not in html


def test_may_we_use_says_when_the_licence_changed_since_the_decision(
    viewer_client, variant, approver
):
    use_case = factories.UseCaseFactory(slug="resale", name="Resale")
    _decided(variant, approver, use_case=use_case)
    license = variant.version.license
    license.commercial_use = "not_allowed"
    license.save()
    html = _html(
        viewer_client,
        reverse("adoption:may_we_use"),
        {"variant": variant_key(variant), "use_case": "resale"},
    )
    assert 'id="our-decision-license-changed"' in html
    assert 'data-allowed="yes"' in html  # our decision stands until it is reviewed again


def test_may_we_use_without_a_decision_says_so_and_offers_to_propose_one(viewer_client, variant):
    factories.UseCaseFactory(slug="internal-search", name="Internal search")
    html = _html(
        viewer_client,
        reverse("adoption:may_we_use"),
        {"variant": variant_key(variant), "use_case": "internal-search"},
    )
    assert 'data-allowed="undecided"' in html
    assert 'id="our-decision-none"' in html
    if extensions.admin_url("adoption_approval_add"):
        assert 'id="propose-approval"' in html
    assert 'id="license-answers"' in html


def test_a_rejected_model_is_answered_no_even_where_the_licence_allows(
    viewer_client, variant, approver
):
    use_case = factories.UseCaseFactory(slug="ads", name="Ad copy")
    approval = factories.ApprovalFactory(variant=variant, use_case=use_case)
    approval_decide(approval=approval, status="rejected", user=approver)
    html = _html(
        viewer_client,
        reverse("adoption:may_we_use"),
        {"variant": variant_key(variant), "use_case": "ads"},
    )
    assert 'data-allowed="no"' in html
    assert "rejected" in html[html.index('id="our-decision"') : html.index('id="license-answers"')]


def test_may_we_use_explains_bad_input_with_400(viewer_client, variant):
    url = reverse("adoption:may_we_use")
    html = _html(viewer_client, url, {"variant": "no/such/model", "use_case": "nope"}, status=400)
    assert str(views.UNKNOWN_MODEL % {"value": "no/such/model"}) in html.replace("&#x27;", "'")
    assert str(views.UNKNOWN_USE_CASE % {"value": "nope"}) in html.replace("&#x27;", "'")
    html = _html(viewer_client, url, {"variant": "", "use_case": "nope"}, status=400)
    assert str(views.CHOOSE_BOTH) in html
    # The empty form is no error, nor a model's key alone (its page links here so).
    assert 'id="may-we-use-errors"' not in _html(viewer_client, url)
    preselected = _html(viewer_client, url, {"variant": variant_key(variant)})
    assert 'id="may-we-use-errors"' not in preselected
    assert f'<option value="{variant_key(variant)}" selected>' in preselected
