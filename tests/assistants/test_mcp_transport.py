"""The MCP server as assistants reach it: the SDK's client over Streamable HTTP against the
running server (/mcp/), and over stdio against ``manage.py mcp``; the API's access rules."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from assistants.http import NO_ANSWER, NOT_ACCEPTABLE, REFUSED, _json_rpc_error
from core.models import ApiToken
from tests.assistants.test_mcp import TOOLS
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "curl", "version": "1"},
    },
}
HEADERS = {"Accept": "application/json, text/event-stream"}
MODERN = "2026-07-28"


def modern(url: str, method: str, params: dict | None = None, accept: str = HEADERS["Accept"]):
    """One POST on the 2026-07-28 protocol, as a client other than the Python SDK sends it: no
    handshake, the envelope's metadata in ``_meta``, the routing headers."""
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": {"name": "curl", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    headers = {
        "Accept": accept,
        "MCP-Protocol-Version": MODERN,
        "Mcp-Method": method,
    }
    if method == "resources/read":
        headers["Mcp-Name"] = params["uri"]
    message = {
        "jsonrpc": "2.0",
        "id": "l",
        "method": method,
        "params": {**(params or {}), "_meta": meta},
    }
    return httpx.post(url, json=message, headers=headers)


@pytest.fixture
def catalog():
    """A published model and a draft one, with the draft's key."""
    VariantFactory(slug="tiny-chat-7b", name="Tiny-Chat-7B")
    draft = VariantFactory(slug="secret-draft", name="Secret-Draft", status="draft")
    return f"{draft.version.family.slug}/{draft.version.slug}/secret-draft"


def editor(username="editor"):
    """An editor who sees drafts (a superuser: the role groups of the migrations are gone from a
    flushed transactional test database)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(username, f"{username}@example.org", "x")


def run(scenario, target, token: str | None = None, **client_options):
    """``scenario(client)`` with the SDK's client on ``target``; over HTTP with
    ``Authorization: Token <token>`` when a token is given. The HTTP client is closed after,
    so no server thread keeps its connection (and its database session) open."""
    import httpx2

    async def main():
        if token is None:
            async with Client(target, **client_options) as client:
                return await scenario(client)
        headers = {"Authorization": f"Token {token}"}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            transport = streamable_http_client(target, http_client=http)
            async with Client(transport, **client_options) as client:
                return await scenario(client)

    return asyncio.run(main())


async def search(client, q="tiny chat"):
    return (await client.call_tool("search_models", {"q": q})).structured_content


@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("path", ["/mcp/", "/mcp"])
def test_the_sdk_client_uses_every_kind_of_call_over_http(live_server, catalog, mode, path):
    async def scenario(client):
        tools = await client.list_tools()
        found = await search(client)
        bad = await client.call_tool("search_models", {"limit": 0})
        card = await client.read_resource(f"registry://models/{found['results'][0]['key']}")
        prompts = await client.list_prompts()
        return tools, found, bad, card, prompts

    tools, found, bad, card, prompts = run(scenario, live_server.url + path, mode=mode)
    assert {tool.name for tool in tools.tools} == TOOLS
    assert found["count"] == 1
    model = found["results"][0]
    assert model["name"] == "Tiny-Chat-7B"
    assert model["page"].startswith(live_server.url + "/families/"), "links are absolute"
    assert bad.is_error
    assert "limit: Input should be greater than or equal to 1" in bad.content[0].text
    assert card.contents[0].text.startswith("# Tiny-Chat-7B")
    assert {p.name for p in prompts.prompts} == {"can-i-run", "licence-question"}


def test_concurrent_clients_get_consistent_answers(live_server, catalog):
    """Several assistants at once: each request runs its own event loop in its own server
    thread, over one shared server definition."""
    url = live_server.url + "/mcp/"

    async def one():
        async with Client(url) as client:
            found = await search(client)
            detail = await client.call_tool("get_model", {"key": found["results"][0]["key"]})
            return found["count"], detail.structured_content["record"]["name"]

    async def many():
        return await asyncio.gather(*(one() for _ in range(8)))

    assert asyncio.run(many()) == [(1, "Tiny-Chat-7B")] * 8


def test_public_read_off_asks_for_a_token(live_server, catalog, settings):
    settings.REGISTRY_PUBLIC_READ = False
    url = live_server.url + "/mcp/"
    anonymous = httpx.post(url, json=INITIALIZE, headers=HEADERS)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Token"
    assert "detail" in anonymous.json()
    forged = httpx.post(url, json=INITIALIZE, headers={**HEADERS, "Authorization": "Token nope"})
    assert forged.status_code == 401

    _record, token = ApiToken.issue(user=editor("reader"), name="assistant", read_only=True)
    assert run(search, url, token)["count"] == 1


def test_drafts_reach_an_editors_token_only(live_server, catalog):
    url = live_server.url + "/mcp/"
    _record, token = ApiToken.issue(user=editor(), name="assistant", read_only=True)

    async def look(client):
        found = await search(client, "secret draft")
        detail = await client.call_tool("get_model", {"key": catalog})
        return found, detail

    found, detail = run(look, url)
    assert found["count"] == 0
    assert detail.is_error
    found, detail = run(look, url, token)
    assert found["count"] == 1
    assert detail.structured_content["record"]["status"] == "draft"


def test_the_endpoint_refuses_what_it_does_not_serve(live_server, catalog):
    url = live_server.url + "/mcp/"
    assert httpx.get(url, headers={"Accept": "text/event-stream"}).status_code == 405
    assert httpx.delete(url).status_code == 405
    foreign = httpx.post(
        url, json=INITIALIZE, headers={**HEADERS, "Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert "evil.example" in foreign.json()["detail"]
    own = httpx.post(url, json=INITIALIZE, headers={**HEADERS, "Origin": live_server.url})
    assert own.status_code == 200
    assert own.json()["result"]["serverInfo"]["name"] == "llm-registry"
    large = httpx.post(url, content=b"{" + b" " * 600_000 + b"}", headers=HEADERS)
    assert large.status_code == 413
    assert "512 KB" in large.json()["detail"]
    huge = httpx.post(url, content=b"{" + b" " * 3_000_000 + b"}", headers=HEADERS)
    assert huge.status_code == 413
    assert "detail" in huge.json(), "refused before it is read, as JSON"
    json_headers = {**HEADERS, "Content-Type": "application/json"}
    garbage = httpx.post(url, content=b"{not json", headers=json_headers)
    assert garbage.status_code == 400
    assert garbage.json()["error"]["code"] == -32700  # JSON-RPC parse error
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    call = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"estimate_memory",'
    nested = httpx.post(
        url, content=f'{call}"arguments":{{"config":{deep}}}}}}}', headers=json_headers
    )
    assert nested.status_code == 400
    assert nested.json()["error"]["code"] == -32700


def test_no_era_offers_change_notifications_a_stateless_server_cannot_send(live_server):
    """Tools, resources and prompts never change while the server runs, and a stateless JSON
    endpoint holds no stream to announce it on: advertising ``listChanged`` made the
    TypeScript SDK's client open ``subscriptions/listen`` and then list nothing."""
    url = live_server.url + "/mcp/"
    discovered = modern(url, "server/discover")
    assert discovered.status_code == 200
    handshake = httpx.post(url, json=INITIALIZE, headers=HEADERS)
    for answer in (discovered.json()["result"], handshake.json()["result"]):
        capabilities = answer["capabilities"]
        assert set(capabilities) >= {"tools", "resources", "prompts"}
        assert not capabilities["tools"].get("listChanged")
        assert not capabilities["prompts"].get("listChanged")
        assert not capabilities["resources"].get("listChanged")
        assert not capabilities["resources"].get("subscribe")


def test_a_listen_request_gets_a_json_rpc_error_never_an_empty_500(live_server):
    """The issue's reproduction: ``subscriptions/listen`` answered HTTP 500 with no body."""
    url = live_server.url + "/mcp/"
    listen = modern(url, "subscriptions/listen", {"notifications": {"toolsListChanged": True}})
    assert listen.status_code == 404
    assert listen.headers["Content-Type"] == "application/json"
    assert listen.json()["id"] == "l"
    assert listen.json()["error"]["code"] == -32601  # method not found
    json_only = modern(url, "subscriptions/listen", {}, accept="application/json")
    assert json_only.status_code == 406
    assert json_only.json()["id"] == "l"
    assert json_only.json()["error"]["code"] == -32600  # invalid request
    assert json_only.json()["error"]["message"] == str(NOT_ACCEPTABLE)


def test_a_refusal_without_a_json_body_becomes_a_json_rpc_error(live_server):
    url = live_server.url + "/mcp/"
    plain = httpx.post(
        url,
        content=b'{"jsonrpc":"2.0","id":3,"method":"tools/list"}',
        headers={**HEADERS, "Content-Type": "text/plain", "MCP-Protocol-Version": MODERN},
    )
    assert plain.status_code == 400
    assert plain.json() == {
        "jsonrpc": "2.0",
        "id": 3,
        "error": {"code": -32600, "message": "Invalid Content-Type header"},
    }
    # What the SDK has never done since the listen fix, and the bridge must still not pass on:
    # no answer at all (a 500 with no body), or an empty refusal.
    silent = _json_rpc_error(None, [], b"", b'{"jsonrpc":"2.0","id":7,"method":"x"}')
    assert silent.status_code == 500
    assert json.loads(silent.content)["error"] == {"code": -32603, "message": str(NO_ANSWER)}
    empty = _json_rpc_error(400, [], b"", b"{not json")
    assert json.loads(empty.content) == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32600, "message": str(REFUSED)},
    }


def test_an_unknown_resource_is_not_found_over_http(live_server):
    url = live_server.url + "/mcp/"
    answer = modern(url, "resources/read", {"uri": "registry://licenses/wtfpl-9"})
    assert answer.json()["error"]["code"] == -32602  # the SDK's resource not found
    assert answer.json()["error"]["data"] == {"uri": "registry://licenses/wtfpl-9"}


def test_answers_follow_the_callers_language(live_server, catalog):
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "get_model", "arguments": {"key": "nope/x/y"}},
    }
    headers = {**HEADERS, "Accept-Language": "zh-Hans", "Mcp-Protocol-Version": "2025-06-18"}
    answer = httpx.post(live_server.url + "/mcp/", json=call, headers=headers).json()["result"]
    assert answer["isError"] is True
    assert "key: 登记处中没有模型“nope/x/y”" in answer["content"][0]["text"]


def _stdio_env() -> dict:
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
    }


def test_stdio_serves_the_same_tools(catalog):
    user = editor()
    params = StdioServerParameters(
        command=sys.executable,
        args=[
            *("manage.py", "mcp", "--user", user.username),
            *("--base-url", "https://llm.example", "--language", "zh-hans"),
        ],
        env=_stdio_env(),
        cwd=str(ROOT),
    )

    async def scenario(client):
        tools = await client.list_tools()
        found = await search(client, "secret draft")
        missing = await client.call_tool("get_model", {"key": "nope/x/y"})
        return tools, found, missing

    tools, found, missing = run(scenario, params)
    assert {tool.name for tool in tools.tools} == TOOLS
    assert "key: 登记处中没有模型“nope/x/y”" in missing.content[0].text
    assert found["count"] == 1, "acts as the editor named"
    assert found["results"][0]["page"].startswith("https://llm.example/zh-hans/families/")


def test_stdio_refuses_to_start_anonymous_while_public_read_is_off():
    result = subprocess.run(
        [sys.executable, "manage.py", "mcp"],
        env={**_stdio_env(), "REGISTRY_PUBLIC_READ": "false"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "--user" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
