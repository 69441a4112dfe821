from django import template

from evaluations.display import value_text

register = template.Library()


@register.filter
def printed(value) -> str:
    """A decimal with the digits it was printed with (45.73, not 45.7300)."""
    return value_text(value)
