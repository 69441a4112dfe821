"""The keys of catalog records in templates (``data-variant``, list filter links): the same
``family/version[/variant]`` strings as the API, from :mod:`catalog.keys`."""

from django import template

from catalog import keys

register = template.Library()


@register.filter
def variant_key(variant) -> str:
    """``{{ variant|variant_key }}`` → ``qwen/qwen2-5/qwen2-5-7b``."""
    return keys.variant_key(variant)


@register.filter
def version_key(version) -> str:
    """``{{ version|version_key }}`` → ``qwen/qwen2-5``."""
    return keys.version_key(version)
