"""The licence checker is pure: plain terms in, answers with reasons and clause keys out."""

import ast
import sys
from pathlib import Path

import pytest

from licenses.checker import (
    ALLOWED,
    CONDITIONAL,
    NOT_ALLOWED,
    QUOTE_SEPARATOR,
    RESTRICTED,
    CitedQuote,
    Finding,
    IntendedUse,
    LicenseTerms,
    Question,
    Rating,
    Reason,
    Verdict,
    check,
    clauses_for,
    ratings,
)

ROOT = Path(__file__).resolve().parents[2]

APACHE = LicenseTerms(
    commercial_use=ALLOWED,
    attribution_required=True,
    patent_grant=True,
    modification_allowed=True,
    redistribution_allowed=True,
    share_alike=False,
    outputs_train_other_models=ALLOWED,
    registration_required=False,
)
LLAMA_2 = LicenseTerms(
    commercial_use=CONDITIONAL,
    monthly_users_threshold=700_000_000,
    attribution_required=True,
    patent_grant=False,
    modification_allowed=True,
    redistribution_allowed=True,
    share_alike=False,
    outputs_train_other_models=RESTRICTED,
    acceptable_use_policy=True,
    registration_required=False,
)
UNVERIFIED = LicenseTerms()


def _answer(terms: LicenseTerms, **use):
    (answer,) = check(terms, IntendedUse(**use))
    return answer


def _reasons(answer) -> list[Reason]:
    return [finding.reason for finding in answer.findings]


def test_checker_imports_only_the_standard_library():
    tree = ast.parse((ROOT / "licenses/checker.py").read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names, f"checker imports {name}"


def test_checker_values_match_the_licence_choices():
    from licenses.choices import CommercialUse, OutputsUse

    assert {ALLOWED, CONDITIONAL, NOT_ALLOWED} == set(CommercialUse.values)
    assert {ALLOWED, RESTRICTED, NOT_ALLOWED} == set(OutputsUse.values)


# --- which questions are answered ----------------------------------------------------------


def test_asking_nothing_answers_every_question_in_order():
    answers = check(APACHE, IntendedUse())
    # Every question but the territory one, which needs a territory.
    assert [a.question for a in answers] == [q for q in Question if q is not Question.TERRITORY]


def test_only_the_questions_asked_are_answered():
    answers = check(APACHE, IntendedUse(train_other_models=True, hosted_service=True))
    assert [a.question for a in answers] == [
        Question.TRAIN_OTHER_MODELS,
        Question.HOSTED_SERVICE,
    ]


def test_a_user_count_asks_about_a_commercial_product():
    answers = check(APACHE, IntendedUse(monthly_users=0))
    assert [a.question for a in answers] == [Question.COMMERCIAL_PRODUCT]


def test_apache_says_yes_to_everything():
    use = IntendedUse(
        monthly_users=10**9, publish_finetune=True, train_other_models=True, hosted_service=True
    )
    assert {a.verdict for a in check(APACHE, use)} == {Verdict.YES}


# --- commercial product and hosted service -------------------------------------------------


@pytest.mark.parametrize("question", [Question.COMMERCIAL_PRODUCT, Question.HOSTED_SERVICE])
def test_unrecorded_commercial_use_is_unknown(question):
    use = {"hosted_service": True} if question is Question.HOSTED_SERVICE else {"monthly_users": 5}
    answer = _answer(UNVERIFIED, **use)
    assert answer.verdict is Verdict.UNKNOWN
    assert answer.findings == (Finding(Reason.TERM_NOT_RECORDED, "commercial_use"),)


def test_a_non_commercial_licence_refuses_a_commercial_product():
    answer = _answer(LicenseTerms(commercial_use=NOT_ALLOWED), monthly_users=10)
    assert answer.verdict is Verdict.NO
    assert answer.findings == (Finding(Reason.COMMERCIAL_NOT_ALLOWED, "commercial_use"),)


def test_a_non_commercial_licence_refuses_a_hosted_service():
    answer = _answer(LicenseTerms(commercial_use=NOT_ALLOWED), hosted_service=True)
    assert answer.verdict is Verdict.NO
    assert _reasons(answer) == [Reason.HOSTING_NOT_ALLOWED]


def test_above_the_user_threshold_needs_a_separate_licence():
    answer = _answer(LLAMA_2, monthly_users=800_000_000)
    assert answer.verdict is Verdict.NO
    assert answer.findings == (Finding(Reason.ABOVE_USER_THRESHOLD, "mau_threshold"),)


def test_a_hosted_service_above_the_threshold_needs_a_separate_licence_too():
    (_, hosted) = check(LLAMA_2, IntendedUse(monthly_users=800_000_000, hosted_service=True))
    assert hosted.question is Question.HOSTED_SERVICE
    assert hosted.verdict is Verdict.NO


def test_exactly_at_the_threshold_is_not_above_it():
    answer = _answer(LLAMA_2, monthly_users=700_000_000)
    assert answer.verdict is Verdict.CONDITIONAL
    assert _reasons(answer) == [
        Reason.COMMERCIAL_CONDITIONAL,
        Reason.WITHIN_USER_THRESHOLD,
        Reason.ACCEPTABLE_USE_POLICY,
    ]


def test_without_a_user_count_the_threshold_is_stated():
    answer = _answer(LLAMA_2, hosted_service=True)
    assert answer.verdict is Verdict.CONDITIONAL
    assert Finding(Reason.USER_THRESHOLD_APPLIES, "mau_threshold") in answer.findings


def test_conditional_use_without_a_threshold_stays_conditional():
    answer = _answer(LicenseTerms(commercial_use=CONDITIONAL), monthly_users=10**10)
    assert answer.verdict is Verdict.CONDITIONAL
    assert _reasons(answer) == [Reason.COMMERCIAL_CONDITIONAL]


def test_registration_makes_commercial_use_conditional():
    terms = LicenseTerms(commercial_use=ALLOWED, registration_required=True)
    answer = _answer(terms, monthly_users=1)
    assert answer.verdict is Verdict.CONDITIONAL
    assert _reasons(answer) == [Reason.COMMERCIAL_ALLOWED, Reason.REGISTRATION_REQUIRED]
    assert answer.findings[1].clause_key == "registration_required"


def test_a_use_policy_and_a_naming_rule_make_a_yes_conditional():
    terms = LicenseTerms(
        commercial_use=ALLOWED, acceptable_use_policy=True, naming_requirement="Built with X"
    )
    answer = _answer(terms, hosted_service=True)
    assert answer.verdict is Verdict.CONDITIONAL
    assert _reasons(answer) == [
        Reason.HOSTING_ALLOWED,
        Reason.ACCEPTABLE_USE_POLICY,
        Reason.NAMING_REQUIREMENT,
    ]


def test_unconditional_commercial_use_is_a_plain_yes():
    answer = _answer(APACHE, monthly_users=10**11)
    assert answer.verdict is Verdict.YES
    assert answer.findings == (Finding(Reason.COMMERCIAL_ALLOWED, "commercial_use"),)


# --- fine-tune and publish ----------------------------------------------------------------


def test_no_modification_means_no_fine_tune():
    answer = _answer(LicenseTerms(modification_allowed=False), publish_finetune=True)
    assert answer.verdict is Verdict.NO
    assert answer.findings == (Finding(Reason.MODIFICATION_NOT_ALLOWED, "modification_allowed"),)


def test_no_redistribution_means_no_published_weights():
    terms = LicenseTerms(modification_allowed=True, redistribution_allowed=False)
    answer = _answer(terms, publish_finetune=True)
    assert answer.verdict is Verdict.NO
    assert answer.findings[0].clause_key == "redistribution_allowed"


@pytest.mark.parametrize(
    ("terms", "key"),
    [
        (LicenseTerms(redistribution_allowed=True), "modification_allowed"),
        (LicenseTerms(modification_allowed=True), "redistribution_allowed"),
    ],
)
def test_unrecorded_modification_or_redistribution_is_unknown(terms, key):
    answer = _answer(terms, publish_finetune=True)
    assert answer.verdict is Verdict.UNKNOWN
    assert answer.findings == (Finding(Reason.TERM_NOT_RECORDED, key),)


def test_attribution_is_a_duty_that_keeps_a_yes():
    answer = _answer(APACHE, publish_finetune=True)
    assert answer.verdict is Verdict.YES
    assert _reasons(answer) == [Reason.FINETUNE_ALLOWED, Reason.ATTRIBUTION_REQUIRED]


def test_a_non_commercial_licence_allows_only_non_commercial_fine_tunes():
    terms = LicenseTerms(
        commercial_use=NOT_ALLOWED, modification_allowed=True, redistribution_allowed=True
    )
    answer = _answer(terms, publish_finetune=True)
    assert answer.verdict is Verdict.CONDITIONAL
    assert Finding(Reason.NON_COMMERCIAL_ONLY, "commercial_use") in answer.findings


def test_share_alike_naming_and_policy_are_conditions_of_a_fine_tune():
    terms = LicenseTerms(
        commercial_use=ALLOWED,
        modification_allowed=True,
        redistribution_allowed=True,
        share_alike=True,
        naming_requirement='names must begin with "Llama"',
        acceptable_use_policy=True,
    )
    answer = _answer(terms, publish_finetune=True)
    assert answer.verdict is Verdict.CONDITIONAL
    assert _reasons(answer) == [
        Reason.FINETUNE_ALLOWED,
        Reason.SHARE_ALIKE,
        Reason.NAMING_REQUIREMENT,
        Reason.ACCEPTABLE_USE_POLICY,
    ]


# --- training other models on outputs -----------------------------------------------------


@pytest.mark.parametrize(
    ("outputs", "verdict", "reason"),
    [
        (None, Verdict.UNKNOWN, Reason.TERM_NOT_RECORDED),
        (NOT_ALLOWED, Verdict.NO, Reason.OUTPUTS_NOT_ALLOWED),
        (RESTRICTED, Verdict.CONDITIONAL, Reason.OUTPUTS_RESTRICTED),
        (ALLOWED, Verdict.YES, Reason.OUTPUTS_ALLOWED),
    ],
)
def test_training_other_models_follows_the_outputs_term(outputs, verdict, reason):
    answer = _answer(LicenseTerms(outputs_train_other_models=outputs), train_other_models=True)
    assert answer.verdict is verdict
    assert answer.findings == (Finding(reason, "outputs_train_other_models"),)


def test_a_naming_rule_makes_training_on_outputs_conditional():
    # Llama 3.1: outputs may improve other models whose names then begin with "Llama".
    terms = LicenseTerms(outputs_train_other_models=ALLOWED, naming_requirement="Llama prefix")
    answer = _answer(terms, train_other_models=True)
    assert answer.verdict is Verdict.CONDITIONAL
    assert _reasons(answer) == [Reason.OUTPUTS_ALLOWED, Reason.NAMING_REQUIREMENT]


def test_a_blank_naming_rule_is_no_rule():
    terms = LicenseTerms(outputs_train_other_models=ALLOWED, naming_requirement="  ")
    assert _answer(terms, train_other_models=True).verdict is Verdict.YES


# --- ratings for the matrix ---------------------------------------------------------------


def test_ratings_of_a_permissive_licence():
    rated = ratings(APACHE)
    assert rated["commercial_use"] is Rating.ALLOWED
    assert rated["mau_threshold"] is Rating.ALLOWED  # commercial use with no cap
    assert rated["patent_grant"] is Rating.ALLOWED
    assert rated["attribution_required"] is Rating.CONDITIONAL
    assert rated["share_alike"] is Rating.ALLOWED
    assert rated["registration_required"] is Rating.ALLOWED
    assert rated["naming_requirement"] is Rating.NONE
    assert rated["acceptable_use_policy_url"] is Rating.NONE


def test_ratings_of_a_conditional_licence():
    rated = ratings(LLAMA_2)
    assert rated["commercial_use"] is Rating.CONDITIONAL
    assert rated["mau_threshold"] is Rating.CONDITIONAL
    assert rated["outputs_train_other_models"] is Rating.CONDITIONAL
    assert rated["patent_grant"] is Rating.NOT_ALLOWED
    assert rated["acceptable_use_policy_url"] is Rating.CONDITIONAL


def test_ratings_of_forbidden_and_unrecorded_terms():
    rated = ratings(
        LicenseTerms(
            commercial_use=NOT_ALLOWED,
            modification_allowed=False,
            outputs_train_other_models=NOT_ALLOWED,
            naming_requirement="x",
        )
    )
    assert rated["commercial_use"] is Rating.NOT_ALLOWED
    assert rated["mau_threshold"] is Rating.NONE
    assert rated["modification_allowed"] is Rating.NOT_ALLOWED
    assert rated["outputs_train_other_models"] is Rating.NOT_ALLOWED
    assert rated["naming_requirement"] is Rating.CONDITIONAL
    assert rated["redistribution_allowed"] is Rating.UNKNOWN
    unknown = ratings(UNVERIFIED)
    assert unknown["commercial_use"] is Rating.UNKNOWN
    assert unknown["outputs_train_other_models"] is Rating.UNKNOWN
    assert unknown["attribution_required"] is Rating.UNKNOWN
    assert unknown["mau_threshold"] is Rating.NONE


# --- the clauses behind a term ------------------------------------------------------------


def test_a_single_quote_is_the_clause_of_every_field_it_backs():
    quote = CitedQuote(("patent_grant", "commercial_use"), "grants a patent license", "T", "u")
    (clause,) = clauses_for("commercial_use", [quote])
    assert (clause.text, clause.source_title, clause.source_url) == (
        "grants a patent license",
        "T",
        "u",
    )


def test_a_merged_quote_is_split_and_only_the_matching_part_kept():
    merged = CitedQuote(
        ("commercial_use", "mau_threshold", "outputs_train_other_models"),
        QUOTE_SEPARATOR.join(
            [
                "greater than 700 million monthly active users",
                "any output or results of the Llama Materials",
            ]
        ),
    )
    assert [c.text for c in clauses_for("mau_threshold", [merged])] == [
        "greater than 700 million monthly active users"
    ]
    assert [c.text for c in clauses_for("outputs_train_other_models", [merged])] == [
        "any output or results of the Llama Materials"
    ]


def test_a_merged_quote_with_no_matching_part_gives_no_clause():
    merged = CitedQuote(("acceptable_use_policy_url",), f"one{QUOTE_SEPARATOR}two")
    assert clauses_for("acceptable_use_policy_url", [merged]) == ()


def test_quotes_that_do_not_back_the_term_or_are_empty_give_no_clause():
    quotes = [CitedQuote(("patent_grant",), "patent license"), CitedQuote(("share_alike",), " ")]
    assert clauses_for("share_alike", quotes) == ()
    assert clauses_for("commercial_use", quotes) == ()
