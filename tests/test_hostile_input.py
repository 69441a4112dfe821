"""Hostile input through every entry point: a clear error or escaped output, and nothing written.

Entry points: the API's parameters and bodies (as an editor with a write token), the HTML forms
(the pasted config.json, the admin change form), the files given to ``load_catalog --file``
(catalog files and registry exports) and to ``estimate``. Each refusal is checked for its
message and for row counts unchanged in every table of the registry.

Elsewhere: the whole API surface is schema-fuzzed in tests/fuzz/; ingested payloads (hostile
upstream answers, oversized responses, malformed feeds) are covered in tests/catalog/ingest/
(test_parse.py, test_sources.py, test_command.py); JSON nested past the recursion limit on
every write in tests/test_api.py.
"""

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pghistory.models import Events
from rest_framework.test import APIClient

from catalog.models import ModelVariant, Organization
from core.api.parsers import JSON_TOO_NESTED
from core.forms import JSON_NOT_FINITE
from core.middleware import REQUEST_TOO_LARGE
from core.models import ApiToken
from hardware import forms as hardware_forms
from tests import factories

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("owned")</script>'
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
HOSTILE_TEXT = f"{SCRIPT}{ATTRIBUTE_BREAK}"
# What must never appear in a page: the markup as written.
RAW_MARKUP = ("<script>alert(", "<img src=x onerror")
NUL_MESSAGE = "Null characters are not allowed."
DEEP = 100_000  # past Python's recursion limit (1000) many times over
LLAMA_CONFIG = "tests/fixtures/configs/meta-llama__Llama-2-7b-hf.json"


def row_counts() -> dict[str, int]:
    """Rows in every table of the registry's apps, and history events."""
    counts = {
        model._meta.label: model.objects.count()
        for app in ("catalog", "licenses", "hardware", "llmregistry")
        for model in apps.get_app_config(app).get_models()
    }
    counts["history events"] = Events.objects.count()
    return counts


@contextmanager
def nothing_written():
    """Assert that the block wrote or removed no row anywhere (history included)."""
    before = row_counts()
    yield
    assert row_counts() == before


@pytest.fixture
def variant():
    """A published variant to leave alone."""
    return factories.VariantFactory()


@pytest.fixture
def editor_user():
    return factories.make_editor()


@pytest.fixture
def editor(editor_user):
    _, plaintext = ApiToken.issue(user=editor_user, name="hostile")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    return client


@pytest.fixture
def staff(editor_user):
    client = Client()
    client.force_login(editor_user)
    return client


def _variant_body(**changes) -> dict:
    version = factories.VersionFactory()
    return {
        "slug": "hostile-7b",
        "name": "Hostile-7B",
        "kind": "base",
        "version": f"{version.family.slug}/{version.slug}",
        "total_parameters": 7_000_000_000,
        **changes,
    }


# --- Oversized bodies -----------------------------------------------------------------------


def _too_large(size: int) -> str:
    return REQUEST_TOO_LARGE % {
        "size": f"{size / 1024 / 1024:.1f}",
        "limit": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f}",
    }


def test_an_oversized_api_body_is_refused_with_413_before_it_is_read(editor):
    body = json.dumps({"slug": "big", "name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    with nothing_written():
        for url in (reverse("organization-list"), reverse("api-estimate")):
            response = editor.post(url, body, content_type="application/json")
            assert response.status_code == 413
            assert response.json() == {"detail": _too_large(len(body))}


def test_an_oversized_paste_is_refused_with_413_saying_why():
    config = "{" + " " * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + "}"
    with nothing_written():
        response = Client().post(reverse("hardware:fit_config"), {"config": config})
    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == _too_large(int(response.request["CONTENT_LENGTH"]))


def test_a_paste_over_the_config_size_is_a_400_naming_the_size():
    text = json.dumps({"model_type": "llama", "pad": "x" * hardware_forms.MAX_CONFIG_BYTES})
    response = Client().post(reverse("hardware:fit_config"), {"config": text})
    assert response.status_code == 400
    assert "at most 256 KB is accepted" in response.content.decode()


def test_an_oversized_admin_form_is_refused_with_413(staff, variant):
    url = reverse("admin:catalog_modelvariant_change", args=[variant.pk])
    with nothing_written():
        response = staff.post(url, {"name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert response.status_code == 413


def test_a_form_with_too_many_fields_is_a_400_not_a_500(staff, variant):
    url = reverse("admin:catalog_modelvariant_change", args=[variant.pk])
    fields = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    with nothing_written():
        assert staff.post(url, fields).status_code == 400


# --- NUL bytes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/organizations/?country=U%00S", "/models/?q=a%00b", "/api/v1/variants/a%00b/c/d/"],
)
def test_nul_bytes_in_the_url_are_a_400(url):
    response = Client().get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_nul_bytes_in_an_api_body_are_a_400_naming_the_field(editor):
    organization = factories.OrganizationFactory()
    with nothing_written():
        response = editor.post(
            reverse("organization-list"), {"slug": "nul", "name": "a\x00b"}, format="json"
        )
        assert response.status_code == 400
        assert response.json() == {"name": [NUL_MESSAGE]}
        response = editor.post(
            reverse("family-list"),
            {"slug": "nul", "name": "N", "organization": organization.slug, "aliases": ["a\x00"]},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"aliases": [NUL_MESSAGE]}


@pytest.mark.parametrize("encoding", ["json", "multipart"])
def test_nul_bytes_in_a_related_records_slug_are_a_400_not_a_database_error(editor, encoding):
    """Found by the schema fuzzer: the slug reached PostgreSQL's lookup as text with a NUL."""
    body = {"slug": "nul", "name": "N", "organization": "org\x00"}
    with nothing_written():
        response = editor.post(reverse("family-list"), body, format=encoding)
    assert response.status_code == 400
    assert response.json() == {"organization": [NUL_MESSAGE]}


def _key(variant) -> str:
    return f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"


def _change_form_data(response) -> dict:
    """What the unchanged admin change form posts: the main form and every inline formset
    (management forms included), as the browser sends it."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def _admin_save(client, record, **changes):
    url = reverse(
        f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk]
    )
    data = _change_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('{"model_type": "a\\u0000b"}', NUL_MESSAGE),
        ('{"\\u0000": 1}', NUL_MESSAGE),
        ("[" * DEEP + "]" * DEEP, str(JSON_TOO_NESTED)),
        ('{"rope_theta": 1e400}', str(JSON_NOT_FINITE)),
        ('{"rope_theta": NaN}', str(JSON_NOT_FINITE)),
    ],
    ids=["nul-value", "nul-key", "deep", "infinity", "nan"],
)
def test_hostile_json_in_an_admin_json_field_is_a_form_error(staff, variant, config, message):
    with nothing_written():
        response = _admin_save(staff, variant, config=config)
    assert response.status_code == 200  # the form again, with its errors
    assert response.context["adminform"].form.errors == {"config": [message]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_parameters", str(10**30)),
        ("num_layers", "-1"),
        ("rope_theta", "1e400"),
        ("rope_theta", "NaN"),
        ("release_date", "99999-01-01"),
        ("name", "x" * 10_000),
    ],
)
def test_huge_and_impossible_values_in_the_admin_are_form_errors(staff, variant, field, value):
    with nothing_written():
        response = _admin_save(staff, variant, **{field: value})
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]


def test_markup_saved_in_the_admin_is_escaped_where_it_is_shown(staff, variant):
    response = _admin_save(staff, variant, name=HOSTILE_TEXT, description=HOSTILE_TEXT)
    assert response.status_code == 302
    _assert_escaped(staff.get(response["Location"]))
    version, family = variant.version, variant.version.family
    page = reverse("catalog:variant_detail", args=[family.slug, version.slug, variant.slug])
    _assert_escaped(Client().get(page))


def test_nul_bytes_in_an_admin_form_are_a_form_error(staff, variant):
    with nothing_written():
        response = _admin_save(staff, variant, name="a\x00b", description="\x00")
    assert response.status_code == 200  # the form again, with its errors
    assert response.context["adminform"].form.errors == {
        "name": [NUL_MESSAGE],
        "description": [NUL_MESSAGE],
    }


# --- Deep nesting and huge numbers in API bodies and parameters ------------------------------


def test_deep_json_is_a_400_on_the_estimate_and_on_updates(editor, variant):
    body = '{"config": ' + "[" * DEEP + "]" * DEEP + "}"
    with nothing_written():
        for method, url in (
            (editor.post, reverse("api-estimate")),
            (editor.patch, reverse("variant-detail", args=[_key(variant)])),
        ):
            response = method(url, body, content_type="application/json")
            assert response.status_code == 400
            assert response.json() == {"detail": str(JSON_TOO_NESTED)}


def test_a_json_field_nested_within_the_parsers_reach_is_stored_or_refused_cleanly(editor, variant):
    """Nested deep enough to strain the serializers and PostgreSQL's jsonb, not the parser."""
    depth = sys.getrecursionlimit() // 3
    config = '{"a": ' * depth + "1" + "}" * depth
    response = editor.patch(
        reverse("variant-detail", args=[_key(variant)]),
        '{"config": ' + config + "}",
        content_type="application/json",
    )
    assert response.status_code in (200, 400), response.content[:300]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total_parameters": 10**30}, "total_parameters"),
        ({"total_parameters": -1}, "total_parameters"),
        ({"num_layers": 2**63}, "num_layers"),
        ({"rope_theta": "1e400"}, "rope_theta"),
        ({"rope_theta": "NaN"}, "rope_theta"),
        ({"release_date": "99999-01-01"}, "release_date"),
        ({"name": "x" * 100_000}, "name"),
    ],
    ids=["huge", "negative", "int64", "infinity", "nan", "year", "long-text"],
)
def test_huge_and_impossible_values_in_an_api_body_are_a_400_naming_the_field(
    editor, changes, field
):
    body = _variant_body(**changes)
    with nothing_written():
        response = editor.post(reverse("variant-list"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_json_number_beyond_a_double_is_a_400_naming_the_field(editor):
    """JSON's 1e400 reads as infinity in Python: refused, never stored."""
    body = json.dumps(_variant_body(rope_theta=1.0)).replace(
        '"rope_theta": 1.0', '"rope_theta": 1e400'
    )
    with nothing_written():
        response = editor.post(reverse("variant-list"), body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["rope_theta"]


@pytest.mark.parametrize("value", ["1e400", "NaN", "-Infinity", "9" * 100])
def test_huge_numbers_in_a_decimal_field_are_a_400(editor, value):
    body = {
        "slug": "g",
        "vendor": "V",
        "name": "G",
        "form": "datacenter",
        "memory": value,
        "memory_bandwidth_gbps": "900",
    }
    with nothing_written():
        response = editor.post(reverse("accelerator-list"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["memory"]


@pytest.mark.parametrize(
    "query",
    [
        "total_parameters__gte=1e400",
        "total_parameters__gte=99999999999999999999999999999",
        "total_parameters__lte=-99999999999999999999999999999",
        "context__gte=NaN",
        "page=99999999999999999999999999",
        "page=-1",
        "page_size=99999999999999999999999999",
        "ordering=" + "x" * 10_000,
        "q=" + "%25" * 5_000,
        "release_date__gte=99999-99-99",
    ],
)
def test_hostile_query_parameters_are_answered_without_a_server_error(query, variant):
    for url in (reverse("variant-list"), reverse("catalog:variant_list")):
        response = Client().get(f"{url}?{query}")
        assert response.status_code in (200, 400, 404), (url, response.content[:300])


# Every parameter of every page whose form is a GET query.
PAGE_PARAMETERS = {
    "/can-i-run-it/": (
        "accelerator",
        "count",
        "profile",
        "precision",
        "context_tokens",
        "workload",
        "batch",
        "kv_dtype",
        "sort",
        "variant",
    ),
    "/licenses/check/": (
        "license",
        "variant",
        "monthly_users",
        "publish_finetune",
        "train_other_models",
        "hosted_service",
    ),
    "/compare/": ("variant", "precision", "context_tokens"),
    "/models/": ("q", "family", "kind", "total_parameters__gte", "context__gte", "page"),
    "/versions/": ("q", "family", "release_date__gte", "page"),
    "/features/": ("category",),
}
HOSTILE_VALUES = ("1e400", "9" * 40, "-1", "NaN", "１２", "²", SCRIPT, "x" * 3_000)


@pytest.mark.parametrize("page", list(PAGE_PARAMETERS))
def test_every_get_form_answers_hostile_values_without_a_server_error(page, variant):
    client = Client()
    for name in PAGE_PARAMETERS[page]:
        for value in HOSTILE_VALUES:
            response = client.get(page, {name: value})
            assert response.status_code in (200, 400), (page, name, value[:20])
            content = response.content.decode()
            for markup in RAW_MARKUP:
                assert markup not in content, (page, name)


@pytest.mark.parametrize(
    ("field", "value"),
    [("context", 10**30), ("batch", 10**30), ("lora_rank", -1), ("context", 1e300)],
)
def test_huge_numbers_in_the_estimate_are_a_400_naming_the_field(editor, field, value):
    config = json.loads((settings.BASE_DIR / LLAMA_CONFIG).read_text())
    with nothing_written():
        response = editor.post(
            reverse("api-estimate"), {"config": config, field: value}, format="json"
        )
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- Script injection: stored through the API, escaped on every page that shows it -----------


@pytest.fixture
def injected(editor):
    """A whole published lineage written through the API with markup in every text field."""
    text = {"name": HOSTILE_TEXT, "description": HOSTILE_TEXT, "description_zh": HOSTILE_TEXT}

    def post(basename, body):
        response = editor.post(reverse(f"{basename}-list"), body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    post("organization", {"slug": "evil-org", "country": "US", "website": "", **text})
    post("license", {"slug": "evil-license", "kind": "permissive", **text})
    post("feature", {"slug": "evil-feature", "category": "attention", **text})
    post(
        "family",
        {"slug": "evil", "organization": "evil-org", "aliases": [HOSTILE_TEXT], **text},
    )
    post(
        "version",
        {
            "slug": "evil-1",
            "family": "evil",
            "release_date": "2024-05-01",
            "license": "evil-license",
            "features": ["evil-feature"],
            "aliases": [HOSTILE_TEXT],
            "tokenizer": HOSTILE_TEXT,
            **text,
        },
    )
    variants = []
    for slug, parameters in (("evil-7b", 7_000_000_000), ("evil-70b", 70_000_000_000)):
        post(
            "variant",
            {
                "slug": slug,
                "kind": "base",
                "version": "evil/evil-1",
                "total_parameters": parameters,
                "num_layers": 32,
                "hidden_size": 4096,
                "num_attention_heads": 32,
                "num_kv_heads": 8,
                "head_dim": 128,
                "intermediate_size": 14336,
                "vocab_size": 128256,
                "hf_repo_id": HOSTILE_TEXT,
                "architecture_class": HOSTILE_TEXT,
                "model_type": "llama",
                "config": {"model_type": HOSTILE_TEXT},
                **text,
            },
        )
        variants.append(ModelVariant.objects.get(slug=slug))
    child, parent = variants
    factories.LineageFactory(parent=parent, child=child)
    return variants


def _assert_escaped(response, *, shows_it=True):
    assert response.status_code == 200, response.request["PATH_INFO"]
    content = response.content.decode()
    for markup in RAW_MARKUP:
        assert markup not in content, response.request["PATH_INFO"]
    if shows_it:
        assert "&lt;script&gt;alert(" in content, response.request["PATH_INFO"]


def test_injected_markup_is_escaped_on_every_public_page(injected):
    variant = injected[0]
    key = "evil/evil-1/" + variant.slug
    pages = [
        reverse("catalog:home"),
        reverse("catalog:variant_list"),
        reverse("catalog:variant_list") + "?q=evil",
        reverse("catalog:version_list"),
        reverse("catalog:family_list"),
        reverse("catalog:family_detail", args=["evil"]),
        reverse("catalog:version_detail", args=["evil", "evil-1"]),
        reverse("catalog:variant_detail", args=["evil", "evil-1", variant.slug]),
        f"{reverse('catalog:compare')}?variant={key}&variant=evil/evil-1/evil-70b",
        reverse("catalog:feature_list"),
        reverse("catalog:feature_detail", args=["evil-feature"]),
        reverse("licenses:license_detail", args=["evil-license"]),
        f"{reverse('hardware:fit')}?variant={key}",
    ]
    client = Client()
    for url in pages:
        _assert_escaped(client.get(url))
    for url in (
        reverse("catalog:trends"),
        reverse("hardware:index"),
        reverse("licenses:license_list"),
    ):
        _assert_escaped(client.get(url), shows_it=False)


def test_injected_markup_is_escaped_in_the_admin(injected, staff):
    variant = injected[0]
    version, family = variant.version, variant.version.family
    for model, record in (
        ("catalog_modelvariant", variant),
        ("catalog_modelversion", version),
        ("catalog_modelfamily", family),
        ("catalog_organization", family.organization),
        ("catalog_architecturefeature", version.features.get()),
        ("licenses_license", version.license),
    ):
        _assert_escaped(staff.get(reverse(f"admin:{model}_changelist")))
        _assert_escaped(staff.get(reverse(f"admin:{model}_changelist") + "?q=evil"))
        _assert_escaped(staff.get(reverse(f"admin:{model}_change", args=[record.pk])))
        _assert_escaped(staff.get(reverse(f"admin:{model}_history", args=[record.pk])))


@pytest.mark.parametrize(
    "url",
    [
        f"/compare/?variant={SCRIPT}&variant=a/b/{ATTRIBUTE_BREAK}",
        f"/models/?q={SCRIPT}",
        f"/can-i-run-it/?variant={SCRIPT}",
        f"/admin/catalog/modelvariant/?q={SCRIPT}",
    ],
)
def test_markup_in_the_url_is_escaped_where_the_page_repeats_it(url, staff):
    response = staff.get(url)
    assert response.status_code in (200, 400)
    content = response.content.decode()
    for markup in RAW_MARKUP:
        assert markup not in content


# --- The pasted config.json --------------------------------------------------------------------

HOSTILE_CONFIGS = [
    ("not json", hardware_forms.CONFIG_NOT_JSON.split(":")[0]),
    ("[1, 2, 3]", str(hardware_forms.CONFIG_NOT_OBJECT)),
    ('"a string"', str(hardware_forms.CONFIG_NOT_OBJECT)),
    ("[" * DEEP + "]" * DEEP, str(hardware_forms.CONFIG_TOO_NESTED)),
    ('{"":' * 40_000 + "1" + "}" * 40_000, str(hardware_forms.CONFIG_TOO_NESTED)),
    ('{"model_type": "llama", "num_hidden_layers": 10000000}', "at most"),
    ('{"model_type": "llama\x00"}', NUL_MESSAGE),
    (
        '{"model_type": "llama", "hidden_size": 1e400, "num_hidden_layers": 2, '
        '"num_attention_heads": 2, "vocab_size": 10, "intermediate_size": 8}',
        "hidden_size",
    ),
    (
        '{"model_type": "llama", "hidden_size": 10' + "0" * 400 + ', "num_hidden_layers": 2, '
        '"num_attention_heads": 2, "vocab_size": 10, "intermediate_size": 8}',
        "hidden_size",
    ),
    (
        '{"model_type": "llama", "hidden_size": -4096, "num_hidden_layers": 2, '
        '"num_attention_heads": 2, "vocab_size": 10, "intermediate_size": 8}',
        "hidden_size",
    ),
    ('{"model_type": "llama", "hidden_size": "4096; DROP TABLE"}', "hidden_size"),
    ('{"model_type": "llama", "num_hidden_layers": NaN}', "num_hidden_layers"),
]


@pytest.mark.parametrize(
    ("config", "message"),
    HOSTILE_CONFIGS,
    ids=[
        "not-json",
        "array",
        "string",
        "deep-arrays",
        "deep-objects",
        "million-layers",
        "nul",
        "infinity",
        "400-digits",
        "negative",
        "text-for-number",
        "nan",
    ],
)
def test_a_hostile_config_paste_is_a_400_that_says_what_is_wrong(config, message):
    with nothing_written():
        response = Client().post(reverse("hardware:fit_config"), {"config": config})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("field", "status"),
    [("architectures", 200), ("model_type", 400)],
    ids=["shown-in-the-answer", "repeated-in-the-error"],
)
def test_markup_in_a_pasted_config_is_escaped(field, status):
    config = json.loads((settings.BASE_DIR / LLAMA_CONFIG).read_text())
    config[field] = [HOSTILE_TEXT] if field == "architectures" else HOSTILE_TEXT
    with nothing_written():
        response = Client().post(reverse("hardware:fit_config"), {"config": json.dumps(config)})
    assert response.status_code == status
    content = response.content.decode()
    for markup in RAW_MARKUP:
        assert markup not in content
    assert "&lt;script&gt;alert(" in content


# --- Files given to the commands ---------------------------------------------------------------


def _load(path) -> str:
    """Load one file that must be refused: the command's error, nothing written."""
    factories.VariantFactory()  # rows to leave alone
    with nothing_written(), pytest.raises(CommandError) as failure:
        call_command("load_catalog", file=[Path(path)], no_progress=True, verbosity=0)
    return str(failure.value)


def _traversal_to(target: str) -> str:
    return os.path.relpath(target, Path.cwd())


def test_path_traversal_to_a_system_file_is_a_clear_error():
    path = _traversal_to("/etc/passwd")
    assert path.startswith("..")
    message = _load(path)
    assert "nothing was changed" in message
    assert "/etc/passwd" in message
    assert "must be a mapping of record lists" in message


def test_a_directory_is_a_clear_error(tmp_path):
    message = _load(tmp_path)
    assert str(tmp_path) in message
    assert "is a directory" in message


@pytest.mark.parametrize("target", ["directory", "system-file", "dangling", "loop"])
def test_a_symlink_is_followed_and_refused_like_its_target(tmp_path, target):
    link = tmp_path / "export.json"
    expected = {
        "directory": "is a directory",
        "system-file": "must be a mapping of record lists",
        "dangling": "file not found",
        "loop": "symbolic link to nothing",
    }[target]
    if target == "directory":
        link.symlink_to(tmp_path)
    elif target == "system-file":
        link.symlink_to("/etc/passwd")
    elif target == "dangling":
        link.symlink_to(tmp_path / "missing.json")
    else:
        link.symlink_to(link)
    message = _load(link)
    assert "export.json" in message or str(link.resolve()) in message
    assert expected in message


MALFORMED_FILES = {
    "invalid-yaml": (b"organizations: [\n  - slug: x\n", "invalid YAML"),
    "binary": (bytes(range(256)) * 4, "not UTF-8 text (byte 128 cannot be decoded)"),
    "nul": (b"organizations:\n  - slug: a\x00b\n", "invalid YAML"),
    "top-level-list": (b"- 1\n- 2\n", "must be a mapping of record lists"),
    "unknown-section": (b"passwords: []\n", "unknown section"),
    "deep-json": (b'{"organizations": ' + b"[" * DEEP + b"]" * DEEP + b"}", "nested too deeply"),
    "deep-yaml": (b"organizations:\n" + b"- " * 5_000 + b"x\n", "nested too deeply"),
    # libyaml composes by recursion in C: this deep, unguarded, it overflows the stack.
    "deeper-yaml": (b"organizations:\n" + b"- " * 100_000 + b"x\n", "nested too deeply"),
    "deep-flow-yaml": (b"organizations: " + b"{a: " * 101 + b"1" + b"}" * 101, "nested too deeply"),
    "wrong-export": (b'{"format": "other", "format_version": 1}', "expected format"),
    "nul-in-value": (
        b'organizations:\n  - slug: nul\n    name: "a\\0b"\n    country: US\n',
        "field 'name': null characters are not allowed",
    ),
    "infinity": (
        b"accelerators:\n  - slug: inf\n    vendor: V\n    name: Inf\n    form: datacenter\n"
        b"    memory: 80\n    memory_bandwidth_gbps: .inf\n",
        "field 'memory_bandwidth_gbps': numbers must be finite",
    ),
    "huge-number": (
        b"size_tiers:\n  - slug: huge\n    label: Huge\n    parameters_billion: 1e400\n",
        "parameters_billion",
    ),
    # "Billion laughs": nine aliases of nine aliases, eight deep.
    "alias-bomb": (
        "\n".join(
            ["a: &a [x, x, x, x, x, x, x, x, x]"]
            + [
                f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
                for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
            ]
        ).encode(),
        "unknown section",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED_FILES))
def test_a_malformed_catalog_or_export_file_is_a_clear_error_naming_it(tmp_path, name):
    content, expected = MALFORMED_FILES[name]
    # JSON is read as JSON (a registry export), the rest as YAML.
    path = tmp_path / (f"{name}.json" if content.startswith(b"{") else f"{name}.yaml")
    path.write_bytes(content)
    message = _load(path)
    assert str(path) in message
    assert "nothing was changed" in message
    assert expected in message


def test_a_file_loads_by_its_symlink(tmp_path):
    path = tmp_path / "orgs.yaml"
    path.write_text("organizations:\n  - slug: linked\n    name: Linked\n    country: US\n")
    (tmp_path / "link.yaml").symlink_to(path)
    call_command("load_catalog", file=[tmp_path / "link.yaml"], no_progress=True, verbosity=0)
    assert Organization.objects.filter(slug="linked").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "Is a directory"),
        (b"\xff\xfe\x00", "not a readable JSON file"),
        (b"[" * DEEP + b"]" * DEEP, "nested too deeply"),
        (b"[1]", "must be a JSON object"),
    ],
    ids=["directory", "binary", "deep", "array"],
)
def test_a_hostile_config_file_given_to_estimate_is_a_clear_error(tmp_path, content, expected):
    path = tmp_path
    if content is not None:
        path = tmp_path / "config.json"
        path.write_bytes(content)
    with pytest.raises(CommandError) as failure:
        call_command("estimate", str(path))
    assert str(path) in str(failure.value)
    assert expected in str(failure.value)
