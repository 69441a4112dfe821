"""Every read of benchmarks, results and claims, with who may see what.

Anonymous readers and signed-in users without the ``evaluations.view_internal_results``
permission never see an internal result (the company's own runs) nor a private benchmark
(its own task suites); editors and viewers do. Results of variants a reader cannot see
(drafts) are hidden like the variants.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from catalog.models import ModelVariant
from catalog.selectors.citations import citations
from catalog.selectors.visibility import VARIANT_PARENTS, shows_drafts
from core.choices import PublicationStatus
from evaluations.choices import ReportedBy
from evaluations.models import Benchmark, Claim, Result

INTERNAL_PERMISSION = "evaluations.view_internal_results"
PUBLISHED = PublicationStatus.PUBLISHED
RESULT_RELATED = ("variant__version__family__organization", "benchmark")


def shows_internal(user) -> bool:
    """Whether ``user`` may see internal results and private benchmarks (signed-in staff:
    editors, viewers, administrators)."""
    return bool(user is not None and user.is_authenticated and user.has_perm(INTERNAL_PERMISSION))


def benchmark_condition(user, prefix: str = "") -> Q:
    """The benchmarks ``user`` may see, as a condition (``prefix`` for a related lookup)."""
    condition = Q()
    if not shows_drafts(Benchmark, user):
        condition &= Q(**{f"{prefix}status": PUBLISHED})
    if not shows_internal(user):
        condition &= Q(**{f"{prefix}private": False})
    return condition


def result_condition(user, prefix: str = "") -> Q:
    """The results ``user`` may see: of visible variants and benchmarks, internal ones only
    for signed-in staff."""
    condition = benchmark_condition(user, f"{prefix}benchmark__")
    if not shows_drafts(ModelVariant, user):
        condition &= Q(**{f"{prefix}variant__status": PUBLISHED})
        for parent in VARIANT_PARENTS:
            condition &= Q(**{f"{prefix}variant__{parent}status": PUBLISHED})
    if not shows_internal(user):
        condition &= ~Q(**{f"{prefix}reported_by": ReportedBy.INTERNAL})
    return condition


def benchmark_list(*, user=None) -> QuerySet[Benchmark]:
    """Visible benchmarks with how many visible results each has (``result_count``) and on
    how many variants (``variant_count``)."""
    visible_results = result_condition(user, "results__")
    return (
        Benchmark.objects.filter(benchmark_condition(user))
        .select_related("derived_from")
        .annotate(
            result_count=Count("results", filter=visible_results, distinct=True),
            variant_count=Count("results__variant", filter=visible_results, distinct=True),
        )
        # Meta.ordering is not applied to a GROUP BY query.
        .order_by("name", "pk")
    )


def benchmark_detail(*, user=None) -> QuerySet[Benchmark]:
    return benchmark_list(user=user).prefetch_related(citations())


def result_list(*, user=None) -> QuerySet[Result]:
    """Visible results with their variant (and its version, family, organisation) and
    benchmark."""
    return (
        Result.objects.filter(result_condition(user))
        .select_related(*RESULT_RELATED)
        .defer("variant__config")
    )


def result_detail(*, user=None) -> QuerySet[Result]:
    return result_list(user=user)


def variant_results(variant, *, user=None) -> list[Result]:
    """The visible results of ``variant``, by category, benchmark and value."""
    return list(
        Result.objects.filter(result_condition(user), variant=variant)
        .select_related("benchmark")
        .order_by("benchmark__category", "benchmark__name", "benchmark_id", "-value", "pk")
    )


def results_for_variants(variant_ids, *, user=None) -> list[Result]:
    """The visible results of several variants (the compare page), one query."""
    return list(
        Result.objects.filter(result_condition(user), variant_id__in=list(variant_ids))
        .select_related("benchmark")
        .order_by("benchmark__category", "benchmark__name", "comparable_key", "pk")
    )


def benchmark_results(benchmark: Benchmark, *, user=None) -> QuerySet[Result]:
    """The visible results on ``benchmark`` with what a leaderboard row shows."""
    return Result.objects.filter(result_condition(user), benchmark=benchmark).select_related(
        "variant__version__family__organization",
        "variant__license",
        "variant__version__license",
        "benchmark",
    )


@dataclass(frozen=True)
class SettingGroup:
    """The results on one benchmark that are comparable with each other."""

    key: str
    count: int
    example: Result  # one of them, to describe the setting

    @property
    def stated(self) -> bool:
        """Whether the sources state any of the setting: results whose sources state none
        share a key, but nothing says they were obtained alike."""
        return any(value not in (None, "") for value in dataclasses.astuple(self.example.setting))


def setting_groups(results: list[Result]) -> list[SettingGroup]:
    """``results`` (of one benchmark) grouped by comparability: the groups with a stated
    setting first, the largest first; the group whose sources state no setting last."""
    groups: dict[str, list[Result]] = {}
    for result in results:
        groups.setdefault(result.comparable_key, []).append(result)
    found = [
        SettingGroup(key=key, count=len(rows), example=rows[0]) for key, rows in groups.items()
    ]
    return sorted(found, key=lambda g: (not g.stated, -g.count, g.key))


def claims_for_version(version, *, user=None) -> list[Claim]:
    return list(
        Claim.objects.filter(version=version).select_related("benchmark", "variant").order_by("pk")
    )


def claim_list(*, user=None) -> QuerySet[Claim]:
    return Claim.objects.select_related(
        "version__family", "variant__version__family", "benchmark"
    ).filter(benchmark_condition(user, "benchmark__") | Q(benchmark__isnull=True))


def benchmarks_with_results(*, user=None) -> list[Benchmark]:
    """Visible benchmarks that have a visible result, by category and name (form choices)."""
    return list(
        benchmark_list(user=user).filter(result_count__gt=0).order_by("category", "name", "pk")
    )
