"""Serving recipes in the API: the query of ``GET /api/v1/recipes/`` and its answer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from adoption.choices import Engine

ENGINE_CHOICES = (Engine.VLLM, Engine.SGLANG, Engine.LLAMA_CPP, Engine.OLLAMA)


class RecipeQuerySerializer(serializers.Serializer):
    """The parameters of ``GET /api/v1/recipes/``."""

    variant = serializers.CharField(help_text=_("family/version/variant"))
    profile = serializers.CharField(help_text=_("hardware profile slug"))
    precision = serializers.CharField(help_text=_("precision key, e.g. fp8, awq-int4, q4_k_m"))
    context = serializers.IntegerField(min_value=1, help_text=_("context in tokens"))
    engine = serializers.ChoiceField(choices=ENGINE_CHOICES)
    kv_cache_dtype = serializers.CharField(required=False, help_text=_("default bf16"))
    gpu_memory_utilization = serializers.CharField(
        required=False, help_text=_("share of each accelerator, above 0 and at most 1")
    )


class RecipeSerializer(serializers.Serializer):
    """A serving recipe (adoption.services.recipes.recipe_build)."""

    engine = serializers.CharField()
    variant = serializers.CharField()
    repo_id = serializers.CharField()
    profile = serializers.CharField()
    profile_name = serializers.CharField()
    gpu_count = serializers.IntegerField()
    precision = serializers.CharField()
    kv_cache_dtype = serializers.CharField()
    context_tokens = serializers.IntegerField()
    gpu_memory_utilization = serializers.FloatField()
    command = serializers.CharField()
    argv = serializers.ListField(child=serializers.CharField())
    modelfile = serializers.CharField(allow_null=True)
    expected_memory = serializers.DictField()
    notes = serializers.ListField(child=serializers.CharField())
    assumptions = serializers.JSONField()
    estimator_version = serializers.CharField()
    recipe_version = serializers.CharField()
