"""The hardware pages: can I run it, a pasted config.json, accelerators, profiles, sizing.

Tests with factories come first; the ones on the curated catalog (loaded once for the module,
with its recommendations computed) come last.
"""

import importlib
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from estimator.memory import MAX_BATCH, MAX_CONTEXT_TOKENS
from hardware import forms
from hardware.api.serializers import EstimateRequestSerializer
from hardware.services import recommendations_recompute
from tests import factories
from tests.estimator.configs import fixture_config
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db
MAX_PAGE_BYTES = 100_000
FIT = reverse("hardware:fit")
CONFIG = reverse("hardware:fit_config")
INDEX = reverse("hardware:index")
SIZING = reverse("hardware:sizing")


def _text(response) -> str:
    return response.content.decode()


def _message(constant, **params) -> str:
    """A form error constant as the page shows it (HTML-escaped, English)."""
    from django.utils.html import escape

    with translation.override("en"):
        text = str(constant) % params if params else str(constant)
    return escape(text)


def _table(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)]


def _variant_keys(html: str) -> list[str]:
    return re.findall(r'data-variant="([^"]+)"', html)


def _key(variant) -> str:
    return f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"


@pytest.fixture
def gpu():
    """One published 24 GiB GPU, with a 1× and a 2× profile."""
    accelerator = factories.AcceleratorFactory(
        slug="test-gpu-24", name="Test GPU 24GB", memory=24, memory_bandwidth_gbps=1000
    )
    factories.ProfileFactory(slug="1x-test-gpu-24", accelerator=accelerator, count=1)
    factories.ProfileFactory(slug="2x-test-gpu-24", accelerator=accelerator, count=2)
    return accelerator


def _variants(count: int, *, prefix: str = "qc"):
    version = factories.VersionFactory(max_context_tokens=32768)
    return [
        factories.VariantFactory(version=version, slug=f"{prefix}-{i}", name=f"QcModel-{i}")
        for i in range(count)
    ]


# -- the options follow the API's rules --------------------------------------------------------


def test_the_form_offers_the_api_precisions_kv_dtypes_and_bounds():
    api = EstimateRequestSerializer().fields
    form = forms.ConfigForm()
    assert [k for k, _ in form.fields["precision"].choices] == list(api["precision"].choices)
    assert [k for k, _ in form.fields["kv_dtype"].choices] == list(api["kv_dtype"].choices)
    assert form.fields["batch"].max_value == api["batch"].max_value == MAX_BATCH
    assert api["context"].max_value == MAX_CONTEXT_TOKENS


@pytest.mark.parametrize(
    ("text", "tokens"), [("4096", 4096), ("32K", 32768), ("128k", 131072), ("1M", 1048576)]
)
def test_context_accepts_plain_and_suffixed_token_counts(text, tokens):
    assert forms.TokenCountField().clean(text) == tokens


# -- can I run it (factories) ----------------------------------------------------------------


def test_fit_page_without_input_shows_the_form_and_examples(client, gpu):
    factories.AcceleratorFactory(slug="nvidia-rtx-4090", name="GeForce RTX 4090 24GB")
    response = client.get(FIT)
    assert response.status_code == 200
    html = _text(response)
    assert 'id="fit-form"' in html
    assert 'name="accelerator"' in html
    assert 'name="count"' in html
    assert 'name="profile"' in html
    assert 'name="precision"' in html
    assert 'name="context_tokens"' in html
    assert 'name="workload"' in html
    examples = html[
        html.index('id="fit-examples"') : html.index("</ul>", html.index('id="fit-examples"'))
    ]
    assert "accelerator=nvidia-rtx-4090&amp;count=2" in examples
    assert "nvidia-h100-sxm" not in examples  # not in this registry: no broken example
    assert 'value="test-gpu-24"' in html
    assert 'id="fit-results"' not in html


def test_fit_ranks_fitting_variants_with_memory_headroom_and_speed(client, gpu):
    small, large = _variants(2, prefix="rank")
    large.num_layers, large.total_parameters = 64, 12_000_000_000
    large.save()
    response = client.get(FIT, {"accelerator": gpu.slug, "count": 1, "precision": "bf16"})
    assert response.status_code == 200
    html = _text(response)
    results = _table(html, "fit-results")
    # Largest first: the 64-layer variant (about 13B) needs 24 GiB+ and does not fit one
    # 24 GiB card at BF16; the 6.7B one does, with its headroom and a decode speed.
    assert _variant_keys(results) == [_key(small)]
    assert "tokens/s" in results
    assert "GiB" in results
    assert "%" in results
    missing = html[html.index('id="fit-missing"') :]
    assert _key(large) in _variant_keys(missing)
    assert "short per accelerator" in missing


def test_fit_sorts_by_headroom_speed_or_memory(client, gpu):
    small, other = _variants(2, prefix="sort")
    other.num_layers = 16  # half the layers: less memory, more headroom, faster
    other.save()
    params = {"accelerator": gpu.slug, "precision": "bf16"}
    by_size = _variant_keys(_table(_text(client.get(FIT, params)), "fit-results"))
    assert by_size[0] == _key(small)  # same parameter count field, name order
    for sort in ("headroom", "speed", "memory"):
        keys = _variant_keys(
            _table(_text(client.get(FIT, {**params, "sort": sort})), "fit-results")
        )
        assert keys[0] == _key(other), sort


def test_fit_on_a_profile_uses_its_accelerators(client, gpu):
    _variants(1, prefix="prof")
    profile = gpu.profiles.get(count=2)
    response = client.get(FIT, {"profile": profile.slug})
    assert response.status_code == 200
    html = _text(response)
    assert f"What fits {profile.name}" in html
    assert "per accelerator" in _table(html, "fit-results")


def test_serving_several_sequences_multiplies_the_kv_cache(client, gpu):
    (variant,) = _variants(1, prefix="serve")
    one = _text(client.get(FIT, {"accelerator": gpu.slug, "context_tokens": "8K"}))
    many = _text(
        client.get(
            FIT,
            {"accelerator": gpu.slug, "context_tokens": "8K", "workload": "serving", "batch": 8},
        )
    )
    assert _key(variant) in _variant_keys(_table(one, "fit-results"))
    # Eight 8K sequences of a 32-head MHA model need 32 GiB of KV cache: no longer fits.
    assert 'id="fit-results"' not in many
    assert _key(variant) in _variant_keys(many[many.index('id="fit-missing"') :])


def test_fine_tuning_workloads_are_estimated(client, gpu):
    _variants(1, prefix="tune")
    response = client.get(FIT, {"accelerator": gpu.slug, "workload": "qlora", "batch": 1})
    assert response.status_code == 200
    assert "QLoRA fine-tuning" in _text(response)


def test_fit_lists_drafts_never(client, gpu):
    (published,) = _variants(1, prefix="pub")
    factories.VariantFactory(version=published.version, slug="draft-one", status="draft")
    draft_gpu = factories.AcceleratorFactory(slug="draft-gpu", status="draft")
    html = _text(client.get(FIT, {"accelerator": gpu.slug}))
    assert _key(published) in html
    assert "draft-one" not in html
    assert 'value="draft-gpu"' not in html
    refused = client.get(FIT, {"accelerator": draft_gpu.slug})
    assert refused.status_code == 400


def test_fit_applies_the_variant_filterset(client, gpu):
    wanted, other = _variants(2, prefix="flt")
    wanted.name = "Zebrafish-7B"
    wanted.save()
    html = _text(client.get(FIT, {"accelerator": gpu.slug, "q": "Zebrafish"}))
    keys = _variant_keys(html)
    assert _key(wanted) in keys
    assert _key(other) not in keys


def test_a_variant_key_narrows_to_one_variant_on_every_profile(client, gpu):
    wanted, other = _variants(2, prefix="one")
    response = client.get(FIT, {"variant": _key(wanted)})
    assert response.status_code == 200
    html = _text(response)
    table = _table(html, "variant-profiles")
    assert 'data-profile="1x-test-gpu-24"' in table
    assert 'data-profile="2x-test-gpu-24"' in table
    assert _key(other) not in html
    with_hardware = _text(client.get(FIT, {"variant": _key(wanted), "accelerator": gpu.slug}))
    assert _variant_keys(_table(with_hardware, "fit-results")) == [_key(wanted)]


def test_a_context_beyond_the_model_maximum_does_not_fit(client, gpu):
    (_variant,) = _variants(1, prefix="ctx")  # its version allows 32K
    html = _text(client.get(FIT, {"accelerator": gpu.slug, "context_tokens": "64K"}))
    assert 'id="fit-results"' not in html
    assert "supports at most 32K tokens of context" in html


def test_variants_without_architecture_numbers_are_listed_apart(client, gpu):
    (variant,) = _variants(1, prefix="arch")
    factories.VariantFactory(
        version=variant.version, slug="no-numbers", name="NoNumbers", num_layers=None
    )
    html = _text(client.get(FIT, {"accelerator": gpu.slug}))
    skipped = html[html.index('id="fit-skipped"') :]
    assert "NoNumbers" in skipped


def test_a_long_list_of_variants_without_numbers_is_cut_and_counted(client, gpu, monkeypatch):
    monkeypatch.setattr(importlib.import_module("hardware.views.fit"), "SKIPPED_ROWS", 2)
    (variant,) = _variants(1, prefix="arch")
    for n in range(5):
        factories.VariantFactory(
            version=variant.version, slug=f"no-numbers-{n}", name=f"NoNumbers{n}", num_layers=None
        )
    html = _text(client.get(FIT, {"accelerator": gpu.slug}))
    skipped = html[html.index('id="fit-skipped"') :]
    assert "5 models have no architecture numbers to estimate" in skipped
    assert skipped.count("NoNumbers") == 2
    assert "and 3 more" in skipped


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"accelerator": "nope"}, "accelerator", None),
        ({"accelerator": "test-gpu-24", "count": 17}, "count", None),
        ({"accelerator": "test-gpu-24", "count": "two"}, "count", None),
        ({"context_tokens": "lots"}, "context_tokens", forms.BAD_TOKENS),
        ({"context_tokens": "0"}, "context_tokens", forms.TOKENS_TOO_SMALL),
        ({"context_tokens": "99M"}, "context_tokens", None),
        ({"precision": "int3"}, "precision", None),
        ({"workload": "mining"}, "workload", None),
        ({"batch": 0}, "batch", None),
        ({"batch": 5000}, "batch", None),
        ({"kv_dtype": "int2"}, "kv_dtype", None),
        ({"variant": "not a key"}, "variant", forms.BAD_VARIANT_KEY),
        ({"variant": "no/such/model"}, "variant", forms.UNKNOWN_VARIANT),
        ({"sort": "random"}, "sort", None),
    ],
)
def test_bad_fit_input_is_explained_on_the_page(client, gpu, params, field, message):
    _variants(1, prefix="bad")
    response = client.get(FIT, params)
    assert response.status_code == 400
    html = _text(response)
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    if message:
        assert _message(message) in html


def test_an_accelerator_and_a_profile_together_are_refused(client, gpu):
    response = client.get(FIT, {"accelerator": gpu.slug, "profile": "1x-test-gpu-24"})
    assert response.status_code == 400
    assert _message(forms.HARDWARE_NOT_BOTH) in _text(response)


def test_a_bad_model_filter_is_explained(client, gpu):
    response = client.get(FIT, {"accelerator": gpu.slug, "total_parameters__gte": "lots"})
    assert response.status_code == 400
    html = _text(response)
    assert "Some filters could not be applied" in html
    assert "total_parameters__gte" in html


def test_fit_results_query_count_is_constant(client, gpu):
    variants = _variants(1, prefix="qf")
    url = f"{FIT}?accelerator={gpu.slug}&count=1&precision=bf16&context_tokens=4096"
    client.get(url)  # warm caches (content types)
    one = count_queries(lambda: client.get(url))
    for i in range(4):
        factories.VariantFactory(version=variants[0].version, slug=f"qf-more-{i}")
    many = count_queries(lambda: client.get(url))
    assert_same_query_count(one, many, "can I run it")
    html = _text(client.get(url))
    assert len(_variant_keys(_table(html, "fit-results"))) == 5


def test_fit_matrix_query_count_is_constant_with_stored_recommendations(client, gpu):
    variants = _variants(1, prefix="qm")
    url = f"{FIT}?profile=1x-test-gpu-24&precision=bf16&context_tokens=4096"
    recommendations_recompute()
    client.get(url)
    one = count_queries(lambda: client.get(url))
    for i in range(4):
        factories.VariantFactory(version=variants[0].version, slug=f"qm-more-{i}")
    recommendations_recompute()
    many = count_queries(lambda: client.get(url))
    assert_same_query_count(one, many, "can I run it, matrix from recommendations")
    html = _text(client.get(url))
    matrix = _table(html, "fit-matrix-table")
    assert len(_variant_keys(matrix)) == 5
    assert "rows come from the stored recommendations" in html
    assert 'class="fit"' in matrix


def test_fit_matrix_marks_fit_and_no_fit_cells(client, gpu):
    small, large = _variants(2, prefix="mx")
    large.num_layers, large.total_parameters = 64, 12_000_000_000
    large.save()
    html = _text(client.get(FIT, {"precision": "bf16", "context_tokens": "8192"}))
    matrix = _table(html, "fit-matrix-table")
    rows = dict(re.findall(r'data-variant="([^"]+)">(.*?)</tr>', matrix, flags=re.S))
    # Columns run from the least memory: 1 × 24 GiB, then 2 × 24 GiB.
    assert re.findall(r'<td class="([^"]+)">', rows[_key(small)]) == ["fit", "fit"]
    assert re.findall(r'<td class="([^"]+)">', rows[_key(large)]) == ["no-fit", "fit"]
    assert "✗ −" in rows[_key(large)]  # computed now: the memory missing is shown
    assert "rows were computed now" in html


# -- paste a config.json ---------------------------------------------------------------------


def _post(client, config, **options):
    text = config if isinstance(config, str) else json.dumps(config, indent=2)
    return client.post(CONFIG, {"config": text, **options})


def test_config_page_shows_a_csrf_protected_form(client):
    response = client.get(CONFIG)
    assert response.status_code == 200
    html = _text(response)
    assert 'id="config-form"' in html
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<textarea name="config"' in html


def test_a_pasted_config_gets_the_api_answer(client, gpu):
    config = fixture_config("meta-llama__Meta-Llama-3-8B")
    response = _post(client, config, precision="bf16", context_tokens="8K")
    assert response.status_code == 200
    html = _text(response)
    api = client.post(
        reverse("api-estimate"),
        data=json.dumps({"config": config, "precision": "bf16", "context": 8192}),
        content_type="application/json",
    ).json()
    assert f'data-total-params="{api["total_params"]}"' in html
    assert api["total_params"] == 8_030_261_248
    assert 'data-field="num_kv_heads"' in html  # the parsed architecture
    results = _table(html, "config-results")
    assert 'data-profile="1x-test-gpu-24"' in results
    assert 'data-profile="2x-test-gpu-24"' in results
    assert 'id="config-breakdown"' in html
    assert 'id="config-chart"' in html
    assert 'role="img"' in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"model_type": "llama",', None),
        ("[1, 2, 3]", forms.CONFIG_NOT_OBJECT),
        ("   ", forms.CONFIG_REQUIRED),
        ("", forms.CONFIG_REQUIRED),
    ],
)
def test_unreadable_config_text_is_explained_and_kept(client, text, message):
    response = _post(client, text)
    assert response.status_code == 400
    html = _text(response)
    assert 'id="id_config_error"' in html
    if message:
        assert _message(message) in html
    else:
        assert "This is not valid JSON" in html
    from django.utils.html import escape

    assert escape(text.strip()) in html  # the textarea keeps what was pasted


def test_a_config_the_parser_rejects_names_the_field(client):
    config = fixture_config("meta-llama__Meta-Llama-3-8B")
    del config["hidden_size"]
    response = _post(client, config)
    assert response.status_code == 400
    html = _text(response)
    assert "hidden_size" in html[html.index('id="id_config_error"') :]
    assert "&quot;num_hidden_layers&quot;: 32" in html  # the input is kept

    response = _post(client, {**config, "hidden_size": 4096, "model_type": "bert"})
    assert response.status_code == 400
    assert "Unsupported architecture" in _text(response)


def test_configs_that_would_crash_or_stall_the_estimator_are_refused(client):
    config = fixture_config("meta-llama__Meta-Llama-3-8B")
    deep = _post(client, {**config, "num_hidden_layers": 10**9})
    assert deep.status_code == 400
    assert _message(
        forms.CONFIG_TOO_DEEP, field="num_hidden_layers", value=10**9, limit=2048
    ) in _text(deep)
    odd = _post(client, {**config, "model_type": ["llama"]})
    assert odd.status_code == 400
    assert 'id="id_config_error"' in _text(odd)


def test_a_config_larger_than_the_limit_is_refused(client):
    config = {**fixture_config("meta-llama__Meta-Llama-3-8B"), "padding": "x" * 300_000}
    response = _post(client, config)
    assert response.status_code == 400
    assert "at most 256 KB is accepted" in _text(response)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"batch": 0}, "batch"),
        ({"precision": "int3"}, "precision"),
        ({"context_tokens": "17M"}, "context_tokens"),
    ],
)
def test_bad_options_on_the_config_page_are_explained(client, options, field):
    response = _post(client, fixture_config("meta-llama__Meta-Llama-3-8B"), **options)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in _text(response)


def test_config_page_query_count_is_constant(client, gpu):
    config = fixture_config("mistralai__Mixtral-8x7B-v0.1")
    _post(client, config)
    one = count_queries(lambda: _post(client, config))
    for i in range(4):
        factories.ProfileFactory(slug=f"qc-profile-{i}", accelerator=gpu, count=4 + i)
    many = count_queries(lambda: _post(client, config))
    assert_same_query_count(one, many, "pasted config")


# -- hardware index, accelerator and profile pages ---------------------------------------------


def test_index_lists_accelerators_and_profiles(client, gpu):
    factories.AcceleratorFactory(slug="hidden-gpu", name="Hidden GPU", status="draft")
    response = client.get(INDEX)
    assert response.status_code == 200
    html = _text(response)
    table = _table(html, "accelerator-table")
    assert 'data-accelerator="test-gpu-24"' in table
    assert "1000" in table  # bandwidth, GB/s
    assert "Hidden GPU" not in html
    profiles = _table(html, "profile-table")
    assert 'data-profile="2x-test-gpu-24"' in profiles
    assert "48 GiB" in profiles  # 2 × 24 GiB
    assert reverse("hardware:sizing") in html


def test_index_filters_with_the_accelerator_filterset(client, gpu):
    factories.AcceleratorFactory(slug="big-gpu", name="Big GPU", memory=192)
    html = _text(client.get(INDEX, {"memory_gib__gte": 100}))
    assert 'data-accelerator="big-gpu"' in html
    assert 'data-accelerator="test-gpu-24"' not in html
    assert 'data-profile="1x-test-gpu-24"' not in html  # profiles follow the accelerators
    sorted_html = _text(client.get(INDEX, {"ordering": "-memory_gib"}))
    order = re.findall(r'data-accelerator="([^"]+)"', sorted_html)
    assert order.index("big-gpu") < order.index("test-gpu-24")
    bad = client.get(INDEX, {"memory_gib__gte": "much"})
    assert bad.status_code == 400
    assert "Some filters could not be applied" in _text(bad)


def test_index_query_count_is_constant(client):
    def build(n):
        for _ in range(n):
            accelerator = factories.AcceleratorFactory()
            factories.ProfileFactory(accelerator=accelerator, count=2)

    build(1)
    client.get(INDEX)
    one = count_queries(lambda: client.get(INDEX))
    build(4)
    many = count_queries(lambda: client.get(INDEX))
    assert_same_query_count(one, many, "hardware index")


def test_accelerator_page_shows_facts_sources_and_profiles(client, gpu):
    factories.CitationFactory(
        record=gpu, source=factories.SourceFactory(title="Test GPU datasheet")
    )
    response = client.get(reverse("hardware:accelerator_detail", args=[gpu.slug]))
    assert response.status_code == 200
    html = _text(response)
    assert html.count("<h1") == 1
    assert "Test GPU datasheet" in html
    table = _table(html, "accelerator-profiles")
    assert 'data-profile="1x-test-gpu-24"' in table
    assert 'data-profile="2x-test-gpu-24"' in table
    assert f"{FIT}?accelerator={gpu.slug}&amp;count=1" in html


def test_accelerator_page_query_count_is_constant(client, gpu):
    url = reverse("hardware:accelerator_detail", args=[gpu.slug])
    client.get(url)
    one = count_queries(lambda: client.get(url))
    for i in range(3):
        factories.ProfileFactory(accelerator=gpu, count=3 + i)
        factories.CitationFactory(record=gpu)
    many = count_queries(lambda: client.get(url))
    assert_same_query_count(one, many, "accelerator page")


def test_unknown_or_draft_hardware_is_not_found(client):
    draft = factories.AcceleratorFactory(slug="secret-gpu", status="draft")
    factories.ProfileFactory(slug="secret-profile", accelerator=draft)
    for name, slug in (
        ("accelerator_detail", "no-such-gpu"),
        ("accelerator_detail", "secret-gpu"),
        ("profile_detail", "no-such-profile"),
        ("profile_detail", "secret-profile"),
    ):
        assert client.get(reverse(f"hardware:{name}", args=[slug])).status_code == 404


def test_editors_see_draft_hardware_marked_as_draft(client):
    draft = factories.AcceleratorFactory(slug="draft-gpu-ed", name="Draft GPU", status="draft")
    client.force_login(factories.make_editor())
    response = client.get(reverse("hardware:accelerator_detail", args=[draft.slug]))
    assert response.status_code == 200
    assert 'class="badge warn"' in _text(response)


def _recommend(variant, profile, *, precision="bf16", context_tokens=4096, smallest=True):
    return factories.RecommendationFactory(
        variant=variant,
        precision=precision,
        context_tokens=context_tokens,
        fitting_profiles=[profile.slug],
        smallest_profile=profile if smallest else None,
        breakdown={
            "fits": [
                {
                    "profile": profile.slug,
                    "per_device_bytes": 15 * 1024**3,
                    "headroom_bytes": 6 * 1024**3,
                    "decode_tokens_per_s_per_sequence": 61.5,
                }
            ]
        },
    )


def test_profile_page_groups_recommended_variants_by_precision(client, gpu):
    profile = gpu.profiles.get(count=1)
    first, second = _variants(2, prefix="rec")
    _recommend(first, profile, precision="bf16")
    _recommend(second, profile, precision="awq-int4", smallest=False)
    _recommend(second, profile, precision="bf16", context_tokens=32768)  # other context
    draft = factories.VariantFactory(version=first.version, slug="rec-draft", status="draft")
    _recommend(draft, profile)
    response = client.get(reverse("hardware:profile_detail", args=[profile.slug]))
    assert response.status_code == 200
    html = _text(response)
    groups = dict(re.findall(r'data-precision="([^"]+)"(.*?)</section>', html, flags=re.S))
    assert list(groups) == ["bf16", "awq-int4"]
    assert _variant_keys(groups["bf16"]) == [_key(first)]
    assert _variant_keys(groups["awq-int4"]) == [_key(second)]
    assert "smallest fit" in groups["bf16"]
    assert "smallest fit" not in groups["awq-int4"]
    assert "6.0 GiB" in groups["bf16"]
    assert "62 tokens/s" in groups["bf16"]
    assert "rec-draft" not in html
    at_32k = _text(
        client.get(
            reverse("hardware:profile_detail", args=[profile.slug]), {"context_tokens": 32768}
        )
    )
    assert _variant_keys(at_32k) == [_key(second)]
    bad = client.get(reverse("hardware:profile_detail", args=[profile.slug]), {"context_tokens": 5})
    assert bad.status_code == 400
    assert 'id="id_context_tokens_error"' in _text(bad)


def test_profile_page_query_count_is_constant(client, gpu):
    profile = gpu.profiles.get(count=1)
    url = reverse("hardware:profile_detail", args=[profile.slug])
    variants = _variants(5, prefix="pq")
    _recommend(variants[0], profile)
    client.get(url)
    one = count_queries(lambda: client.get(url))
    for variant in variants[1:]:
        _recommend(variant, profile)
    many = count_queries(lambda: client.get(url))
    assert_same_query_count(one, many, "profile page")
    assert len(_variant_keys(_text(client.get(url)))) == 5


# -- sizing -----------------------------------------------------------------------------------


def _tier(label: str, billions: int, **cells):
    return factories.SizeTierFactory(
        slug=label.lower(), label=label, parameters_billion=billions, **cells
    )


def test_sizing_flags_seed_cells_the_computed_figures_contradict(client, gpu):
    _tier("7B", 7, training_memory="20-24GB (单卡)", inference_memory="10-14GB (FP16)")
    _variants(1, prefix="tier")  # 6.74B: a 7B-class variant
    response = client.get(SIZING)
    assert response.status_code == 200
    html = _text(response)
    row = _table(html, "sizing-table")
    assert "20-24GB (单卡)" in row
    assert "112.0 GB" in row
    assert row.count(">differs<") == 2  # training (LoRA-sized) and FP16 (no room for KV)
    variants = _table(html, "sizing-variants")
    assert "tier-0" in variants
    # 6.7B at BF16 with a 4K context: about 16 GB, on one 24 GiB card.
    assert reverse("hardware:profile_detail", args=["1x-test-gpu-24"]) in variants


def test_sizing_query_count_is_constant(client, gpu):
    _tier("7B", 7, inference_memory="10-14GB (FP16)")
    _variants(1, prefix="sq")
    client.get(SIZING)
    one = count_queries(lambda: client.get(SIZING))
    for billions in (13, 32, 70, 304):
        tier = _tier(f"{billions}B", billions, inference_memory="140GB+ (FP16)")
        factories.CitationFactory(record=tier)
    _variants(4, prefix="sq-more")
    many = count_queries(lambda: client.get(SIZING))
    assert_same_query_count(one, many, "sizing")


def test_sizing_without_tiers_says_so(client):
    response = client.get(SIZING)
    assert response.status_code == 200
    assert 'id="sizing-empty"' in _text(response)


# -- both languages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        FIT,
        f"{FIT}?accelerator=test-gpu-24&count=2&precision=awq-int4",
        CONFIG,
        INDEX,
        SIZING,
        reverse("hardware:accelerator_detail", args=["test-gpu-24"]),
        reverse("hardware:profile_detail", args=["2x-test-gpu-24"]),
    ],
)
def test_every_page_renders_in_chinese(client, gpu, path):
    _variants(1, prefix="zh")
    response = client.get("/zh-hans" + path)
    assert response.status_code == 200
    html = _text(response)
    assert '<html lang="zh-hans">' in html
    assert html.count("<h1") == 1


# -- on the curated catalog -------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog(curated_catalog_recommended):
    """The curated catalog with every recommendation (restored, not recomputed): the fit
    matrix reads them."""
    return curated_catalog_recommended


@pytest.mark.usefixtures("catalog")
class TestOnTheCuratedCatalog:
    def test_two_rtx_4090_at_int4_with_32k_context(self, client, monkeypatch):
        params = {
            "accelerator": "nvidia-rtx-4090",
            "count": 2,
            "precision": "awq-int4",
            "context_tokens": "32K",
        }
        html = _text(client.get(FIT, params))
        assert len(response_bytes := html.encode()) < MAX_PAGE_BYTES, len(response_bytes)
        fitting = _variant_keys(_table(html, "fit-results"))
        # The biggest model that fits is Qwen3-Next (80B total, 3B active, mostly linear
        # attention: a small KV cache); the Qwen2 MoE (57B total) fits too.
        assert fitting[0] == "qwen/qwen3-next/qwen3-next-80b-a3b-thinking"
        assert "qwen/qwen2/qwen2-57b-a14b" in fitting
        assert "qwen/qwen2-5/qwen2-5-32b" in fitting
        assert "yi/yi/yi-34b" in fitting
        assert "llama/llama-3-1/llama-3-1-70b" not in fitting
        # 70B-class models miss by a few GiB per card at 32K (the KV cache), and Llama 3 70B
        # supports only 8K tokens. Every model that does not fit is listed here, not only the
        # 20 closest.
        monkeypatch.setattr(importlib.import_module("hardware.views.fit"), "MISSING_ROWS", 500)
        html = _text(client.get(FIT, params))
        missing = html[html.index('id="fit-missing"') :]
        assert "llama/llama-3-1/llama-3-1-70b" in _variant_keys(missing)
        assert "qwen/qwen2-5/qwen2-5-72b" in _variant_keys(missing)
        assert "supports at most 8K tokens of context" in missing

    def test_a_70b_model_fits_two_rtx_4090_at_int4_with_a_short_context(self, client):
        html = _text(
            client.get(
                FIT,
                {
                    "accelerator": "nvidia-rtx-4090",
                    "count": 2,
                    "precision": "awq-int4",
                    "context_tokens": "4K",
                    "q": "llama",
                },
            )
        )
        fitting = _variant_keys(_table(html, "fit-results"))
        assert "llama/llama-3-1/llama-3-1-70b" in fitting
        assert "llama/llama-2/llama-2-70b" in fitting
        assert "llama/llama-3-1/llama-3-1-405b" not in fitting

    def test_many_fitting_models_are_paged(self, client):
        params = {"profile": "8x-nvidia-h200", "precision": "bf16", "context_tokens": 4096}
        first = _text(client.get(FIT, params))
        second = _text(client.get(FIT, {**params, "page": 2}))
        on_first = _variant_keys(_table(first, "fit-results"))
        on_second = _variant_keys(_table(second, "fit-results"))
        assert len(on_first) == 25
        assert on_second
        assert not set(on_first) & set(on_second)
        assert 'rel="next"' in first
        assert "llama/llama-3-1/llama-3-1-405b" in on_first  # 405B at BF16 on 8 × 141 GB

    def test_the_fit_matrix_reads_the_stored_recommendations(self, client):
        response = client.get(FIT, {"precision": "awq-int4", "context_tokens": 32768})
        html = _text(response)
        matrix = _table(html, "fit-matrix-table")
        assert "rows come from the stored recommendations" in html
        assert 'class="fit"' in matrix
        assert 'class="no-fit"' in matrix
        assert len(_variant_keys(matrix)) == 20

    def test_commercial_use_filter_comes_from_the_variant_filterset(self, client):
        html = _text(
            client.get(
                FIT,
                {
                    "profile": "1x-nvidia-rtx-4090",
                    "precision": "q4_k_m",
                    "context_tokens": "8K",
                    "commercial_use": "allowed",
                },
            )
        )
        keys = _variant_keys(html)
        assert "qwen/qwen3/qwen3-30b-a3b" in keys
        assert not any(k.startswith("llama/llama-3") for k in keys)  # conditional licence

    def test_a_variant_page_link_shows_the_variant_on_every_profile(self, client):
        html = _text(client.get(FIT, {"variant": "llama/llama-3/meta-llama-3-8b"}))
        table = _table(html, "variant-profiles")
        assert 'data-profile="1x-nvidia-rtx-4090"' in table
        assert "smallest that fits" in table

    @pytest.mark.parametrize(
        "fixture",
        ["meta-llama__Meta-Llama-3-8B", "mistralai__Mixtral-8x7B-v0.1", "deepseek-ai__DeepSeek-V3"],
    )
    def test_a_pasted_config_counts_the_same_parameters_as_the_api(self, client, fixture):
        config = fixture_config(fixture)
        html = _text(client.post(CONFIG, {"config": json.dumps(config)}))
        api = client.post(
            reverse("api-estimate"),
            data=json.dumps({"config": config}),
            content_type="application/json",
        ).json()
        assert f'data-total-params="{api["total_params"]}"' in html
        results = _table(html, "config-results")
        assert results.count("<tr data-profile=") == len(api["fits"])
        assert len(html.encode()) < MAX_PAGE_BYTES

    def test_profile_page_lists_recommended_variants(self, client):
        response = client.get(reverse("hardware:profile_detail", args=["2x-nvidia-rtx-4090"]))
        html = _text(response)
        int4 = re.search(r'data-precision="awq-int4"(.*?)</section>', html, flags=re.S).group(1)
        assert "qwen/qwen2-5/qwen2-5-32b" in _variant_keys(int4)
        assert len(html.encode()) < MAX_PAGE_BYTES

    def test_sizing_beside_the_seed(self, client):
        html = _text(client.get(SIZING))
        table = _table(html, "sizing-table")
        rows = dict(re.findall(r'data-tier="([^"]+)">(.*?)</tr>', table, flags=re.S))
        assert set(rows) == {"7b", "13b", "32b", "70b", "304b"}
        assert "differs" in rows["7b"]  # "20-24GB" training is LoRA-sized, not AdamW
        assert "1120.0 GB" in rows["70b"]  # 70B × 16 bytes, against the seed's "400GB+"
        variants = _table(html, "sizing-variants")
        assert "llama/llama-2/llama-2-70b" in _variant_keys(variants)
        assert len(html.encode()) < MAX_PAGE_BYTES

    @pytest.mark.parametrize(
        "path",
        [
            FIT,
            f"{FIT}?profile=8x-nvidia-h200&precision=bf16&context_tokens=4096&workload=serving&batch=8",
            f"{FIT}?accelerator=nvidia-b200&count=16&precision=q2_k&context_tokens=1K",
            INDEX,
            SIZING,
            reverse("hardware:accelerator_detail", args=["nvidia-h100-sxm"]),
            reverse("hardware:profile_detail", args=["8x-nvidia-h200"]),
        ],
    )
    def test_pages_stay_under_100_kb_in_both_languages(self, client, path):
        for prefix in ("", "/zh-hans"):
            response = client.get(prefix + path)
            assert response.status_code == 200, path
            assert len(response.content) < MAX_PAGE_BYTES, (path, len(response.content))


def test_a_hybrid_config_shows_its_schedule_and_its_fixed_state(client, gpu):
    config = fixture_config("Qwen__Qwen3-Next-80B-A3B-Thinking")
    html = _text(_post(client, config))
    assert 'id="config-fixed-state"' in html
    assert "36 × linear attention, 12 × full attention" in html
    assert "16 key heads × 128, 32 value heads × 128" in html
    assert 'id="config-checkpoint"' not in html
    with translation.override("zh-hans"):
        chinese = _text(client.post(reverse("hardware:fit_config"), {"config": json.dumps(config)}))
    assert "每个序列的固定状态" in chinese
    assert "线性注意力" in chinese


def test_a_block_quantised_config_shows_what_its_checkpoint_stores(client, gpu):
    html = _text(_post(client, fixture_config("deepseek-ai__DeepSeek-V3"), precision="native"))
    checkpoint = html[html.index('id="config-checkpoint"') :]
    checkpoint = checkpoint[: checkpoint.index("</div>")]
    assert "684,531,386,000" in checkpoint
    assert "41,540,496" in checkpoint  # scales
    assert "13,463,426,304" in checkpoint  # the MTP block with its embedding and head copies


def test_each_profile_shows_the_estimate_and_the_upper_bound_labelled(client, gpu):
    html = _text(_post(client, fixture_config("meta-llama__Meta-Llama-3-8B"), precision="q4_k_m"))
    results = _table(html, "config-results")
    row = results[results.index('data-profile="1x-test-gpu-24"') :]
    row = row[: row.index("</tr>")]
    assert "tokens/s" in row
    assert "upper bound" in row
    assert "data-upper-bound=" in row


def test_hardware_without_a_measured_runtime_shows_only_the_bound_and_says_so(client):
    amd = factories.AcceleratorFactory(
        slug="amd-like", vendor="AMD", memory=192, memory_bandwidth_gbps=5300
    )
    factories.ProfileFactory(slug="1x-amd-like", accelerator=amd, count=1)
    html = _text(_post(client, fixture_config("meta-llama__Meta-Llama-3-8B")))
    row = html[html.index('data-profile="1x-amd-like"') :]
    row = row[: row.index("</tr>")]
    assert "at most" in row
    assert "no measured runtime for this hardware" in row


def test_each_profile_shows_the_time_to_first_token_where_the_throughput_is_published(client):
    fast = factories.AcceleratorFactory(
        slug="flops-gpu", memory=24, memory_bandwidth_gbps=1000, bf16_dense_tflops=165
    )
    factories.ProfileFactory(slug="1x-flops-gpu", accelerator=fast, count=1)
    unpublished = factories.AcceleratorFactory(
        slug="no-flops-gpu", memory=24, memory_bandwidth_gbps=1000, bf16_dense_tflops=None
    )
    factories.ProfileFactory(slug="1x-no-flops-gpu", accelerator=unpublished, count=1)
    html = _text(_post(client, fixture_config("meta-llama__Meta-Llama-3-8B"), precision="q4_k_m"))
    results = _table(html, "config-results")
    assert "First token" in results
    row = results[results.index('data-profile="1x-flops-gpu"') :]
    assert "data-first-token=" in row[: row.index("</tr>")]
    row = results[results.index('data-profile="1x-no-flops-gpu"') :]
    assert "data-first-token=" not in row[: row.index("</tr>")]
    assert 'id="config-results-first-token"' in html
    assert "4,096 tokens" in html or "4K tokens" in html


def test_a_multimodal_config_reports_its_vision_tower_apart(client, gpu):
    html = _text(_post(client, fixture_config("Qwen__Qwen3-VL-8B-Instruct")))
    assert 'data-total-params="8190735360"' in html
    assert "vision tower and its projector" in html


def test_a_mamba_hybrid_config_shows_its_blocks_and_its_fixed_state(client, gpu):
    config = fixture_config("nvidia__NVIDIA-Nemotron-3-Nano-30B-A3B-BF16")
    html = _text(_post(client, config))
    assert 'id="config-fixed-state"' in html
    assert "23 × Mamba-2, 23 × MoE block, 6 × full attention" in html
    assert "64 heads × 64, 8 groups, state 128, convolution over 4 positions" in html
    with translation.override("zh-hans"):
        chinese = _text(client.post(reverse("hardware:fit_config"), {"config": json.dumps(config)}))
    assert "MoE 块" in chinese
