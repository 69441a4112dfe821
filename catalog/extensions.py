"""What the catalog app adds to the pages of the licences app below it, registered in
``CatalogConfig.ready()`` through core.extensions (docs/architecture.md, "Layers"): the
versions and variants published under a licence are catalog records, so the licence pages
show them without the licences app importing the catalog."""

from urllib.parse import urlencode

from django.urls import reverse

from catalog import selectors
from core.extensions import add_page_context

# Versions, and variants overriding their version's licence, that a licence's page lists, most
# recent first: about 500 bytes each, so that the page stays under 100 KB (issue 5); the list
# pages have them all.
MODEL_ROWS = 50


def license_matrix_counts(request, *, licenses) -> dict:
    """The licence matrix's last two columns: for each licence shown, the versions and the
    variants under it (``model_counts``, by licence pk). One query."""
    return {"model_counts": selectors.license_model_counts(licenses, user=request.user)}


def license_models(request, *, license) -> dict:
    """A licence's page: how many versions and variants are under it, the most recent of
    them, and links to all of them in the list pages. Four queries, however many models."""
    user = request.user
    # The list pages' own filters (the API's): the links list what the counts say.
    query = urlencode({"license": license.slug, "ordering": "-release_date"})
    return {
        **selectors.license_model_totals(license, user=user),
        "versions": list(selectors.license_recent_versions(license, user=user)[:MODEL_ROWS]),
        "variants": list(
            selectors.license_recent_override_variants(license, user=user)[:MODEL_ROWS]
        ),
        "version_list_url": f"{reverse('catalog:version_list')}?{query}",
        "variant_list_url": f"{reverse('catalog:variant_list')}?{query}",
    }


def register() -> None:
    add_page_context("license_list", license_matrix_counts)
    add_page_context("license_detail", license_models)
