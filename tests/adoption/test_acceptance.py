"""The issue's acceptance, end to end over the real surfaces: an approver approves a model for a
use case with conditions in the admin; an engineer then sees the decision on the variant page,
through the API and through MCP (the SDK's own client); anonymous readers see none of it."""

import datetime

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from mcp import Client

from adoption.choices import ApprovalStatus
from adoption.services.approvals import approval_propose
from assistants.common import acting_as
from assistants.server import registry_server
from catalog.keys import variant_key
from tests import factories

pytestmark = pytest.mark.django_db

CONDITIONS = "Internal users only; log every prompt for 30 days."


def _mcp(name: str, arguments: dict, user):
    async def run():
        async with Client(registry_server) as client:
            return await client.call_tool(name, arguments)

    with acting_as(user):
        return async_to_sync(run)()


def test_an_approval_with_conditions_reaches_the_variant_page_the_api_and_mcp(client, settings):
    settings.REGISTRY_PUBLIC_READ = True
    variant = factories.VariantFactory()
    use_case = factories.UseCaseFactory(name="Support chat for customers")
    proposal = approval_propose(use_case=use_case, variant=variant, user=factories.make_editor())
    today = datetime.date.today()

    client.force_login(factories.make_approver())
    decided = client.post(
        reverse("admin:adoption_approval_decide", args=[proposal.pk]),
        {
            "status": ApprovalStatus.APPROVED_WITH_CONDITIONS,
            "conditions": CONDITIONS,
            "risk_notes": "",
            "decided_on": today.isoformat(),
            "expires_on": (today + datetime.timedelta(days=180)).isoformat(),
        },
    )
    assert decided.status_code == 302

    engineer = factories.make_staff("engineer", "viewer")
    client.force_login(engineer)
    page = client.get(variant.get_absolute_url()).content.decode()
    assert CONDITIONS in page
    assert use_case.name in page

    api = client.get("/api/v1/approvals/", {"variant": variant_key(variant)}).json()
    assert [(row["status"], row["conditions"]) for row in api["results"]] == [
        (ApprovalStatus.APPROVED_WITH_CONDITIONS, CONDITIONS)
    ]

    answer = _mcp("our_approvals", {"model": variant_key(variant)}, engineer)
    assert not answer.is_error, answer.content[0].text
    assert CONDITIONS in str(answer.structured_content)

    client.logout()
    assert CONDITIONS not in client.get(variant.get_absolute_url()).content.decode()
    assert client.get("/api/v1/approvals/").status_code == 404
    assert _mcp("our_approvals", {"model": variant_key(variant)}, AnonymousUser()).is_error
