"""What the hardware app adds to the pages and FilterSets of the apps below it, registered in
``HardwareConfig.ready()`` through core.extensions (docs/architecture.md, "Layers")."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hardware import selectors


def home_stats(request) -> dict:
    """The home page's accelerator count, beside the catalog's counts."""
    count = selectors.accelerator_count(user=request.user)
    return {"stats": [(count, _("accelerators"), reverse("hardware:index"))]}


def register() -> None:
    from core.extensions import add_page_context

    add_page_context("home", home_stats)
