"""Forms of the hardware pages. The estimate options follow the API's rules (EstimateRequest-
Serializer): the same precisions, KV cache dtypes and bounds, so the page and the API agree."""

from __future__ import annotations

import json
import re

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.precision_labels import precision_choices
from estimator import KV_DTYPES, EstimateOptions
from estimator.architecture import MAX_LAYERS
from estimator.memory import MAX_BATCH, MAX_CONTEXT_TOKENS
from hardware.models import Accelerator, HardwareProfile
from hardware.services import INFERENCE_CONTEXTS

MAX_ACCELERATORS = 16
# A config.json is a few kilobytes (DeepSeek-V3's is under 2 KB); 256 KB leaves room for
# multimodal configs with long token maps while keeping a paste cheap to parse.
MAX_CONFIG_BYTES = 256 * 1024
# The estimator refuses a config deeper than MAX_LAYERS (ConfigError, in English); the form
# refuses it first, in the page's language.
_LAYER_KEYS = ("num_hidden_layers", "num_layers", "n_layer")

# Error messages users see (constants: the tests assert on them).
HARDWARE_NOT_BOTH = _("Choose either an accelerator and a count, or a hardware profile — not both.")
BAD_TOKENS = _("Enter a number of tokens such as 4096, 32K or 128K.")
TOKENS_TOO_SMALL = _("Enter at least 1 token.")
TOKENS_TOO_LARGE = _("At most %(limit)s tokens.")
BAD_VARIANT_KEY = _("Give the model as family/version/variant, e.g. llama/llama-3/meta-llama-3-8b.")
UNKNOWN_VARIANT = _("No published model has this key.")
CONFIG_REQUIRED = _("Paste the contents of a config.json.")
CONFIG_TOO_LARGE = _(
    "The pasted text is %(size)s KB; at most %(limit)s KB is accepted. Paste only config.json."
)
CONFIG_NOT_JSON = _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
CONFIG_NOT_OBJECT = _("Must be a JSON object (the config.json).")
CONFIG_TOO_NESTED = _("This JSON is nested too deeply to read.")
CONFIG_TOO_DEEP = _("'%(field)s' is %(value)s; the estimator handles at most %(limit)s layers.")
CONFIG_FIELD_ERROR = _("%(field)s: %(message)s")


class FitWorkload(models.TextChoices):
    """What the hardware is for: the page's words for the estimator's workload and batch."""

    INTERACTIVE = "interactive", _("Chat: one user, one sequence")
    SERVING = "serving", _("Serving: several sequences at once")
    LORA = "lora", _("LoRA fine-tuning")
    QLORA = "qlora", _("QLoRA fine-tuning")
    FULL = "full", _("Full fine-tuning")


class FitSort(models.TextChoices):
    PARAMETERS = "params", _("Largest model first")
    HEADROOM = "headroom", _("Most headroom first")
    SPEED = "speed", _("Fastest decoding first")
    MEMORY = "memory", _("Least memory first")


PRECISION_CHOICES = precision_choices()
KV_DTYPE_CHOICES = [(key, key.upper()) for key in KV_DTYPES]
CONTEXT_SUGGESTIONS = (2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 1048576)
_TOKENS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km])?\s*$", re.IGNORECASE)
_TOKEN_SCALE = {"": 1, "k": 1024, "m": 1024 * 1024}
_VARIANT_KEY = re.compile(r"^[-\w]+/[-\w]+/[-\w]+$")


class TokenCountField(forms.Field):
    """A context length: ``32768``, or ``32K`` / ``1M`` (powers of two, as configs set them)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        match = _TOKENS.match(str(value))
        if not match:
            raise forms.ValidationError(BAD_TOKENS, code="invalid")
        number = float(match.group(1)) * _TOKEN_SCALE[(match.group(2) or "").lower()]
        if number != int(number):
            raise forms.ValidationError(BAD_TOKENS, code="invalid")
        number = int(number)
        if number < 1:
            raise forms.ValidationError(TOKENS_TOO_SMALL, code="min_value")
        if number > MAX_CONTEXT_TOKENS:
            raise forms.ValidationError(
                TOKENS_TOO_LARGE, code="max_value", params={"limit": f"{MAX_CONTEXT_TOKENS:,}"}
            )
        return number


class EstimateOptionsForm(forms.Form):
    """Precision, context, workload and KV cache dtype of an estimate. Every field is optional
    with the API's default, so a shared URL may name only what differs."""

    precision = forms.ChoiceField(
        label=_("Precision"), choices=PRECISION_CHOICES, required=False, initial="bf16"
    )
    context_tokens = TokenCountField(
        label=_("Context (tokens)"),
        required=False,
        initial=4096,
        help_text=_("Tokens per sequence, prompt and answer together: 4096, 32K, 128K…"),
    )
    workload = forms.ChoiceField(
        label=_("Workload"), choices=FitWorkload.choices, required=False, initial="interactive"
    )
    batch = forms.IntegerField(
        label=_("Concurrent sequences"),
        min_value=1,
        max_value=MAX_BATCH,
        required=False,
        initial=8,
        help_text=_("Sequences decoded together when serving, or the micro-batch of a fine-tune."),
    )
    kv_dtype = forms.ChoiceField(
        label=_("KV cache precision"), choices=KV_DTYPE_CHOICES, required=False, initial="bf16"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["context_tokens"].widget.attrs.update(
            {"list": "context-suggestions", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["batch"].widget.attrs.update({"inputmode": "numeric"})

    def clean(self):
        cleaned = super().clean()
        # An empty field takes the API's default rather than failing: "?accelerator=…" alone
        # is a complete question.
        for name, field in self.fields.items():
            if name in cleaned and cleaned[name] in (None, "") and field.initial is not None:
                cleaned[name] = field.initial
        return cleaned

    def options(self) -> EstimateOptions:
        """The estimator's options for the cleaned form (call after ``is_valid()``)."""
        data = self.cleaned_data
        workload = data["workload"]
        if workload in (FitWorkload.INTERACTIVE, FitWorkload.SERVING):
            return EstimateOptions(
                workload="inference",
                precision=data["precision"],
                context_tokens=data["context_tokens"],
                batch=data["batch"] if workload == FitWorkload.SERVING else 1,
                kv_dtype=data["kv_dtype"],
            )
        return EstimateOptions(
            workload=workload,
            context_tokens=data["context_tokens"],
            batch=data["batch"],
            kv_dtype=data["kv_dtype"],
        )


class AcceleratorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Accelerator) -> str:
        return f"{obj} · {obj.memory_gib.normalize():f} GiB"


class FitForm(EstimateOptionsForm):
    """The "can I run it" question: hardware (an accelerator × count, or a profile), options,
    an optional model key and the ranking."""

    accelerator = AcceleratorChoiceField(
        label=_("Accelerator"),
        queryset=Accelerator.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("— choose —"),
    )
    count = forms.IntegerField(
        label=_("Count"), min_value=1, max_value=MAX_ACCELERATORS, required=False, initial=1
    )
    profile = forms.ModelChoiceField(
        label=_("Hardware profile"),
        queryset=HardwareProfile.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("— or choose a profile —"),
    )
    sort = forms.ChoiceField(
        label=_("Rank by"), choices=FitSort.choices, required=False, initial="params"
    )
    variant = forms.CharField(label=_("Model"), required=False, max_length=320)

    field_order = ["accelerator", "count", "profile"]

    def __init__(self, *args, accelerators, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accelerator"].queryset = accelerators
        self.fields["profile"].queryset = profiles
        self.fields["count"].widget.attrs.update({"inputmode": "numeric"})

    def clean_variant(self) -> tuple[str, str, str] | None:
        key = self.cleaned_data.get("variant", "").strip().strip("/")
        if not key:
            return None
        if not _VARIANT_KEY.match(key):
            raise forms.ValidationError(BAD_VARIANT_KEY, code="invalid")
        family, version, variant = key.split("/")
        return family, version, variant

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accelerator") and cleaned.get("profile"):
            raise forms.ValidationError(HARDWARE_NOT_BOTH, code="hardware")
        return cleaned


class ConfigForm(EstimateOptionsForm):
    """A pasted config.json and the estimate options."""

    config = forms.CharField(
        label=_("config.json"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "autocomplete": "off"}),
        strip=False,
        error_messages={"required": CONFIG_REQUIRED},
        help_text=_(
            "The model's config.json from its Hugging Face or ModelScope repository "
            "(Files → config.json → raw)."
        ),
    )

    field_order = ["config"]

    def clean_config(self) -> dict:
        text = self.cleaned_data["config"]
        size = len(text.encode("utf-8"))
        if size > MAX_CONFIG_BYTES:
            raise forms.ValidationError(
                CONFIG_TOO_LARGE,
                code="max_length",
                params={"size": f"{size / 1024:,.0f}", "limit": MAX_CONFIG_BYTES // 1024},
            )
        if not text.strip():
            raise forms.ValidationError(CONFIG_REQUIRED, code="required")
        try:
            config = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                CONFIG_NOT_JSON,
                code="invalid",
                params={"error": exc.msg, "line": exc.lineno, "column": exc.colno},
            ) from None
        except RecursionError:  # arrays or objects nested thousands deep
            raise forms.ValidationError(CONFIG_TOO_NESTED, code="invalid") from None
        if not isinstance(config, dict):
            raise forms.ValidationError(CONFIG_NOT_OBJECT, code="invalid")
        for part in (config, config.get("text_config")):
            if not isinstance(part, dict):
                continue
            for key in _LAYER_KEYS:
                value = part.get(key)
                if isinstance(value, int) and value > MAX_LAYERS:
                    raise forms.ValidationError(
                        CONFIG_TOO_DEEP,
                        code="max_value",
                        params={"field": key, "value": value, "limit": MAX_LAYERS},
                    )
        return config


class ProfileContextForm(forms.Form):
    """The context of the recommendations a profile page lists (the stored grid's contexts)."""

    context_tokens = forms.TypedChoiceField(
        label=_("Context"),
        choices=[(c, f"{c // 1024}K") for c in INFERENCE_CONTEXTS],
        coerce=int,
        required=False,
        empty_value=INFERENCE_CONTEXTS[0],
    )
