"""Answers "may we…" questions about a licence from its structured terms.

Pure: the standard library only, frozen dataclasses in and out, no Django. The caller maps a
licence record to :class:`LicenseTerms` and renders the answers; each answer names the reasons
and the licence term (the clause key) behind it, never prose, so the wording and its
translation stay with the page.

This is a reading aid, not legal advice: it only knows the terms editors recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# The values of licenses.choices.CommercialUse and OutputsUse (a test keeps them in step;
# this module may not import Django to read them).
ALLOWED = "allowed"
CONDITIONAL = "conditional"
RESTRICTED = "restricted"
NOT_ALLOWED = "not_allowed"

# The catalog loader (curation/services/load.py) joins the quotes of one source cited
# several times for one record with this separator: one stored quote may hold several clauses.
QUOTE_SEPARATOR = "\n…\n"

# A licence may exclude the European Union as a whole ("EU") or single countries (ISO 3166-1
# alpha-2). The union's 27 member states, as the EU lists them on
# https://european-union.europa.eu/principles-countries-history/eu-countries_en
EUROPEAN_UNION = "EU"
EU_MEMBER_STATES = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip


class Verdict(StrEnum):
    YES = "yes"
    NO = "no"
    CONDITIONAL = "conditional"
    UNKNOWN = "unknown"  # the deciding term was not recorded (not stated or not verified)


class Question(StrEnum):
    COMMERCIAL_PRODUCT = "commercial_product"
    PUBLISH_FINETUNE = "publish_finetune"
    TRAIN_OTHER_MODELS = "train_other_models"
    HOSTED_SERVICE = "hosted_service"
    TERRITORY = "territory"


class Reason(StrEnum):
    TERM_NOT_RECORDED = "term_not_recorded"
    COMMERCIAL_ALLOWED = "commercial_allowed"
    COMMERCIAL_CONDITIONAL = "commercial_conditional"
    COMMERCIAL_NOT_ALLOWED = "commercial_not_allowed"
    ABOVE_USER_THRESHOLD = "above_user_threshold"
    WITHIN_USER_THRESHOLD = "within_user_threshold"
    USER_THRESHOLD_APPLIES = "user_threshold_applies"
    REGISTRATION_REQUIRED = "registration_required"
    ACCEPTABLE_USE_POLICY = "acceptable_use_policy"
    NAMING_REQUIREMENT = "naming_requirement"
    ATTRIBUTION_REQUIRED = "attribution_required"
    FINETUNE_ALLOWED = "finetune_allowed"
    MODIFICATION_NOT_ALLOWED = "modification_not_allowed"
    REDISTRIBUTION_NOT_ALLOWED = "redistribution_not_allowed"
    NON_COMMERCIAL_ONLY = "non_commercial_only"
    SHARE_ALIKE = "share_alike"
    OUTPUTS_ALLOWED = "outputs_allowed"
    OUTPUTS_RESTRICTED = "outputs_restricted"
    OUTPUTS_NOT_ALLOWED = "outputs_not_allowed"
    HOSTING_ALLOWED = "hosting_allowed"
    HOSTING_NOT_ALLOWED = "hosting_not_allowed"
    TERRITORY_EXCLUDED = "territory_excluded"
    TERRITORY_PARTLY_EXCLUDED = "territory_partly_excluded"
    TERRITORY_NOT_EXCLUDED = "territory_not_excluded"


class Rating(StrEnum):
    """How favourable one term is to someone using the model (the matrix's cell colour)."""

    ALLOWED = "allowed"
    CONDITIONAL = "conditional"
    NOT_ALLOWED = "not_allowed"
    UNKNOWN = "unknown"  # not stated or not verified
    NONE = "none"  # nothing recorded that applies (no cap, no naming rule)


@dataclass(frozen=True)
class LicenseTerms:
    """A licence's structured terms; ``None`` means "not stated or not verified"."""

    commercial_use: str | None = None  # ALLOWED, CONDITIONAL or NOT_ALLOWED
    monthly_users_threshold: int | None = None  # above it a separate licence is needed
    attribution_required: bool | None = None
    naming_requirement: str = ""
    patent_grant: bool | None = None
    modification_allowed: bool | None = None
    redistribution_allowed: bool | None = None
    share_alike: bool | None = None
    outputs_train_other_models: str | None = None  # ALLOWED, RESTRICTED or NOT_ALLOWED
    acceptable_use_policy: bool = False  # the licence binds use to a separate policy
    registration_required: bool | None = None
    # The territories where the licence grants no rights: None not recorded, () none.
    excluded_territories: tuple[str, ...] | None = None


@dataclass(frozen=True)
class IntendedUse:
    """What someone wants to do. A question nobody asked is not answered, except that asking
    nothing at all asks everything (a first look at a licence)."""

    monthly_users: int | None = None  # a commercial product with this many monthly users
    publish_finetune: bool = False
    train_other_models: bool = False
    hosted_service: bool = False
    territory: str | None = None  # use it there: a country code, or EUROPEAN_UNION

    def asks_nothing(self) -> bool:
        return (
            self.monthly_users is None
            and self.territory is None
            and not (self.publish_finetune or self.train_other_models or self.hosted_service)
        )


@dataclass(frozen=True)
class Finding:
    """One reason behind an answer and the licence term (clause key) it rests on."""

    reason: Reason
    clause_key: str


@dataclass(frozen=True)
class Answer:
    """The answer to one question; the first finding decides it, the others are the
    conditions and duties that come with it."""

    question: Question
    verdict: Verdict
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class CitedQuote:
    """A citation of the licence: the terms it backs and the quoted text."""

    fields: tuple[str, ...]
    quote: str
    source_title: str = ""
    source_url: str = ""


@dataclass(frozen=True)
class Clause:
    """The quoted licence text behind one term."""

    text: str
    source_title: str
    source_url: str


def check(terms: LicenseTerms, use: IntendedUse) -> tuple[Answer, ...]:
    """Answer each question ``use`` asks about a licence with ``terms``, in a fixed order."""
    ask_all = use.asks_nothing()
    answers = []
    if ask_all or use.monthly_users is not None:
        answers.append(_commercial(terms, use.monthly_users, Question.COMMERCIAL_PRODUCT))
    if ask_all or use.publish_finetune:
        answers.append(_publish_finetune(terms))
    if ask_all or use.train_other_models:
        answers.append(_train_other_models(terms))
    if ask_all or use.hosted_service:
        answers.append(_commercial(terms, use.monthly_users, Question.HOSTED_SERVICE))
    if use.territory is not None:
        answers.append(_territory(terms, use.territory))
    return tuple(answers)


def excluded_in(territory: str, excluded: Iterable[str]) -> tuple[bool, tuple[str, ...]]:
    """Whether ``territory`` lies wholly within the ``excluded`` territories, and which of them
    touch it: a member state lies within an excluded union, and the union is touched by an
    excluded member state."""
    excluded = tuple(excluded)
    if territory == EUROPEAN_UNION:
        touching = tuple(t for t in excluded if t == EUROPEAN_UNION or t in EU_MEMBER_STATES)
        return EUROPEAN_UNION in excluded, touching
    touching = tuple(
        t
        for t in excluded
        if t == territory or (t == EUROPEAN_UNION and territory in EU_MEMBER_STATES)
    )
    return bool(touching), touching


def _territory(terms: LicenseTerms, territory: str) -> Answer:
    question = Question.TERRITORY
    key = "excluded_territories"
    if terms.excluded_territories is None:
        return _unknown(question, key)
    wholly, touching = excluded_in(territory, terms.excluded_territories)
    if wholly:
        return Answer(question, Verdict.NO, (Finding(Reason.TERRITORY_EXCLUDED, key),))
    if touching:
        return Answer(
            question, Verdict.CONDITIONAL, (Finding(Reason.TERRITORY_PARTLY_EXCLUDED, key),)
        )
    return Answer(question, Verdict.YES, (Finding(Reason.TERRITORY_NOT_EXCLUDED, key),))


def _decide(question: Question, base: Verdict, first: Finding, conditions, duties=()) -> Answer:
    """A YES with conditions attached becomes CONDITIONAL; duties (keep notices) do not."""
    conditions, duties = tuple(conditions), tuple(duties)
    verdict = Verdict.CONDITIONAL if base is Verdict.YES and conditions else base
    return Answer(question, verdict, (first, *conditions, *duties))


def _unknown(question: Question, key: str) -> Answer:
    return Answer(question, Verdict.UNKNOWN, (Finding(Reason.TERM_NOT_RECORDED, key),))


def _naming(terms: LicenseTerms) -> list[Finding]:
    if terms.naming_requirement.strip():
        return [Finding(Reason.NAMING_REQUIREMENT, "naming_requirement")]
    return []


def _policy(terms: LicenseTerms) -> list[Finding]:
    if terms.acceptable_use_policy:
        return [Finding(Reason.ACCEPTABLE_USE_POLICY, "acceptable_use_policy_url")]
    return []


def _commercial(terms: LicenseTerms, monthly_users: int | None, question: Question) -> Answer:
    """A commercial product, or a hosted service (commercial use offered to others)."""
    hosted = question is Question.HOSTED_SERVICE
    if terms.commercial_use is None:
        return _unknown(question, "commercial_use")
    if terms.commercial_use == NOT_ALLOWED:
        reason = Reason.HOSTING_NOT_ALLOWED if hosted else Reason.COMMERCIAL_NOT_ALLOWED
        return Answer(question, Verdict.NO, (Finding(reason, "commercial_use"),))
    threshold = terms.monthly_users_threshold
    if (
        terms.commercial_use == CONDITIONAL
        and threshold is not None
        and monthly_users is not None
        and monthly_users > threshold  # the licences say "greater than"
    ):
        return Answer(
            question, Verdict.NO, (Finding(Reason.ABOVE_USER_THRESHOLD, "mau_threshold"),)
        )
    conditions: list[Finding] = []
    if terms.commercial_use == CONDITIONAL:
        first = Finding(Reason.COMMERCIAL_CONDITIONAL, "commercial_use")
        base = Verdict.CONDITIONAL
        if threshold is not None:
            reason = (
                Reason.USER_THRESHOLD_APPLIES
                if monthly_users is None
                else Reason.WITHIN_USER_THRESHOLD
            )
            conditions.append(Finding(reason, "mau_threshold"))
    else:
        reason = Reason.HOSTING_ALLOWED if hosted else Reason.COMMERCIAL_ALLOWED
        first = Finding(reason, "commercial_use")
        base = Verdict.YES
    if terms.registration_required:
        conditions.append(Finding(Reason.REGISTRATION_REQUIRED, "registration_required"))
    conditions += _policy(terms) + _naming(terms)
    return _decide(question, base, first, conditions)


def _publish_finetune(terms: LicenseTerms) -> Answer:
    question = Question.PUBLISH_FINETUNE
    if terms.modification_allowed is False:
        return Answer(
            question,
            Verdict.NO,
            (Finding(Reason.MODIFICATION_NOT_ALLOWED, "modification_allowed"),),
        )
    if terms.redistribution_allowed is False:
        return Answer(
            question,
            Verdict.NO,
            (Finding(Reason.REDISTRIBUTION_NOT_ALLOWED, "redistribution_allowed"),),
        )
    if terms.modification_allowed is None:
        return _unknown(question, "modification_allowed")
    if terms.redistribution_allowed is None:
        return _unknown(question, "redistribution_allowed")
    conditions: list[Finding] = []
    if terms.commercial_use == NOT_ALLOWED:
        # Publishing is allowed, but nobody downstream may use the fine-tune commercially.
        conditions.append(Finding(Reason.NON_COMMERCIAL_ONLY, "commercial_use"))
    if terms.share_alike:
        conditions.append(Finding(Reason.SHARE_ALIKE, "share_alike"))
    conditions += _naming(terms) + _policy(terms)
    duties = []
    if terms.attribution_required:
        duties.append(Finding(Reason.ATTRIBUTION_REQUIRED, "attribution_required"))
    return _decide(
        question,
        Verdict.YES,
        Finding(Reason.FINETUNE_ALLOWED, "modification_allowed"),
        conditions,
        duties,
    )


def _train_other_models(terms: LicenseTerms) -> Answer:
    question = Question.TRAIN_OTHER_MODELS
    key = "outputs_train_other_models"
    outputs = terms.outputs_train_other_models
    if outputs is None:
        return _unknown(question, key)
    if outputs == NOT_ALLOWED:
        return Answer(question, Verdict.NO, (Finding(Reason.OUTPUTS_NOT_ALLOWED, key),))
    if outputs == RESTRICTED:
        # "restricted" covers a ban with exceptions (Llama 2: only Llama 2 derivatives) as
        # well as conditions (DeepSeek: a distilled model inherits the use restrictions):
        # only the quoted clause tells which.
        return Answer(question, Verdict.CONDITIONAL, (Finding(Reason.OUTPUTS_RESTRICTED, key),))
    return _decide(question, Verdict.YES, Finding(Reason.OUTPUTS_ALLOWED, key), _naming(terms))


def ratings(terms: LicenseTerms) -> dict[str, Rating]:
    """How favourable each term is, keyed by the licence field it comes from."""

    def flag(value: bool | None, *, good: bool) -> Rating:
        if value is None:
            return Rating.UNKNOWN
        return Rating.ALLOWED if value is good else Rating.NOT_ALLOWED

    def duty(value: bool | None) -> Rating:
        # A requirement (attribution, registration, share-alike) is a condition, not a ban.
        if value is None:
            return Rating.UNKNOWN
        return Rating.CONDITIONAL if value else Rating.ALLOWED

    scale = {
        ALLOWED: Rating.ALLOWED,
        CONDITIONAL: Rating.CONDITIONAL,
        RESTRICTED: Rating.CONDITIONAL,
        NOT_ALLOWED: Rating.NOT_ALLOWED,
    }
    if terms.monthly_users_threshold is not None:
        cap = Rating.CONDITIONAL
    elif terms.commercial_use == ALLOWED:
        cap = Rating.ALLOWED  # commercial use with no user cap
    else:
        cap = Rating.NONE
    return {
        "commercial_use": scale.get(terms.commercial_use or "", Rating.UNKNOWN),
        "mau_threshold": cap,
        "outputs_train_other_models": scale.get(
            terms.outputs_train_other_models or "", Rating.UNKNOWN
        ),
        "attribution_required": duty(terms.attribution_required),
        "naming_requirement": (
            Rating.CONDITIONAL if terms.naming_requirement.strip() else Rating.NONE
        ),
        "patent_grant": flag(terms.patent_grant, good=True),
        "modification_allowed": flag(terms.modification_allowed, good=True),
        "redistribution_allowed": flag(terms.redistribution_allowed, good=True),
        "share_alike": duty(terms.share_alike),
        "acceptable_use_policy_url": (
            Rating.CONDITIONAL if terms.acceptable_use_policy else Rating.NONE
        ),
        "registration_required": duty(terms.registration_required),
        "excluded_territories": (
            Rating.UNKNOWN
            if terms.excluded_territories is None
            else Rating.CONDITIONAL
            if terms.excluded_territories
            else Rating.ALLOWED
        ),
    }


# Words that mark which part of a merged quote (see QUOTE_SEPARATOR) speaks about a term.
# Matched case-insensitively; English and Chinese, as the licences are quoted.
_TERM_WORDS: dict[str, tuple[str, ...]] = {
    "commercial_use": ("commercial", "monthly active users", "copyright license", "商用", "商业"),
    "mau_threshold": ("monthly active users", "月活", "活跃"),
    "outputs_train_other_models": ("output", "data produced", "distillation", "输出"),
    "attribution_required": ("licensed under", "attribution", "notice", "built with", "署名"),
    "naming_requirement": ("model name",),
    "patent_grant": ("patent license", "patent licence", "专利"),
    "modification_allowed": ("modif", "create derivative", "prepare", "修改"),
    "redistribution_allowed": ("distribut", "分发"),
    "share_alike": ("share alike", "sharealike", "same license", "same licence", "same terms"),
    "acceptable_use_policy_url": ("acceptable use", "use policy"),
    "registration_required": ("form", "regist", "登记", "申请"),
    "excluded_territories": ("territor", "european union", "united kingdom", "korea", "地区"),
}


def clauses_for(key: str, quotes: Iterable[CitedQuote]) -> tuple[Clause, ...]:
    """The quoted text behind term ``key``: the quotes of the citations that back it.

    A quote the loader merged from several clauses of one source is split again and only the
    parts that speak about the term are kept: none where no part obviously does, as quoting
    another term's clause would mislead more than quoting nothing.
    """
    words = _TERM_WORDS.get(key, ())
    found: list[Clause] = []
    for cited in quotes:
        if key not in cited.fields or not cited.quote.strip():
            continue
        parts = [p.strip() for p in cited.quote.split(QUOTE_SEPARATOR) if p.strip()]
        if len(parts) > 1:
            parts = [p for p in parts if any(w in p.lower() for w in words)]
        found += [Clause(p, cited.source_title, cited.source_url) for p in parts]
    return tuple(found)
