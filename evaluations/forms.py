"""The questions the evaluation pages, the API and MCP ask: the best model that fits (the
"Can I run it?" form plus a benchmark or category) and a benchmark's leaderboard filters."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.filters import VariantFilterSet
from catalog.selectors import variant_list
from estimator import EstimateError, EstimateOptions, ProfileSpec
from evaluations import selectors
from evaluations.bestfit import BestFit, best_fit
from evaluations.choices import Category
from evaluations.models import Benchmark
from hardware import selectors as hardware_selectors
from hardware.forms import FitForm
from hardware.ranking import hardware_spec
from licenses.choices import CommercialUse

BENCHMARK_OR_CATEGORY = _("Choose a benchmark or a category.")
HARDWARE_NEEDED = _("Choose an accelerator or a hardware profile.")


class BenchmarkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.localized("name")


class BestFitForm(FitForm):
    """Hardware and options (the "Can I run it?" form) and what "best" means: a benchmark,
    or a category (its most reported benchmark), under one comparable setting."""

    benchmark = BenchmarkChoiceField(
        label=_("Benchmark"),
        queryset=Benchmark.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("— or a category —"),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    setting = forms.CharField(label=_("Setting"), required=False, max_length=600)
    open_weights = forms.BooleanField(label=_("Open weights only"), required=False)

    def __init__(self, *args, benchmarks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benchmark"].queryset = benchmarks

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("benchmark") and not cleaned.get("category"):
            self.add_error("benchmark", BENCHMARK_OR_CATEGORY)
        if not cleaned.get("accelerator") and not cleaned.get("profile"):
            self.add_error("accelerator", HARDWARE_NEEDED)
        return cleaned


@dataclass
class BestFitQuestion:
    spec: ProfileSpec
    options: EstimateOptions
    answer: BestFit


def best_fit_form(data, user) -> tuple[BestFitForm, VariantFilterSet]:
    """The form and the licence/variant filters for ``data`` (a GET query)."""
    form = BestFitForm(
        data,
        accelerators=hardware_selectors.accelerator_list(user=user),
        profiles=hardware_selectors.profile_list(user=user),
        benchmarks=selectors.benchmark_list(user=user).order_by("category", "name", "pk"),
    )
    filterset = VariantFilterSet(data, queryset=variant_list(user=user))
    return form, filterset


def answer_best_fit(form: BestFitForm, filterset: VariantFilterSet, user) -> BestFitQuestion:
    """The answer to a valid form (raises the estimator's ``EstimateError``)."""
    cleaned = form.cleaned_data
    spec = hardware_spec(cleaned)
    assert spec is not None
    options = form.options()
    answer = best_fit(
        variants=filterset.qs,
        spec=spec,
        options=options,
        benchmark=cleaned.get("benchmark"),
        category=cleaned.get("category") or "",
        setting_key=cleaned.get("setting") or "",
        open_weights=bool(cleaned.get("open_weights")),
        user=user,
    )
    return BestFitQuestion(spec=spec, options=options, answer=answer)


def best_fit_from_query(request) -> tuple[BestFitQuestion | None, dict]:
    """The API's and MCP's entry: the answer, or the errors by parameter."""
    data = request.GET.copy()
    for name, field in BestFitForm.base_fields.items():
        if name not in data and field.initial is not None:
            data[name] = field.initial
    form, filterset = best_fit_form(data, request.user)
    errors: dict = {}
    if not form.is_valid():
        errors.update({name: list(messages) for name, messages in form.errors.items()})
    if not filterset.is_valid():
        errors.update({name: list(messages) for name, messages in filterset.errors.items()})
    if errors:
        return None, errors
    try:
        return answer_best_fit(form, filterset, request.user), {}
    except EstimateError as exc:
        return None, {exc.field or "non_field_errors": [str(exc)]}


class LeaderboardForm(FitForm):
    """A benchmark page's leaderboard: one comparable setting (the most common by default),
    or every setting at once when asked; and the filters: licence allows commercial use, open
    weights only, fits this hardware at this precision and context."""

    setting = forms.CharField(label=_("Setting"), required=False, max_length=600)
    all_settings = forms.BooleanField(
        label=_("Also show results under other settings (not comparable)"), required=False
    )
    commercial = forms.BooleanField(label=_("Licence allows commercial use"), required=False)
    open_weights = forms.BooleanField(label=_("Open weights only"), required=False)

    COMMERCIAL = (CommercialUse.ALLOWED, CommercialUse.CONDITIONAL)
