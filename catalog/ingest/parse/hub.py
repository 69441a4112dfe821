"""Hugging Face Hub and ModelScope payloads: model info and config.json (rules: the package
docstring)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from catalog.ingest.parse.checks import (
    _REPO_PART,
    _bool,
    _check_json,
    _datetime,
    _day,
    _list,
    _object,
    _optional_object,
    _repo_id,
    _shown,
    _text,
    _unix_time,
)
from catalog.ingest.parse.common import (
    MAX_LICENSE_CHARS,
    MAX_NAME_CHARS,
    MAX_REPO_ID_CHARS,
    MAX_TAG_CHARS,
    MISSING,
    NOT_A_REVISION,
    UPSTREAM_FAILED,
    Note,
    ParseError,
    ReleaseFacts,
)
from catalog.ingest.parse.evaluations import card_model_index, parse_card_results
from catalog.ingest.parse.names import NameGuess, guess_names
from catalog.ingest.parse.parameters import _architecture, _parameters, _safetensors

# ---------------------------------------------------------------------------------------------
# Hugging Face Hub

_HUB_RELATIONS = {
    "finetune": "finetune",
    "adapter": "adapter",
    "merge": "merge",
    "quantized": "quantize",
}
_HEX = re.compile(r"^[0-9a-f]{7,64}$")


def _tags(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = _list(value, where)
    return tuple(_text(tag, f"{where}[{i}]", limit=MAX_TAG_CHARS) for i, tag in enumerate(items))


def _license_tag(card: Mapping[str, Any], tags: tuple[str, ...]) -> tuple[str, list[Note]]:
    value = card.get("license")
    if isinstance(value, list):  # a card may list several; the Hub tags each
        value = value[0] if value else None
    tag = _text(value, "cardData.license", limit=MAX_LICENSE_CHARS).strip()
    if not tag:
        tag = next((t[len("license:") :] for t in tags if t.startswith("license:")), "")
        tag = tag[:MAX_LICENSE_CHARS]
    if tag.lower() != "other":
        return tag, []
    name = _text(card.get("license_name"), "cardData.license_name", limit=MAX_LICENSE_CHARS)
    if name.strip():
        return name.strip(), []
    return tag, [Note("license_other_unnamed", {})]


def _parents(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list):
        _list(value, where, limit=100)
    return [
        _text(item, f"{where}[{i}]" if isinstance(value, list) else where, limit=MAX_REPO_ID_CHARS)
        for i, item in enumerate(items)
    ]


def _add_parent(
    found: dict[str, str], notes: list[Note], parent: str, kind: str, own_id: str
) -> None:
    parent = parent.strip()
    if not parent or parent == own_id or parent in found:
        return
    parts = parent.split("/")
    if len(parts) != 2 or not all(_REPO_PART.match(part) for part in parts):
        notes.append(Note("lineage_parent_unrecognised", {"parent": parent[:MAX_REPO_ID_CHARS]}))
        return
    found[parent] = kind


def _hub_lineage(
    repo_id: str, card: Mapping[str, Any], tags: tuple[str, ...], files: set[str]
) -> tuple[tuple[dict[str, str], ...], list[Note]]:
    related: list[tuple[str, str]] = []
    plain: list[str] = []
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        relation, _, parent = rest.partition(":")
        if parent and relation in _HUB_RELATIONS:
            related.append((parent, _HUB_RELATIONS[relation]))
        elif rest not in plain:
            plain.append(rest)
    card_parents = _parents(card.get("base_model"), "cardData.base_model")
    relation = _text(card.get("base_model_relation"), "cardData.base_model_relation", limit=40)
    if not related and not plain:
        plain = card_parents
    if relation in _HUB_RELATIONS:
        inferred = _HUB_RELATIONS[relation]
    elif "adapter_config.json" in files:
        inferred = "adapter"
    elif "gguf" in tags:
        inferred = "quantize"
    elif len({p for p, _ in related} | set(plain)) > 1:
        inferred = "merge"
    else:
        inferred = "finetune"
    found: dict[str, str] = {}
    notes: list[Note] = []
    for parent, kind in related:
        _add_parent(found, notes, parent, kind, repo_id)
    for parent in plain:
        _add_parent(found, notes, parent, inferred, repo_id)
    return tuple({"parent": p, "kind": k} for p, k in found.items()), notes


def _files(value: Any) -> set[str]:
    names = set()
    for i, sibling in enumerate(_list(value, "siblings", limit=100_000) if value else []):
        entry = _object(sibling, f"siblings[{i}]")
        names.add(_text(entry.get("rfilename"), f"siblings[{i}].rfilename", limit=1000))
    return names


def _variant_values(names: NameGuess, architecture: dict[str, Any]) -> dict[str, Any]:
    return {"name": names.name, "slug": names.slug, "kind": names.kind, **architecture}


def _version_guess(names: NameGuess, release_date: str | None, arch: Any) -> dict[str, Any]:
    return {
        "name": names.version_name,
        "slug": names.version_slug,
        "release_date": release_date,
        "max_context_tokens": arch.max_position_embeddings if arch is not None else None,
    }


def parse_hf_release(
    info: Any, config: Any, *, web_base: str = "https://huggingface.co"
) -> ReleaseFacts:
    """Read a Hub model-info payload and its config.json.

    ``info``: the JSON of ``GET {endpoint}/api/models/{repo_id}``; ``config``: the repository's
    config.json, or ``None`` where it could not be had. Raises :class:`ParseError`."""
    info = _object(info, "info")
    _check_json(info, "")
    repo_id = _repo_id(info.get("id", info.get("modelId")), "id")
    sha = _text(info.get("sha"), "sha", limit=64, required=True)
    if not _HEX.match(sha):
        raise ParseError("sha", NOT_A_REVISION.format(value=_shown(sha)))
    created_at = _datetime(info.get("createdAt"), "createdAt")
    last_modified = _datetime(info.get("lastModified"), "lastModified")
    gated = info.get("gated")
    if not isinstance(gated, bool | None):
        gated = _text(gated, "gated", limit=20) or False
    tags = _tags(info.get("tags"), "tags")
    card = _optional_object(info.get("cardData"), "cardData")
    files = _files(info.get("siblings"))
    license_tag, license_notes = _license_tag(card, tags)
    lineage, lineage_notes = _hub_lineage(repo_id, card, tags, files)
    names = guess_names(repo_id.split("/")[1], where="id")
    architecture, arch, count, config_notes = _architecture(config)
    hub_total, dtypes = _safetensors(info.get("safetensors"))
    parameters, parameter_note = _parameters(count, arch, hub_total, dtypes)
    release_date = _day(created_at)
    model_index, model_index_where = card_model_index(info, card)
    results, result_notes = parse_card_results(model_index, where=model_index_where)

    variant = _variant_values(names, architecture)
    variant["hf_repo_id"] = repo_id
    if release_date:
        variant["release_date"] = release_date
    if config is not None:
        variant["config"] = config
    variant.update(parameters)
    extra: dict[str, Any] = {
        "pipeline_tag": _text(info.get("pipeline_tag"), "pipeline_tag", limit=100),
        "library_name": _text(info.get("library_name"), "library_name", limit=100),
        "private": _bool(info.get("private"), "private"),
        "disabled": _bool(info.get("disabled"), "disabled"),
        "safetensors_total": hub_total,
        "safetensors_parameters": dtypes,
    }
    return ReleaseFacts(
        source="hf",
        upstream_id=repo_id,
        revision=sha,
        upstream_url=f"{web_base.rstrip('/')}/{repo_id}",
        variant=variant,
        license_tag=license_tag,
        family_guess=names.family,
        version_guess=_version_guess(names, release_date, arch),
        lineage=lineage,
        notes=(*config_notes, parameter_note, *license_notes, *lineage_notes, *result_notes),
        gated=bool(gated),
        tags=tags,
        created_at=created_at,
        last_modified=last_modified,
        extra=extra,
        results=results,
    )


# ---------------------------------------------------------------------------------------------
# ModelScope

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_QUANTIZED_NAME = re.compile(r"(?:^|[-_.])(?:gptq|awq|gguf|int4|int8|fp8)(?:$|[-_.])", re.I)


def parse_modelscope_release(
    info: Any, config: Any, *, web_base: str = "https://modelscope.cn"
) -> ReleaseFacts:
    """Read a ModelScope model payload and its config.json.

    ``info``: the whole envelope of ``GET {endpoint}/api/v1/models/{owner}/{name}``
    (``{"Code": 200, "Data": {...}, "Message", "RequestId", "Success": true}``); ``config``:
    config.json or ``None``. The revision is ``Data.LastUpdatedTime``. Raises
    :class:`ParseError`."""
    envelope = _object(info, "info")
    _check_json(envelope, "")
    code = envelope.get("Code")
    if code != 200 or isinstance(code, bool) or envelope.get("Success") is not True:
        message = _shown(envelope.get("Message"))[:200]
        raise ParseError("Code", UPSTREAM_FAILED.format(code=_shown(code), message=message))
    data = _object(envelope.get("Data"), "Data")
    owner = _text(data.get("Path"), "Data.Path", limit=MAX_REPO_ID_CHARS, required=True)
    name = _text(data.get("Name"), "Data.Name", limit=MAX_REPO_ID_CHARS, required=True)
    upstream_id = _repo_id(f"{owner}/{name}", "Data.Name")
    stamp = data.get("LastUpdatedTime")
    last_modified = _unix_time(stamp, "Data.LastUpdatedTime")
    if last_modified is None:
        raise ParseError("Data.LastUpdatedTime", MISSING)
    created_at = _unix_time(data.get("CreatedTime"), "Data.CreatedTime")
    license_tag = _text(data.get("License"), "Data.License", limit=MAX_LICENSE_CHARS).strip()
    tags = _tags(data.get("Tags"), "Data.Tags")
    description = _text(data.get("Description"), "Data.Description").strip()
    chinese_name = _text(data.get("ChineseName"), "Data.ChineseName", limit=MAX_NAME_CHARS)
    branch = _text(data.get("Revision"), "Data.Revision", limit=100)
    names = guess_names(name, where="Data.Name")
    architecture, arch, count, config_notes = _architecture(config)
    parameters, parameter_note = _parameters(count, arch, None, {})
    release_date = _day(created_at)

    kind = "quantize" if _QUANTIZED_NAME.search(name) else "finetune"
    found: dict[str, str] = {}
    lineage_notes: list[Note] = []
    for parent in _parents(data.get("BaseModel"), "Data.BaseModel"):
        _add_parent(found, lineage_notes, parent, kind, upstream_id)

    variant = _variant_values(names, architecture)
    variant["modelscope_repo_id"] = upstream_id
    if release_date:
        variant["release_date"] = release_date
    if description:
        variant["description_zh" if _CJK.search(description) else "description"] = description
    if config is not None:
        variant["config"] = config
    variant.update(parameters)
    return ReleaseFacts(
        source="modelscope",
        upstream_id=upstream_id,
        revision=str(stamp),
        upstream_url=f"{web_base.rstrip('/')}/models/{upstream_id}",
        variant=variant,
        license_tag=license_tag,
        family_guess=names.family,
        version_guess=_version_guess(names, release_date, arch),
        lineage=tuple({"parent": p, "kind": k} for p, k in found.items()),
        notes=(*config_notes, parameter_note, *lineage_notes),
        tags=tags,
        created_at=created_at,
        last_modified=last_modified,
        extra={"chinese_name": chinese_name, "branch": branch},
    )
