"""What the hardware pages share: option handling, the fit of one profile, texts and units."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.precision_labels import precision_label
from core.lib.units import GB, GIB
from estimator import EstimateOptions
from hardware.forms import CONFIG_FIELD_ERROR
from hardware.models import Workload

# The assumptions are the ranking's; the hardware pages show them from here.
from hardware.ranking import FIT_ASSUMPTION, SPEED_ASSUMPTION, ProfileFit  # noqa: F401

TERM_LABELS = {
    "weights": gettext_lazy("Weights"),
    "lora_weights": gettext_lazy("LoRA adapters"),
    "kv_cache": gettext_lazy("KV cache"),
    "fixed_state": gettext_lazy("Fixed state"),
    "activations": gettext_lazy("Activations"),
    "logits": gettext_lazy("Logits"),
    "gradients": gettext_lazy("Gradients"),
    "optimizer": gettext_lazy("Optimizer states"),
    "overhead": gettext_lazy("Runtime overhead"),
}
# Stored recommendations keep fine-tuning rows under the precision of their frozen base.
_TUNE_PRECISION = {"lora": "bf16", "qlora": "nf4", "full": "bf16"}
_OPTION_FIELDS = {
    "context": "context_tokens",
    "batch": "batch",
    "precision": "precision",
    "kv_dtype": "kv_dtype",
    "workload": "workload",
}


def _with_defaults(data: QueryDict, form_class) -> QueryDict:
    """``data`` with each absent option set to its default, so the form shows what is used."""
    data = data.copy()
    for name, form_field in form_class.base_fields.items():
        if name not in data and form_field.initial is not None:
            data[name] = form_field.initial
    return data


def _gib_text(value: float) -> str:
    return _("%(amount)s GiB") % {"amount": number_format(value / GIB, decimal_pos=1)}


def _gb_text(value: float) -> str:
    return _("%(amount)s GB") % {"amount": number_format(value / GB, decimal_pos=1)}


def _add_option_errors(form, errors: dict[str, str]) -> None:
    """Put an estimator error on the form field it names (the API's field names differ)."""
    for name, message in errors.items():
        if name == "config" or name.startswith("config."):
            key = name.partition(".")[2]
            form.add_error(
                "config",
                CONFIG_FIELD_ERROR % {"field": key, "message": message} if key else message,
            )
        else:
            form.add_error(_OPTION_FIELDS.get(name), message)


def _profile_fits(answers: Iterable[dict], smallest: str | None) -> list[ProfileFit]:
    """Fitting profiles first, least usable memory first; then the others, closest first.
    ``smallest``: the estimator's smallest fitting profile (by memory, then device count)."""
    fits = [ProfileFit.from_answer(a, smallest=smallest or "") for a in answers]

    def order(fit: ProfileFit) -> tuple:
        if fit.fits:
            return (0, fit.usable_bytes * fit.count, fit.count, fit.slug)
        return (1, fit.heads_mismatch, fit.missing_bytes, fit.slug)

    return sorted(fits, key=order)


def _options_summary(options: EstimateOptions) -> dict:
    """What the templates say about the options (``_options_summary.html``)."""
    return {
        "inference": options.workload == "inference",
        "precision": options.precision,
        "precision_label": precision_label(options.precision),
        "workload_label": Workload(options.workload).label,
        "context_tokens": options.context_tokens,
        "batch": options.batch,
        "kv_dtype": options.kv_dtype,
        "workload": options.workload,
    }
