"""Reads of the list pages' filter forms: the small option lists of their selects."""

from catalog.models import ArchitectureFeature, ModelFamily, Organization
from catalog.selectors.visibility import visible
from licenses.models import License


def filter_choices(*, user=None, include: tuple[str, ...]) -> dict[str, list]:
    """Small option lists for the list pages' filter forms: ``family``, ``organization``,
    ``license`` and ``feature`` (slug and names of visible records), one query each."""
    sources = {
        "family": lambda: visible(ModelFamily.objects.all(), user).order_by("name", "pk"),
        "organization": lambda: visible(Organization.objects.all(), user).order_by("name", "pk"),
        "license": lambda: visible(License.objects.all(), user).order_by("name", "pk"),
        "feature": lambda: visible(ArchitectureFeature.objects.all(), user).order_by("name", "pk"),
    }
    return {
        name: list(sources[name]().only("slug", "name", "name_zh", "status")) for name in include
    }
