"""The vocabularies of benchmarks and results."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    KNOWLEDGE = "knowledge", _("Knowledge")
    REASONING = "reasoning", _("Reasoning")
    MATH = "math", _("Mathematics")
    CODE = "code", _("Code")
    CHINESE = "chinese", _("Chinese")
    INSTRUCTION_FOLLOWING = "instruction_following", _("Instruction following")
    AGENTIC = "agentic", _("Agentic")
    LONG_CONTEXT = "long_context", _("Long context")
    MULTIMODAL = "multimodal", _("Multimodal")


class Metric(models.TextChoices):
    ACCURACY = "accuracy", _("accuracy")
    EXACT_MATCH = "exact_match", _("exact match")
    PASS_AT_K = "pass_at_k", _("pass@k")
    CONS_AT_K = "cons_at_k", _("majority vote (cons@k)")
    WIN_RATE = "win_rate", _("win rate")
    LC_WIN_RATE = "lc_win_rate", _("length-controlled win rate")
    RATING = "rating", _("rating")
    PERCENTILE = "percentile", _("percentile")
    SCORE = "score", _("score")
    F1 = "f1", _("F1")
    RESOLVED_RATE = "resolved_rate", _("resolved rate")


class Harness(models.TextChoices):
    UNKNOWN = "", _("not stated")
    OWN = "own", _("the reporter's own")
    OFFICIAL = "official", _("the benchmark's official code")
    LM_EVALUATION_HARNESS = "lm-evaluation-harness", "lm-evaluation-harness"
    OPENCOMPASS = "opencompass", "OpenCompass"
    EVALPLUS = "evalplus", "EvalPlus"
    SIMPLE_EVALS = "simple-evals", "simple-evals"
    LIGHTEVAL = "lighteval", "lighteval"
    HELM = "helm", "HELM"
    SWE_AGENT = "swe-agent", "SWE-agent"
    OPENHANDS = "openhands", "OpenHands"
    OTHER = "other", _("other")


class ReportedBy(models.TextChoices):
    PUBLISHER = "publisher", _("publisher")
    INDEPENDENT = "independent", _("independent")
    INTERNAL = "internal", _("internal")


class Verdict(models.TextChoices):
    SUPPORTED = "supported", _("supported")
    PARTLY = "partly", _("partly supported")
    NOT_SUPPORTED = "not_supported", _("not supported")
    UNVERIFIABLE = "unverifiable", _("unverifiable")
