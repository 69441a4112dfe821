"""A licence's terms as people read them: the rated cells of the licence matrix, a licence
page and a model page, and the checker's answers in words with the clauses behind them. The
pages, the model card and the MCP tools all show them from here."""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from licenses.checker import (
    Answer,
    CitedQuote,
    Clause,
    IntendedUse,
    LicenseTerms,
    Question,
    Rating,
    Reason,
    Verdict,
    clauses_for,
    excluded_in,
    ratings,
)
from licenses.choices import CommercialUse, OutputsUse
from licenses.models import License

# The terms the matrix and a licence page show, in order, with a short column label.
TERMS: tuple[tuple[str, Promise], ...] = (
    ("commercial_use", _("Commercial use")),
    ("mau_threshold", _("User cap (monthly active users)")),
    ("outputs_train_other_models", _("Outputs may train other models")),
    ("attribution_required", _("Attribution")),
    ("naming_requirement", _("Naming rule")),
    ("patent_grant", _("Patent grant")),
    ("modification_allowed", _("Modification")),
    ("redistribution_allowed", _("Redistribution")),
    ("share_alike", _("Share-alike")),
    ("acceptable_use_policy_url", _("Acceptable use policy")),
    ("registration_required", _("Registration or approval")),
    ("excluded_territories", _("Territory")),
)
# The terms a model's page shows, those that decide most questions, in the order of TERMS;
# the licence page shows every term.
MODEL_PAGE_TERMS = (
    "commercial_use",
    "mau_threshold",
    "outputs_train_other_models",
    "attribution_required",
    "naming_requirement",
    "excluded_territories",
)
UNKNOWN = _("Unknown")
# Cell text of a yes/no term: (when true, when false).
FLAG_TEXT: dict[str, tuple[Promise, Promise]] = {
    "attribution_required": (_("Required"), _("Not required")),
    "patent_grant": (_("Granted"), _("No explicit grant")),
    "modification_allowed": (_("Allowed"), _("Not allowed")),
    "redistribution_allowed": (_("Allowed"), _("Not allowed")),
    "share_alike": (_("Required"), _("Not required")),
    "registration_required": (_("Required"), _("Not required")),
}

QUESTIONS: dict[Question, Promise] = {
    Question.COMMERCIAL_PRODUCT: _("Use it in a commercial product?"),
    Question.PUBLISH_FINETUNE: _("Fine-tune it and publish the weights?"),
    Question.TRAIN_OTHER_MODELS: _("Use its outputs to train another model?"),
    Question.HOSTED_SERVICE: _("Offer it to others as a hosted service?"),
    Question.TERRITORY: _("Use it in %(territory)s?"),
}
QUESTIONS_WITH_USERS: dict[Question, Promise] = {
    Question.COMMERCIAL_PRODUCT: _(
        "Use it in a commercial product with %(users)s monthly active users?"
    ),
    Question.HOSTED_SERVICE: _(
        "Offer it to others as a hosted service with %(users)s monthly active users?"
    ),
}
VERDICTS: dict[Verdict, Promise] = {
    Verdict.YES: _("Yes"),
    Verdict.NO: _("No"),
    Verdict.CONDITIONAL: _("Conditional"),
    Verdict.UNKNOWN: _("Unknown"),
}
NEEDS_SEPARATE_LICENSE = _("No: needs a separate licence")
REASONS: dict[Reason, Promise] = {
    Reason.TERM_NOT_RECORDED: _(
        "The registry has no verified value for this term (%(term)s): read the licence text."
    ),
    Reason.COMMERCIAL_ALLOWED: _("The licence allows commercial use."),
    Reason.COMMERCIAL_CONDITIONAL: _(
        "Commercial use is allowed only under the conditions the licence sets."
    ),
    Reason.COMMERCIAL_NOT_ALLOWED: _("The licence does not allow commercial use."),
    Reason.ABOVE_USER_THRESHOLD: _(
        "Above %(threshold)s monthly active users the licence requires a separate licence "
        "from the licensor, and %(users)s is more."
    ),
    Reason.WITHIN_USER_THRESHOLD: _(
        "%(users)s monthly active users is within the licence's threshold of %(threshold)s; "
        "above it a separate licence from the licensor is needed."
    ),
    Reason.USER_THRESHOLD_APPLIES: _(
        "Above %(threshold)s monthly active users a separate licence from the licensor is needed."
    ),
    Reason.REGISTRATION_REQUIRED: _(
        "You must register with the licensor or get its approval first."
    ),
    Reason.ACCEPTABLE_USE_POLICY: _("All use must follow the licensor's acceptable use policy."),
    Reason.NAMING_REQUIREMENT: _("Naming rule: %(rule)s."),
    Reason.ATTRIBUTION_REQUIRED: _(
        "Keep the licence text and the attribution notices it requires with the weights."
    ),
    Reason.FINETUNE_ALLOWED: _(
        "The licence allows modifying the model and distributing what you derive from it."
    ),
    Reason.MODIFICATION_NOT_ALLOWED: _("The licence does not allow modifying the model."),
    Reason.REDISTRIBUTION_NOT_ALLOWED: _("The licence does not allow redistributing the model."),
    Reason.NON_COMMERCIAL_ONLY: _(
        "Only for non-commercial purposes: the licence does not allow commercial use."
    ),
    Reason.SHARE_ALIKE: _("The fine-tune must be published under the same licence."),
    Reason.OUTPUTS_ALLOWED: _(
        "The licence allows using the model's outputs to train other models."
    ),
    Reason.OUTPUTS_RESTRICTED: _(
        "The licence restricts using the outputs to train other models; the clause says what "
        "remains allowed (for example, only improving this model's own derivatives)."
    ),
    Reason.OUTPUTS_NOT_ALLOWED: _(
        "The licence does not allow using the outputs to train other models."
    ),
    Reason.HOSTING_ALLOWED: _(
        "The licence allows commercial use, which covers offering the model as a service."
    ),
    Reason.HOSTING_NOT_ALLOWED: _(
        "The licence does not allow commercial use, so a hosted service may only serve "
        "non-commercial purposes."
    ),
    Reason.TERRITORY_EXCLUDED: _(
        "The licence grants no rights in %(territory)s: it excludes %(excluded)s."
    ),
    Reason.TERRITORY_PARTLY_EXCLUDED: _(
        "The licence excludes part of %(territory)s: %(excluded)s. Elsewhere in it the "
        "licence's other terms apply."
    ),
    Reason.TERRITORY_NOT_EXCLUDED: _(
        "The licence excludes no territory that covers %(territory)s; its other terms apply."
    ),
}


@dataclass(frozen=True)
class TermCell:
    """One term of one licence as shown: its rating (the badge class) and its text."""

    key: str
    label: Promise
    rating: str
    text: str
    detail: str = ""  # the naming rule's wording
    link: str = ""  # the acceptable use policy
    clauses: tuple[Clause, ...] = ()


@dataclass
class ShownFinding:
    message: str
    clause_key: str
    clauses: tuple[Clause, ...]
    quoted_above: bool  # its clauses were already shown for an earlier reason


@dataclass
class ShownAnswer:
    question: Question
    text: str
    verdict: str
    verdict_text: str
    findings: list[ShownFinding] = field(default_factory=list)


def license_terms(license: License) -> LicenseTerms:
    """The structured terms of ``license`` as the checker reads them (blank → not recorded)."""
    return LicenseTerms(
        commercial_use=license.commercial_use or None,
        monthly_users_threshold=license.mau_threshold,
        attribution_required=license.attribution_required,
        naming_requirement=license.naming_requirement,
        patent_grant=license.patent_grant,
        modification_allowed=license.modification_allowed,
        redistribution_allowed=license.redistribution_allowed,
        share_alike=license.share_alike,
        outputs_train_other_models=license.outputs_train_other_models or None,
        acceptable_use_policy=bool(license.acceptable_use_policy_url),
        registration_required=license.registration_required,
        excluded_territories=(
            None
            if license.territory_restricted is None
            else tuple(str(c.code) for c in license.excluded_territories)
            if license.territory_restricted
            else ()
        ),
    )


def territory_name(code: str) -> str:
    """A territory as people read it, in the active language ("European Union", "德国")."""
    return str(Country(code=code).name) or code


def territory_names(codes) -> str:
    return ", ".join(territory_name(str(code)) for code in codes)


def _quotes(license: License) -> list[CitedQuote]:
    """The licence's citations (prefetched with their source) as the checker reads them."""
    return [
        CitedQuote(
            fields=tuple(citation.fields),
            quote=citation.quote,
            source_title=citation.source.title or citation.source.url,
            source_url=citation.source.url,
        )
        for citation in license.citations.all()
    ]


def _users(number: int) -> str:
    """A user count as people read it: 700,000,000 in English, 7亿 in Chinese."""
    if (get_language() or "").startswith("zh"):
        for size, unit in ((10**8, "亿"), (10**4, "万")):
            if number >= size and number % (size // 100) == 0:
                return f"{number / size:g}{unit}"
    return number_format(number, force_grouping=True)


def _cell_text(license: License, key: str, rating: Rating) -> str:
    if rating is Rating.UNKNOWN:
        return str(UNKNOWN)
    if key == "commercial_use":
        return str(CommercialUse(license.commercial_use).label)
    if key == "outputs_train_other_models":
        return str(OutputsUse(license.outputs_train_other_models).label)
    if key == "mau_threshold":
        if license.mau_threshold is not None:
            return str(_("Above %(users)s") % {"users": _users(license.mau_threshold)})
        return str(_("No cap")) if rating is Rating.ALLOWED else "—"
    if key == "naming_requirement":
        return str(_("Required")) if license.naming_requirement.strip() else "—"
    if key == "excluded_territories":
        if license.territory_restricted:
            return str(_("Not in %(territories)s")) % {
                "territories": territory_names(c.code for c in license.excluded_territories)
            }
        return str(_("Worldwide"))
    if key == "acceptable_use_policy_url":
        return str(_("Applies")) if license.acceptable_use_policy_url else "—"
    when_true, when_false = FLAG_TEXT[key]
    return str(when_true if getattr(license, key) else when_false)


def term_cells(
    license: License, *, with_clauses: bool = False, keys: tuple[str, ...] | None = None
) -> list[TermCell]:
    """Every structured term of ``license`` (or those of ``keys``, in the order of TERMS) with
    its rating and text, and, for a licence or model page, the quoted clauses behind it."""
    rated = ratings(license_terms(license))
    quotes = _quotes(license) if with_clauses else []
    return [
        TermCell(
            key=key,
            label=label,
            rating=str(rated[key]),
            text=_cell_text(license, key, rated[key]),
            detail=license.naming_requirement if key == "naming_requirement" else "",
            link=license.acceptable_use_policy_url if key == "acceptable_use_policy_url" else "",
            clauses=clauses_for(key, quotes) if with_clauses else (),
        )
        for key, label in TERMS
        if keys is None or key in keys
    ]


def shown_answer(answer: Answer, license: License, use: IntendedUse) -> ShownAnswer:
    """An answer in words, each reason with the clauses behind it (each clause quoted once)."""
    params = {
        "users": _users(use.monthly_users) if use.monthly_users is not None else "",
        "threshold": _users(license.mau_threshold) if license.mau_threshold else "",
        "rule": license.naming_requirement,
        "territory": territory_name(use.territory) if use.territory else "",
        "excluded": "",
    }
    if use.territory and license.territory_restricted:
        codes = (str(c.code) for c in license.excluded_territories)
        params["excluded"] = territory_names(excluded_in(use.territory, codes)[1])
    if use.monthly_users is not None and answer.question in QUESTIONS_WITH_USERS:
        question_text = QUESTIONS_WITH_USERS[answer.question] % params
    else:
        question_text = str(QUESTIONS[answer.question]) % params
    first = answer.findings[0].reason
    verdict_text = (
        NEEDS_SEPARATE_LICENSE if first is Reason.ABOVE_USER_THRESHOLD else VERDICTS[answer.verdict]
    )
    shown = ShownAnswer(answer.question, question_text, str(answer.verdict), str(verdict_text))
    quotes = _quotes(license)
    seen: set[str] = set()
    for finding in answer.findings:
        clauses = clauses_for(finding.clause_key, quotes)
        fresh = tuple(c for c in clauses if c.text not in seen)
        seen.update(c.text for c in clauses)
        term = License._meta.get_field(finding.clause_key).verbose_name
        message = REASONS[finding.reason] % {**params, "term": term}
        shown.findings.append(
            ShownFinding(
                message=message,
                clause_key=finding.clause_key,
                clauses=fresh,
                quoted_above=bool(clauses) and not fresh,
            )
        )
    return shown
