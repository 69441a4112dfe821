"""Editors' wording of the parser's notes (``parse.Note``): the pure parser emits codes and
numbers; the words, in every language, live here. A test checks every code has its words."""

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

NOTE_MESSAGES = {
    "parameters_equal": _(
        "Parameters: the count from config.json (%(total)s) equals the Hub's safetensors total."
    ),
    "parameters_within_tolerance": _(
        "Parameters: config.json gives %(computed)s, the Hub's safetensors %(hub)s; the "
        "difference of %(difference)s (%(percent)s%%) is within 0.5%%, such as buffers saved "
        "with the weights."
    ),
    "parameters_quantized_checkpoint": _(
        "Parameters: config.json gives %(computed)s; the Hub's %(hub)s counts a quantised "
        "checkpoint (%(dtypes)s), whose packed tensors hold several weights per element."
    ),
    "parameters_tied_embeddings": _(
        "Parameters: config.json gives %(computed)s, the Hub's safetensors %(hub)s; the "
        "difference of %(difference)s is one embedding matrix (%(embedding)s): the output layer "
        "is tied in one count and saved separately in the other."
    ),
    "parameters_vision_tower": _(
        "Parameters: config.json gives %(computed)s for the language model; the Hub's "
        "%(hub)s also counts the vision encoder (%(vision)s), which the catalog leaves out."
    ),
    "parameters_mtp_layers": _(
        "Parameters: config.json gives %(computed)s; the Hub's %(hub)s also counts the "
        "multi-token-prediction layers (%(mtp)s), which the catalog leaves out."
    ),
    "parameters_checkpoint_reconciled": _(
        "Parameters: config.json gives %(computed)s; the Hub's %(hub)s is exactly what the "
        "block-quantised checkpoint stores beside them: %(scales)s scales (one per block of "
        "FP8 weights) and %(mtp)s in multi-token-prediction blocks, which the catalog leaves out."
    ),
    "parameters_mtp_reconciled": _(
        "Parameters: config.json gives %(computed)s; the Hub's %(hub)s is exactly that and the "
        "multi-token-prediction blocks (%(mtp)s, with the copies of the embedding and the "
        "output head they store), which the catalog leaves out."
    ),
    "parameters_mtp_vision_reconciled": _(
        "Parameters: config.json gives %(computed)s for the language model; the Hub's %(hub)s "
        "is exactly that, the multi-token-prediction blocks (%(mtp)s) and the vision encoder "
        "(%(vision)s), which the catalog leaves out."
    ),
    "parameters_unexplained": _(
        "Parameters: config.json gives %(computed)s but the Hub's safetensors %(hub)s, a "
        "difference of %(difference)s (%(percent)s%%) with no known cause: check before accepting."
    ),
    "parameters_config_only": _(
        "Parameters: %(computed)s counted from config.json; the Hub gives no safetensors total "
        "to compare with."
    ),
    "parameters_from_safetensors": _(
        "Parameters: no usable config.json, so the Hub's safetensors total (%(hub)s) is proposed."
    ),
    "parameters_unknown": _("Parameters: no count is proposed (%(reason)s)."),
    "config_missing": _("The repository has no config.json: no architecture is proposed."),
    "config_unsupported": _(
        "The estimator does not know the architecture '%(model_type)s': no architecture "
        "numbers are proposed."
    ),
    "license_other_unnamed": _(
        "The licence is 'other' without a name: map it by hand from the model card."
    ),
    "lineage_parent_unrecognised": _(
        "The base model '%(parent)s' is not a repository id and was left out of the lineage."
    ),
    "model_index_unreadable": _(
        "The model card's evaluation results (model-index) cannot be read (%(field)s "
        "%(message)s): no results are proposed."
    ),
    "model_index_truncated": _(
        "The model card lists more than %(limit)s evaluation results: only the first "
        "%(limit)s are proposed."
    ),
}
REASONS = {
    "no_config_or_safetensors": _("neither a usable config.json nor a safetensors total"),
    "quantized_checkpoint": _("only a quantised checkpoint's total, which counts packed elements"),
}


def _shown(name: str, value):
    if name == "reason":
        return REASONS.get(value, value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, float):
        return number_format(value, decimal_pos=2)
    return value


def note_message(note: dict) -> str:
    """The translated sentence of a stored note ``{"code": …, "params": {…}}``."""
    code = note.get("code", "") if isinstance(note, dict) else ""
    params = (note.get("params") or {}) if isinstance(note, dict) else {}
    template = NOTE_MESSAGES.get(code)
    shown = {name: _shown(name, value) for name, value in params.items()}
    if template is None:
        return f"{code}: {shown}"
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):
        return f"{template} {shown}"
