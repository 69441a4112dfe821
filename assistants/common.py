"""What every MCP tool shares: who it acts for, how it names a bad argument, how it sums up a
model or a licence, and where the registry's pages are."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _
from mcp.server.mcpserver.exceptions import ToolError

from assistants.schemas import LicenseBrief, ModelSummary
from catalog import selectors as catalog_selectors
from catalog.effective import effective_context_tokens
from catalog.keys import variant_key
from core.dates import released_iso


@dataclass(frozen=True)
class Caller:
    """Who a call acts for and where the registry is (for page links)."""

    user: object
    base_url: str = ""  # "https://registry.example" (no slash at the end); empty: paths only


_caller: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("mcp_caller", default=None)
# The stdio server acts for one caller for its whole life (python manage.py mcp --user).
_process_caller = Caller(AnonymousUser())


@contextmanager
def acting_as(user, *, base_url: str = ""):
    """Run MCP calls made inside (in this context) for ``user``, as the API would."""
    token = _caller.set(Caller(user, base_url.rstrip("/")))
    try:
        yield
    finally:
        _caller.reset(token)


def act_for_process(user, *, base_url: str = "") -> None:
    global _process_caller
    _process_caller = Caller(user, base_url.rstrip("/"))


def caller() -> Caller:
    return _caller.get() or _process_caller


def acting_user():
    return caller().user


def page(path: str) -> str:
    return caller().base_url + path


def argument_error(argument: str, message) -> ToolError:
    """A tool error that starts with the argument at fault: ``model: …``."""
    return ToolError(f"{argument}: {message}")


def form_errors(errors: dict, names: dict[str, str] | None = None) -> ToolError:
    """A form's or filterset's errors as one tool error, each under the tool's argument name."""
    names = names or {}
    parts = []
    for field, messages in errors.items():
        argument = names.get(field, field)
        text = " ".join(str(m) for m in messages)
        parts.append(text if field == "__all__" and argument == field else f"{argument}: {text}")
    return ToolError("; ".join(parts))


def license_brief(license) -> LicenseBrief | None:
    if license is None:
        return None
    return LicenseBrief(
        slug=license.slug,
        name=license.localized("name"),
        spdx_id=license.spdx_id,
        kind=license.kind,
        commercial_use=license.commercial_use or None,
        mau_threshold=license.mau_threshold,
        outputs_train_other_models=license.outputs_train_other_models or None,
        url=license.url,
    )


def variant_page_url(variant) -> str:
    return page(variant.get_absolute_url())


def model_summary(variant) -> ModelSummary:
    """A variant of ``catalog.selectors.variant_list`` (version, family, licences joined)."""
    version = variant.version
    released = variant.release_date or version.release_date
    precision = (
        variant.release_date_precision if variant.release_date else version.release_date_precision
    )
    return ModelSummary(
        key=variant_key(variant),
        name=variant.name,
        kind=variant.kind,
        family=version.family.localized("name"),
        organization=version.family.organization.localized("name"),
        total_parameters=variant.total_parameters,
        active_parameters=variant.active_parameters or variant.total_parameters,
        context_tokens=effective_context_tokens(variant),
        release_date=released_iso(released, precision) or None,
        is_moe=variant.num_experts is not None,
        license=license_brief(variant.license or version.license),
        hf_repo_id=variant.hf_repo_id,
        page=variant_page_url(variant),
    )


def _split_key(value: str) -> list[str]:
    return [part for part in value.strip().strip("/").split("/") if part]


def find_variant(value: str, *, argument: str, queryset=None):
    """The visible variant named by ``family/version/variant`` or by its slug alone (when only
    one variant has it); else a tool error naming ``argument``."""
    queryset = (
        queryset if queryset is not None else catalog_selectors.variant_list(user=acting_user())
    )
    parts = _split_key(value or "")
    if len(parts) == 3:
        condition = Q(version__family__slug=parts[0], version__slug=parts[1], slug=parts[2])
    elif len(parts) == 1:
        condition = Q(slug=parts[0])
    else:
        raise argument_error(
            argument,
            _("give a model as family/version/variant, e.g. qwen/qwen2-5/qwen2-5-7b-instruct."),
        )
    found = list(queryset.filter(condition)[:2])
    if not found:
        raise argument_error(
            argument,
            _("no model “%(key)s” in the registry; search_models finds the keys.") % {"key": value},
        )
    if len(found) > 1:
        raise argument_error(
            argument,
            _("“%(key)s” names several models; give family/version/variant.") % {"key": value},
        )
    return found[0]
