"""The licence MCP tool: "may we…" about a licence or a model's effective licence, answered from
the structured terms with the quoted clauses (the licence checker page's answer)."""

from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import Field

from assistants.adoption_tools import decisions_for_variant
from assistants.common import (
    acting_user,
    find_variant,
    form_errors,
    license_brief,
    variant_key,
)
from assistants.schemas import Clause, LicenseAnswer, LicenseCheck, LicenseReason
from catalog.forms import LicenseCheckForm
from catalog.selectors import license_check_variants
from licenses.checker import IntendedUse, check
from licenses.models import License
from licenses.selectors import license_detail
from licenses.terms import license_terms, shown_answer

# The tool's argument names for the checker form's fields.
FORM_ARGUMENTS = {"variant": "model", "monthly_users": "monthly_active_users"}


def check_license_use(
    license: Annotated[str | None, Field(description="a licence slug, e.g. apache-2-0")] = None,
    model: Annotated[
        str | None,
        Field(description="or a model, family/version/variant: its effective licence is used"),
    ] = None,
    monthly_active_users: Annotated[
        int | str | None,
        Field(
            description="a commercial product with this many monthly active users "
            "(800000000, 800M, 1.5B); leave out to skip that question"
        ),
    ] = None,
    publish_finetune: Annotated[
        bool, Field(description="fine-tune and publish the weights")
    ] = False,
    train_other_models: Annotated[
        bool, Field(description="use the model's outputs to train another model")
    ] = False,
    hosted_service: Annotated[bool, Field(description="offer it to others as a service")] = False,
    territory: Annotated[
        str | None,
        Field(
            description="use it in this territory: an ISO 3166-1 alpha-2 country code (DE, GB, "
            "KR) or EU for the European Union as a whole; leave out to skip that question"
        ),
    ] = None,
) -> LicenseCheck:
    """May we use it so? Each question asked (none asked: all of them) gets yes, no,
    conditional or unknown, with the reasons and the licence clauses behind them. From the terms
    editors recorded; not legal advice. With a model, signed-in staff also get our_decisions:
    the company's approvals covering it, which come before the licence's answers."""
    user = acting_user()
    variant = None
    if model:
        variant = find_variant(model, argument="model", queryset=license_check_variants(user=user))
    licenses = list(license_detail(user=user))
    data = {
        "license": license or "",
        "variant": variant_key(variant) if variant else "",
        "monthly_users": "" if monthly_active_users is None else str(monthly_active_users),
        "publish_finetune": publish_finetune,
        "train_other_models": train_other_models,
        "hosted_service": hosted_service,
        "territory": (territory or "").strip().upper(),
    }
    form = LicenseCheckForm(data, licenses=licenses, variants=[variant] if variant else [])
    if not form.is_valid():
        raise form_errors(form.errors, {**FORM_ARGUMENTS, "__all__": "license"})
    cleaned = form.cleaned_data
    chosen: License = cleaned["effective_license"]
    use = IntendedUse(
        monthly_users=cleaned["monthly_users"],
        publish_finetune=publish_finetune,
        train_other_models=train_other_models,
        hosted_service=hosted_service,
        territory=cleaned["territory"],
    )
    answers = []
    for answer in check(license_terms(chosen), use):
        shown = shown_answer(answer, chosen, use)
        answers.append(
            LicenseAnswer(
                question=str(shown.question),
                question_text=str(shown.text),
                verdict=shown.verdict,
                verdict_text=shown.verdict_text,
                reasons=[
                    LicenseReason(
                        reason=str(found.reason),
                        message=str(shown_finding.message),
                        term=shown_finding.clause_key,
                        clauses=[
                            Clause(
                                text=c.text, source_title=c.source_title, source_url=c.source_url
                            )
                            for c in shown_finding.clauses
                        ],
                    )
                    for found, shown_finding in zip(answer.findings, shown.findings, strict=True)
                ],
            )
        )
    return LicenseCheck(
        license=license_brief(chosen),
        model=variant_key(variant) if variant else None,
        answers=answers,
        our_decisions=decisions_for_variant(variant) if variant else [],
        disclaimer=" ".join(
            (
                _("This is not legal advice."),
                _(
                    "Answers come from the terms editors recorded and the clauses they quoted; "
                    "the licence text decides. Ask your legal team before you rely on it."
                ),
            )
        ),
    )
