"""What the hardware app adds to the pages and FilterSets of the apps below it, registered in
``HardwareConfig.ready()`` through core.extensions (docs/architecture.md, "Layers"): the home
page's accelerator count, the variant page's "hardware that fits" rows, the compare page's
hardware fit and the ``fits`` filters of the catalog's VariantFilterSet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.filters import VariantFilterSet
from catalog.keys import variant_key
from catalog.precision_labels import precision_label
from core.choices import PublicationStatus
from core.extensions import add_page_context, extend_filterset
from core.visibility import shows_drafts
from estimator import EstimateOptions
from hardware import selectors
from hardware.filters import VARIANT_FITS_FILTERS
from hardware.models import HardwareProfile, Recommendation, Workload
from hardware.ranking import hardware_fit


def home_stats(request) -> dict:
    """The home page's accelerator count, beside the catalog's counts."""
    count = selectors.accelerator_count(user=request.user)
    return {"stats": [(count, _("accelerators"), reverse("hardware:index"))]}


@dataclass(frozen=True)
class FitRow:
    """One stored recommendation as the variant page's "hardware that fits" table shows it."""

    recommendation: Recommendation
    workload_label: str
    precision_label: str
    profile: Any
    other_fits: int
    headroom_bytes: int | None


def _shown_profile(profile: HardwareProfile | None, user) -> HardwareProfile | None:
    """``profile`` unless it is a draft the user may not see (a published recommendation can
    name a profile an editor has not published yet)."""
    if profile is None:
        return None
    if profile.status == PublicationStatus.DRAFT and not shows_drafts(HardwareProfile, user):
        return None
    return profile


def fit_rows(recommendations: list[Recommendation], user) -> list[FitRow]:
    """The rows of the table: each recommendation with its labels, its smallest visible
    profile and that profile's headroom (from the stored breakdown, no query)."""
    workloads = dict(Workload.choices)
    rows = []
    for rec in recommendations:
        profile = _shown_profile(rec.smallest_profile, user)
        headroom = None
        if profile is not None:
            for fit in (rec.breakdown or {}).get("fits", []):
                if fit.get("profile") == profile.slug:
                    headroom = fit.get("headroom_bytes")
        rows.append(
            FitRow(
                recommendation=rec,
                workload_label=str(workloads.get(rec.workload, rec.workload)),
                precision_label=precision_label(rec.precision),
                profile=profile,
                other_fits=max(len(rec.fitting_profiles) - 1, 0),
                headroom_bytes=headroom,
            )
        )
    return rows


def variant_fits(request, *, variant) -> dict:
    """The variant page's "hardware that fits": its stored recommendations (one query) and
    the link to "can I run it" for it."""
    recommendations = list(selectors.variant_recommendations(variant))
    return {
        "fit_rows": fit_rows(recommendations, request.user),
        "variant_fit_url": f"{reverse('hardware:fit')}?variant={variant_key(variant)}",
    }


def compare_fits(request, *, variants, options: EstimateOptions) -> dict:
    """The compare page's hardware fit: memory and the smallest fitting profiles of each
    variant at ``options`` (one query for any number of variants)."""
    return {"hardware_fit": hardware_fit(variants, options)}


def register() -> None:
    """Called once the apps are loaded (``HardwareConfig.ready()``); registering again adds
    nothing."""
    add_page_context("home", home_stats)
    add_page_context("variant_detail", variant_fits)
    add_page_context("compare", compare_fits)
    extend_filterset(VariantFilterSet, **VARIANT_FITS_FILTERS)
