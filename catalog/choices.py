"""Enumerations shared by the catalog's models, filters and serializers (a curated record's
publication status, shared by every app, is ``core.choices.PublicationStatus``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    UNIVERSITY = "university", _("University")
    RESEARCH_LAB = "research_lab", _("Research lab")
    COMMUNITY = "community", _("Community")
    NONPROFIT = "nonprofit", _("Non-profit")


class VariantKind(models.TextChoices):
    BASE = "base", _("Base")
    CHAT = "chat", _("Chat")
    INSTRUCT = "instruct", _("Instruct")
    CODE = "code", _("Code")
    MATH = "math", _("Math")
    VISION = "vision", _("Vision")
    REASONING = "reasoning", _("Reasoning")
    DISTILLED = "distilled", _("Distilled")


class LineageKind(models.TextChoices):
    FINETUNE = "finetune", _("Fine-tune")
    INSTRUCT_TUNE = "instruct_tune", _("Instruction tune")
    DISTILL = "distill", _("Distillation")
    QUANTIZE = "quantize", _("Quantisation")
    MERGE = "merge", _("Merge")
    CONTINUED_PRETRAIN = "continued_pretrain", _("Continued pre-training")
    EXTENDED_VOCABULARY = "extended_vocabulary", _("Extended vocabulary")
    ADAPTER = "adapter", _("Adapter")


class FeatureCategory(models.TextChoices):
    BACKBONE = "backbone", _("Backbone")
    NORMALIZATION = "normalization", _("Normalisation")
    ACTIVATION = "activation", _("Activation")
    POSITION_ENCODING = "position_encoding", _("Position encoding")
    ATTENTION = "attention", _("Attention")
    FFN_MOE = "ffn_moe", _("FFN / mixture of experts")
    TRAINING = "training", _("Training")
    DECODING = "decoding", _("Decoding")


class Modality(models.TextChoices):
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")


class Capability(models.TextChoices):
    CHAT = "chat", _("Chat")
    TOOL_CALLING = "tool_calling", _("Tool calling")
    CODE_INTERPRETER = "code_interpreter", _("Code interpreter")
    REASONING_MODE = "reasoning_mode", _("Reasoning mode")
    LONG_CONTEXT = "long_context", _("Long context")
    VISION = "vision", _("Vision")
    CODE = "code", _("Code")
    MATH = "math", _("Math")


class DatePrecision(models.TextChoices):
    """How much of a release date the sources give: a day, or only a month or a year (then
    the date is the month's or the year's first day, and is shown as the month or year)."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
