"""Variants: the released checkpoints of a version, each with its exact architecture."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import VariantKind
from catalog.keys import variant_url
from catalog.models.versions import (
    RELEASE_DATE_IN_FUTURE,
    ModelVersion,
    release_date_not_in_future,
    release_date_precision_consistent,
    release_date_precision_error,
    release_date_precision_field,
)
from core.history import track_history
from core.models import CuratedRecord
from core.search import run_together, search_vector, words

# Messages users see; tests assert on them.
ACTIVE_EXCEEDS_TOTAL = _("Active parameters cannot exceed total parameters.")
ACTIVE_WITHOUT_MOE = _("Active parameters are only recorded for mixture-of-experts variants.")
KV_HEADS_NOT_DIVISOR = _("The number of key/value heads must divide the number of attention heads.")
MOE_FIELDS_INCOMPLETE = _(
    "Experts, experts per token and expert FFN size are set together or not at all."
)
MOE_ONLY_FIELD = _("Only a mixture-of-experts variant can have this.")
EXPERTS_PER_TOKEN_EXCEED = _("Experts per token cannot exceed the number of experts.")

MOE_CORE_FIELDS = ("num_experts", "num_experts_per_token", "moe_intermediate_size")
MOE_ONLY_FIELDS = ("num_shared_experts", "first_dense_layers", "shared_expert_intermediate_size")
POSITIVE_FIELDS = (
    "total_parameters",
    "active_parameters",
    "num_layers",
    "hidden_size",
    "num_attention_heads",
    "num_kv_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "num_experts",
    "num_experts_per_token",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "q_lora_rank",
    "kv_lora_rank",
    "qk_rope_head_dim",
    "qk_nope_head_dim",
    "v_head_dim",
    "sliding_window",
    "max_position_embeddings",
)


def _positive(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gt": 0}),
        name=f"%(app_label)s_%(class)s_{field}_positive",
        violation_error_message=_("%(field)s must be positive.") % {"field": field},
    )


def variant_search_vector() -> SearchVector:
    """What ``q`` searches in a variant: the words of its name, slug and Hub id (punctuation
    as spaces, so ``7b`` and ``instruct`` are words of ``Qwen2.5-7B-Instruct``) and its
    descriptions. The GIN index below is built on this very expression."""
    return search_vector(
        words("name"), words("slug"), words("hf_repo_id"), "description", "description_zh"
    )


def variant_name_vector() -> SearchVector:
    """A variant's name run together from each word on (``qwen2x5x7xbinstruct``,
    ``5x7xbinstruct``…), for queries typed without separators: ``qwen 2.5``, ``llama3``,
    ``deepseekr1``. The GIN index below is built on this very expression."""
    return run_together("name")


@track_history()
class ModelVariant(CuratedRecord):
    """One released checkpoint (Llama-2-13b-chat, Qwen3-30B-A3B) with its exact architecture."""

    version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, related_name="variants", verbose_name=_("version")
    )
    slug = models.SlugField(_("slug"), max_length=100)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=16, choices=VariantKind.choices, default=VariantKind.BASE
    )
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    release_date = models.DateField(
        _("release date"),
        null=True,
        blank=True,
        help_text=_("Only where it differs from the version's release date."),
    )
    release_date_precision = release_date_precision_field()
    license = models.ForeignKey(
        "licenses.License",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="variants",
        verbose_name=_("licence override"),
        help_text=_("Only where it differs from the version's licence."),
    )
    hf_repo_id = models.CharField(_("Hugging Face repository"), max_length=200, blank=True)
    modelscope_repo_id = models.CharField(_("ModelScope repository"), max_length=200, blank=True)

    total_parameters = models.PositiveBigIntegerField(
        _("total parameters"),
        null=True,
        blank=True,
        help_text=_(
            "Exact count of unique weights of the main model; empty only where no verifiable "
            "count exists (say why in a citation)."
        ),
    )
    active_parameters = models.PositiveBigIntegerField(
        _("active parameters"),
        null=True,
        blank=True,
        help_text=_("Mixture of experts only: parameters used for each token."),
    )

    # Architecture numbers, normalised from config.json.
    architecture_class = models.CharField(
        _("architecture class"),
        max_length=120,
        blank=True,
        help_text=_("config.json architectures[0]"),
    )
    model_type = models.CharField(_("model type"), max_length=60, blank=True)
    num_layers = models.PositiveIntegerField(_("layers"), null=True, blank=True)
    hidden_size = models.PositiveIntegerField(_("hidden size"), null=True, blank=True)
    num_attention_heads = models.PositiveIntegerField(_("attention heads"), null=True, blank=True)
    num_kv_heads = models.PositiveIntegerField(_("key/value heads"), null=True, blank=True)
    head_dim = models.PositiveIntegerField(_("head dimension"), null=True, blank=True)
    intermediate_size = models.PositiveIntegerField(_("FFN size"), null=True, blank=True)
    vocab_size = models.PositiveIntegerField(_("vocabulary size"), null=True, blank=True)
    tie_word_embeddings = models.BooleanField(_("tied embeddings"), null=True, blank=True)
    qkv_bias = models.BooleanField(_("QKV bias"), null=True, blank=True)
    num_experts = models.PositiveIntegerField(_("routed experts"), null=True, blank=True)
    num_experts_per_token = models.PositiveIntegerField(
        _("experts per token"), null=True, blank=True
    )
    num_shared_experts = models.PositiveIntegerField(_("shared experts"), null=True, blank=True)
    moe_intermediate_size = models.PositiveIntegerField(_("expert FFN size"), null=True, blank=True)
    shared_expert_intermediate_size = models.PositiveIntegerField(
        _("shared expert FFN size"), null=True, blank=True
    )
    first_dense_layers = models.PositiveIntegerField(
        _("dense layers before MoE"), null=True, blank=True
    )
    q_lora_rank = models.PositiveIntegerField(_("MLA query rank"), null=True, blank=True)
    kv_lora_rank = models.PositiveIntegerField(_("MLA key/value rank"), null=True, blank=True)
    qk_rope_head_dim = models.PositiveIntegerField(_("MLA RoPE head dim"), null=True, blank=True)
    qk_nope_head_dim = models.PositiveIntegerField(
        _("MLA non-RoPE head dim"), null=True, blank=True
    )
    v_head_dim = models.PositiveIntegerField(_("MLA value head dim"), null=True, blank=True)
    sliding_window = models.PositiveIntegerField(_("sliding window"), null=True, blank=True)
    max_position_embeddings = models.PositiveIntegerField(
        _("maximum positions"), null=True, blank=True
    )
    rope_theta = models.FloatField(_("RoPE base"), null=True, blank=True)
    rope_scaling_type = models.CharField(_("RoPE scaling"), max_length=24, blank=True)
    config = models.JSONField(
        _("config.json"), null=True, blank=True, help_text=_("The published config, verbatim.")
    )

    class Meta:
        ordering = ["version", "total_parameters", "slug", "pk"]
        indexes = [
            GinIndex(variant_search_vector(), name="catalog_variant_words_idx"),
            GinIndex(variant_name_vector(), name="catalog_variant_names_idx"),
            models.Index(
                fields=["version", "total_parameters", "slug", "id"],
                name="catalog_variant_order_idx",
            ),
            models.Index(fields=["total_parameters"], name="catalog_variant_params_idx"),
            models.Index(fields=["hf_repo_id"], name="catalog_variant_hf_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "slug"], name="%(app_label)s_%(class)s_unique_slug_per_version"
            ),
            *(_positive(field) for field in POSITIVE_FIELDS),
            release_date_not_in_future(),
            release_date_precision_consistent(),
            models.CheckConstraint(
                condition=models.Q(active_parameters__isnull=True)
                | models.Q(active_parameters__lte=models.F("total_parameters")),
                name="%(app_label)s_%(class)s_active_lte_total",
                violation_error_message=ACTIVE_EXCEEDS_TOTAL,
            ),
            models.CheckConstraint(
                condition=models.Q(num_kv_heads__isnull=True)
                | models.Q(num_attention_heads__isnull=True)
                | models.Q(Exact(Mod("num_attention_heads", "num_kv_heads"), 0)),
                name="%(app_label)s_%(class)s_kv_heads_divide_heads",
                violation_error_message=KV_HEADS_NOT_DIVISOR,
            ),
            models.CheckConstraint(
                condition=models.Q(**{f"{f}__isnull": True for f in MOE_CORE_FIELDS})
                | models.Q(**{f"{f}__isnull": False for f in MOE_CORE_FIELDS}),
                name="%(app_label)s_%(class)s_moe_all_or_none",
                violation_error_message=MOE_FIELDS_INCOMPLETE,
            ),
            models.CheckConstraint(
                condition=models.Q(num_experts__isnull=False)
                | models.Q(
                    active_parameters__isnull=True,
                    **{f"{f}__isnull": True for f in MOE_ONLY_FIELDS},
                ),
                name="%(app_label)s_%(class)s_moe_only_fields",
                violation_error_message=MOE_ONLY_FIELD,
            ),
            models.CheckConstraint(
                condition=models.Q(num_experts__isnull=True)
                | models.Q(num_experts_per_token__lte=models.F("num_experts")),
                name="%(app_label)s_%(class)s_experts_per_token_lte_experts",
                violation_error_message=EXPERTS_PER_TOKEN_EXCEED,
            ),
        ]
        verbose_name = _("model variant")
        verbose_name_plural = _("model variants")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Reads the version and family: select them with the variant."""
        return variant_url(self)

    @property
    def is_moe(self) -> bool:
        return self.num_experts is not None

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.release_date and self.release_date > timezone.localdate():
            errors.setdefault("release_date", []).append(RELEASE_DATE_IN_FUTURE)
        if message := release_date_precision_error(self):
            errors.setdefault("release_date_precision", []).append(message)
        for field in POSITIVE_FIELDS:
            value = getattr(self, field)
            if value is not None and value <= 0:
                errors.setdefault(field, []).append(_("Must be positive."))
        moe_set = [f for f in MOE_CORE_FIELDS if getattr(self, f) is not None]
        if moe_set and len(moe_set) != len(MOE_CORE_FIELDS):
            for field in MOE_CORE_FIELDS:
                if getattr(self, field) is None:
                    errors.setdefault(field, []).append(MOE_FIELDS_INCOMPLETE)
        if not moe_set:
            for field in (*MOE_ONLY_FIELDS, "active_parameters"):
                if getattr(self, field) is not None:
                    message = ACTIVE_WITHOUT_MOE if field == "active_parameters" else MOE_ONLY_FIELD
                    errors.setdefault(field, []).append(message)
        if (
            self.active_parameters is not None
            and self.total_parameters is not None
            and self.active_parameters > self.total_parameters
        ):
            errors.setdefault("active_parameters", []).append(ACTIVE_EXCEEDS_TOTAL)
        if (
            self.num_kv_heads
            and self.num_attention_heads
            and self.num_attention_heads % self.num_kv_heads
        ):
            errors.setdefault("num_kv_heads", []).append(KV_HEADS_NOT_DIVISOR)
        if (
            self.num_experts
            and self.num_experts_per_token
            and self.num_experts_per_token > self.num_experts
        ):
            errors.setdefault("num_experts_per_token", []).append(EXPERTS_PER_TOKEN_EXCEED)
        if errors:
            raise ValidationError(errors)
