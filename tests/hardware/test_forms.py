"""The hardware pages' forms refuse what the estimator cannot read, with their own messages."""

import json

import pytest

from estimator.architecture import MAX_LAYERS
from hardware import forms
from tests.estimator.configs import fixture_config


def _config_errors(text: str) -> list[str]:
    form = forms.ConfigForm(data={"config": text})
    assert not form.is_valid()
    return form.errors["config"]


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_json_nested_beyond_the_recursion_limit_is_explained(depth):
    assert _config_errors("[" * depth + "]" * depth) == [str(forms.CONFIG_TOO_NESTED)]


@pytest.mark.parametrize("key", ["num_hidden_layers", "num_layers"])
def test_the_layer_bound_is_the_estimators(key):
    config = fixture_config("meta-llama__Meta-Llama-3-8B") | {key: MAX_LAYERS + 1}
    assert _config_errors(json.dumps(config)) == [
        str(forms.CONFIG_TOO_DEEP) % {"field": key, "value": MAX_LAYERS + 1, "limit": MAX_LAYERS}
    ]
