"""Reads of the catalog: the only place that joins, prefetches and annotates.

One module per resource or page (``visibility`` holds the draft rules every read applies);
the names below are re-exported so that ``from catalog import selectors`` and
``from catalog.selectors import …`` reach every public read.
"""

from catalog.selectors.compare import COMPARE_MAX, COMPARE_MIN, variant_choices, variants_by_keys
from catalog.selectors.families import (
    family_detail,
    family_list,
    family_list_page,
    family_variants,
    family_versions,
)
from catalog.selectors.features import (
    feature_adoption,
    feature_claims,
    feature_detail,
    feature_index,
    feature_list,
    feature_page,
    feature_parents,
    feature_versions,
)
from catalog.selectors.home import catalog_counts, latest_versions
from catalog.selectors.license_pages import (
    license_check_picker,
    license_check_variants,
    license_model_counts,
    license_model_totals,
    license_override_variants,
    license_recent_override_variants,
    license_recent_versions,
    license_versions,
)
from catalog.selectors.lineage import family_lineage, lineage_of
from catalog.selectors.list_filters import filter_choices
from catalog.selectors.organizations import organization_detail, organization_list
from catalog.selectors.picker import variant_picker
from catalog.selectors.trends import (
    trend_largest_variants,
    trend_longest_context,
    trend_release_counts,
    trend_variants,
    trend_versions,
)
from catalog.selectors.variants import (
    VARIANT_LIST_COLUMNS,
    derived_features_of,
    upstream_conflicts,
    variant_detail,
    variant_for_page,
    variant_list,
    variant_list_page,
    variant_list_rows,
    with_derived_features,
)
from catalog.selectors.versions import (
    version_detail,
    version_list,
    version_list_page,
    version_page,
    version_previous,
)
from catalog.selectors.visibility import (
    PUBLISHED,
    VARIANT_PARENTS,
    published_condition,
    shows_drafts,
    visible,
)

__all__ = [
    "COMPARE_MAX",
    "COMPARE_MIN",
    "PUBLISHED",
    "VARIANT_LIST_COLUMNS",
    "VARIANT_PARENTS",
    "catalog_counts",
    "derived_features_of",
    "family_detail",
    "family_lineage",
    "family_list",
    "family_list_page",
    "family_variants",
    "family_versions",
    "feature_adoption",
    "feature_claims",
    "feature_detail",
    "feature_index",
    "feature_list",
    "feature_page",
    "feature_parents",
    "feature_versions",
    "filter_choices",
    "latest_versions",
    "license_check_picker",
    "license_check_variants",
    "license_model_counts",
    "license_model_totals",
    "license_override_variants",
    "license_recent_override_variants",
    "license_recent_versions",
    "license_versions",
    "lineage_of",
    "organization_detail",
    "organization_list",
    "published_condition",
    "shows_drafts",
    "trend_largest_variants",
    "trend_longest_context",
    "trend_release_counts",
    "trend_variants",
    "trend_versions",
    "upstream_conflicts",
    "variant_choices",
    "variant_detail",
    "variant_for_page",
    "variant_list",
    "variant_list_page",
    "variant_list_rows",
    "variant_picker",
    "variants_by_keys",
    "version_detail",
    "version_list",
    "version_list_page",
    "version_page",
    "version_previous",
    "visible",
    "with_derived_features",
]
