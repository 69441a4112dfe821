"""The company's own layer over MCP, through the SDK's own client: our approvals and serving
recipes for signed-in staff, one error for everyone else, and our decisions beside the licence's
answers in check_license_use."""

import datetime

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from mcp import Client

from adoption.selectors import approval_list
from adoption.services.approvals import approval_decide
from assistants.adoption_tools import STAFF_ONLY
from assistants.common import acting_as
from assistants.server import registry_server
from catalog.keys import variant_key, version_key
from tests import factories

pytestmark = pytest.mark.django_db


def call(name: str, arguments: dict, user):
    async def run():
        async with Client(registry_server) as client:
            return await client.call_tool(name, arguments)

    with acting_as(user):
        return async_to_sync(run)()


def ok(name: str, arguments: dict, user) -> dict:
    result = call(name, arguments, user)
    assert not result.is_error, result.content[0].text
    return result.structured_content


def error(name: str, arguments: dict, user) -> str:
    """The tool's error message, without the SDK's "Error executing tool <name>: "."""
    result = call(name, arguments, user)
    assert result.is_error
    return result.content[0].text.removeprefix(f"Error executing tool {name}: ")


@pytest.fixture
def viewer():
    return factories.make_staff("viewer", "viewer")


@pytest.fixture
def decided():
    """An approval with conditions, decided by an approver, expired (re-review due)."""
    approval = factories.ApprovalFactory()
    approval_decide(
        approval=approval,
        status="approved_with_conditions",
        conditions="Internal users only.",
        user=factories.make_approver(),
        decided_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2025, 6, 1),
    )
    return approval_list().get(pk=approval.pk)


def test_the_tools_are_listed_with_their_output_schemas(viewer):
    async def run():
        async with Client(registry_server) as client:
            return await client.list_tools()

    with acting_as(viewer):
        tools = {tool.name: tool for tool in async_to_sync(run)().tools}
    assert {"our_approvals", "serving_recipe"} <= set(tools)
    assert "review_due" in str(tools["our_approvals"].output_schema)
    assert "command" in str(tools["serving_recipe"].output_schema)


@pytest.mark.parametrize("exists", [True, False])
def test_anyone_but_staff_gets_one_error_that_reveals_nothing(exists):
    approval = factories.ApprovalFactory() if exists else None
    outsider = get_user_model().objects.create_user(username="outsider", password="x-long-pw")
    model = variant_key(approval.variant) if approval else "no/such/model"
    for user in (AnonymousUser(), outsider):
        assert error("our_approvals", {"model": model}, user) == str(STAFF_ONLY)
        arguments = {
            "model": model,
            "profile": "anything",
            "precision": "bf16",
            "context": 4096,
            "engine": "vllm",
        }
        assert error("serving_recipe", arguments, user) == str(STAFF_ONLY)


def test_our_approvals_give_status_conditions_expiry_reviewer_and_frozen_answers(viewer, decided):
    answer = ok("our_approvals", {"model": variant_key(decided.variant)}, viewer)
    assert answer["count"] == 1
    [row] = answer["results"]
    assert row["subject"] == variant_key(decided.variant)
    assert row["use_case"] == decided.use_case.slug
    assert row["status"] == "approved_with_conditions"
    assert row["conditions"] == "Internal users only."
    assert (row["decided_on"], row["expires_on"]) == ("2025-01-01", "2025-06-01")
    assert row["review_due"] is True
    assert row["reviewer"] == "approver"
    assert row["license"] == decided.variant.version.license.slug
    assert row["license_answers"]
    for frozen in row["license_answers"]:
        assert frozen["question_text"] != frozen["question"]  # in words
        assert frozen["reasons"]
    assert answer["note"]


def test_our_approvals_of_a_model_include_its_versions_and_filter_by_use_case_and_status(viewer):
    own = factories.ApprovalFactory()
    whole_version = factories.ApprovalFactory(variant=None, version=own.variant.version)
    factories.ApprovalFactory()
    answer = ok("our_approvals", {"model": variant_key(own.variant)}, viewer)
    assert {row["id"] for row in answer["results"]} == {own.pk, whole_version.pk}
    version_row = next(row for row in answer["results"] if row["id"] == whole_version.pk)
    assert version_row["subject"] == version_key(own.variant.version)
    by_use_case = ok("our_approvals", {"use_case": own.use_case.slug}, viewer)
    assert [row["id"] for row in by_use_case["results"]] == [own.pk]
    assert ok("our_approvals", {"status": "approved"}, viewer)["count"] == 0
    assert ok("our_approvals", {}, viewer)["count"] == 3


def test_our_approvals_name_a_bad_argument(viewer):
    assert error("our_approvals", {"model": "no/such/model"}, viewer).startswith("model: ")
    assert "status" in error("our_approvals", {"status": "maybe"}, viewer)


@pytest.fixture
def servable():
    return factories.VariantFactory(hf_repo_id="meta-llama/Llama-2-7b-hf")


def _recipe_arguments(variant, profile, /, **changes) -> dict:
    return {
        "model": variant_key(variant),
        "profile": profile.slug,
        "precision": "bf16",
        "context": 4096,
        "engine": "vllm",
        **changes,
    }


def test_a_serving_recipe_is_the_command_for_the_profile(viewer, servable):
    profile = factories.ProfileFactory(accelerator__memory=80)
    recipe = ok("serving_recipe", _recipe_arguments(servable, profile), viewer)
    assert recipe["command"].startswith("vllm serve meta-llama/Llama-2-7b-hf")
    assert recipe["profile"] == profile.slug
    assert recipe["context_tokens"] == 4096


def test_a_serving_recipe_that_does_not_fit_names_the_profile(viewer, servable):
    small = factories.ProfileFactory(accelerator__memory=8)
    assert error("serving_recipe", _recipe_arguments(servable, small), viewer).startswith(
        "profile: Does not fit"
    )


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"profile": "no-such-profile"}, "profile"),
        ({"model": "no/such/model"}, "model"),
        ({"precision": "int3"}, "precision"),
        ({"context": 0}, "context"),
        ({"engine": "tensorrt"}, "engine"),
    ],
)
def test_a_serving_recipe_names_the_argument_at_fault(viewer, servable, changes, argument):
    profile = factories.ProfileFactory(accelerator__memory=80)
    text = error("serving_recipe", _recipe_arguments(servable, profile, **changes), viewer)
    assert argument in text


def test_check_license_use_adds_our_decisions_for_staff_only(viewer, decided):
    model = variant_key(decided.variant)
    for_staff = ok("check_license_use", {"model": model}, viewer)
    assert for_staff["our_decisions"] == [
        {
            "use_case": decided.use_case.slug,
            "use_case_name": decided.use_case.name,
            "subject": model,
            "status": "approved_with_conditions",
            "conditions": "Internal users only.",
            "decided_on": "2025-01-01",
            "expires_on": "2025-06-01",
            "review_due": True,
        }
    ]
    assert ok("check_license_use", {"model": model}, AnonymousUser())["our_decisions"] == []
    licence_only = ok(
        "check_license_use", {"license": decided.variant.version.license.slug}, viewer
    )
    assert licence_only["our_decisions"] == []
