"""The registry's MCP server (the official ``mcp`` SDK): read-only tools over the curated
catalog, resources for model cards and licence texts, and prompts for the common questions.

Every tool is a synchronous function over the Django ORM, run by ``sync_to_async``: under the
Streamable HTTP view (assistants/http.py) it runs in the request's own thread with
the request's database connection; under stdio (``manage.py mcp``) in one worker thread.
"""

import functools

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from assistants import (
    adoption_tools,
    cards,
    catalog_tools,
    evaluation_tools,
    hardware_tools,
    license_tools,
)
from core.api.serializers import NUL_REFUSED
from core.middleware import DATABASE_UNAVAILABLE_ERRORS, DATABASE_UNAVAILABLE_MESSAGE

INSTRUCTIONS = (
    "LLM Registry: curated facts about open large language models (architecture, parameter "
    "counts, context, licence terms with quoted clauses) and the hardware they need. Prefer "
    "these tools over memory: search_models or list_recent_releases to find models and their "
    "keys (family/version/variant); get_model and compare_models for facts; list_hardware for "
    "accelerator and profile slugs; recommend_hardware for what fits given accelerators; "
    "estimate_memory for one model or a pasted config.json; check_license_use before "
    "recommending a model for a use; get_evaluations for benchmark results with their settings "
    "and sources, and rank_by_benchmark (search_models, recommend_hardware) to rank models by "
    "one benchmark under one comparable setting. Compare benchmark values only where their "
    "comparable_key is equal. Signed-in staff: our_approvals for the company's own decisions on "
    "models for its use cases (they come before the licence's answers), serving_recipe for the "
    "command that serves a model on one of our hardware profiles. Cite the page links and "
    "sources the tools return."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
TOOLS = (
    catalog_tools.search_models,
    catalog_tools.get_model,
    catalog_tools.compare_models,
    catalog_tools.list_recent_releases,
    hardware_tools.list_hardware,
    hardware_tools.estimate_memory,
    hardware_tools.recommend_hardware,
    license_tools.check_license_use,
    evaluation_tools.get_evaluations,
    adoption_tools.our_approvals,
    adoption_tools.serving_recipe,
)

# Between the calls of a long-lived stdio server, as between requests: drop a connection the
# database closed (a restart) or that outlived CONN_MAX_AGE. The HTTP view's request does this.
_cleanup_between_calls = False


def clean_up_between_calls() -> None:
    global _cleanup_between_calls
    _cleanup_between_calls = True


def _nul_in(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(k) or _nul_in(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_nul_in(v) for v in value)
    return False


def _run(function, /, **kwargs):
    # PostgreSQL cannot hold a NUL in text: refuse it by name before any query (as the API).
    for name, value in kwargs.items():
        if _nul_in(value):
            raise ToolError(f"{name}: {NUL_REFUSED}")
    if _cleanup_between_calls:
        close_old_connections()
    try:
        return function(**kwargs)
    except DATABASE_UNAVAILABLE_ERRORS:
        raise ToolError(str(DATABASE_UNAVAILABLE_MESSAGE)) from None


def in_django_thread(function):
    """``function`` as a coroutine the SDK awaits, run where Django code may run. Its
    signature (the tool's input schema) and docstring are kept."""

    @functools.wraps(function)
    async def call(**kwargs):
        return await sync_to_async(_run)(function, **kwargs)

    return call


def argument_errors(error: ValidationError) -> str:
    """Pydantic's report as ``argument: problem`` pairs (``keys[1]: …``), without its links."""
    parts = []
    for item in error.errors(include_url=False):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"])
        parts.append(f"{where.lstrip('.') or 'arguments'}: {item['msg']}")
    return "; ".join(parts)


class RegistryMCPServer(MCPServer):
    async def call_tool(self, name, arguments, context=None):
        """A call whose arguments miss the input schema names each bad argument on its own
        line of sense (``count: Input should be greater than or equal to 1``)."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(
                    f"Error executing tool {name}: {argument_errors(exc.__cause__)}"
                ) from exc.__cause__
            raise


def build_server() -> MCPServer:
    server = RegistryMCPServer(
        "llm-registry",
        title="LLM Registry",
        instructions=INSTRUCTIONS,
        version="1",
        # The tools, resources and prompts never change while the server runs, and the HTTP
        # endpoint is stateless JSON with no stream to carry a change on: serving
        # subscriptions/listen would advertise listChanged (2026-07-28 derives it from that),
        # and a client that opens the stream waits on it instead of listing the tools.
        subscriptions=False,
    )
    for tool in TOOLS:
        server.add_tool(in_django_thread(tool), annotations=READ_ONLY, structured_output=True)

    @server.resource(
        "registry://models/{family}/{version}/{variant}",
        name="model-card",
        description="A model's card: size, context, architecture, licence and cited sources.",
        mime_type="text/markdown",
    )
    async def model_card(family: str, version: str, variant: str) -> str:
        return await sync_to_async(_run)(
            cards.model_card, family=family, version=version, variant=variant
        )

    @server.resource(
        "registry://licenses/{slug}",
        name="licence-text",
        description="A licence: its summary, structured terms and the clauses editors quoted, "
        "with a link to the full text.",
        mime_type="text/markdown",
    )
    async def licence_text(slug: str) -> str:
        return await sync_to_async(_run)(cards.license_text, slug=slug)

    @server.prompt(
        name="can-i-run",
        description="Which models fit our hardware for a task, with licences allowing our use.",
    )
    def can_i_run(hardware: str, use: str = "a commercial product", context: str = "32k") -> str:
        return (
            f"Which open models can we run on {hardware} with a {context} context, for {use}? "
            "Use the LLM Registry tools, not memory: list_hardware to find the accelerator slug, "
            "recommend_hardware with that accelerator and count, a precision (awq-int4 or "
            "q4_k_m for 4-bit, fp8, bf16) and context_tokens, filtered with commercial_use when "
            "the use is commercial, and rank_by_benchmark (e.g. mmlu-pro) when quality matters: "
            "it ranks the models that fit by one benchmark under one comparable setting and "
            "marks the Pareto frontier. Then check_license_use on the best candidates for the "
            "use. Answer with a short ranked list: model, memory per device and headroom, "
            "decode speed, benchmark score and its setting where ranked, licence verdict, and "
            "the registry page of each."
        )

    @server.prompt(
        name="licence-question",
        description="May we use this model so? Answered from the licence's recorded terms.",
    )
    def licence_question(model: str, use: str) -> str:
        return (
            f"May we use {model} for: {use}? Use the LLM Registry tools: search_models if the "
            "model key (family/version/variant) is not known, then check_license_use with the "
            "model and the matching questions (monthly_active_users for a commercial product, "
            "publish_finetune, train_other_models, hosted_service, territory as a country code "
            "or EU). Quote the clauses the tool "
            "returns, give the verdict per question, and repeat its disclaimer."
        )

    return server


registry_server = build_server()
