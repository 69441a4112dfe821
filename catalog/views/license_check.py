"""The "may we…" checker: a licence, or a model's effective licence, and an intended use in;
an answer per question with the clause behind it out.

Its address, name and template are the licence pages' (``licenses:license_check``,
``templates/licenses/``), but it lives with the catalog: it picks a model among the variants
by key and answers under the model's effective licence (its own, else its version's), both
catalog matters, and the catalog sits above the licences, whose terms and rules it applies.
"""

from django.shortcuts import render

from catalog import selectors
from catalog.forms import LicenseCheckForm
from licenses.checker import IntendedUse, check
from licenses.selectors import license_detail
from licenses.terms import license_terms, shown_answer

# Models the checker's picker offers (the most recently released, and the one asked about):
# about 90 bytes an option.
CHECK_CHOICES = 120


def license_check(request):
    """The "may we…" checker: a licence (or a model's effective licence) and an intended use
    in, an answer per question with the clause behind it out. Bad input is explained on the
    page with status 400."""
    licenses = list(license_detail(user=request.user))
    # The picker offers the most recent models and the one asked about (the form validates
    # the key against them): the page stays small however many models there are.
    key = request.GET.get("variant", "").strip().strip("/").split("/")
    variants, variants_cut = selectors.license_check_picker(
        [tuple(key)] if len(key) == 3 else [], limit=CHECK_CHOICES, user=request.user
    )
    asked = any(name in request.GET for name in LicenseCheckForm.base_fields)
    form = LicenseCheckForm(request.GET if asked else None, licenses=licenses, variants=variants)
    context = {
        "form": form,
        "license": None,
        "variant": None,
        "answers": [],
        "variants_cut": variants_cut,
        "variants_limit": CHECK_CHOICES,
    }
    status = 200
    if asked and form.is_valid():
        data = form.cleaned_data
        license = data["effective_license"]
        use = IntendedUse(
            monthly_users=data["monthly_users"],
            publish_finetune=data["publish_finetune"],
            train_other_models=data["train_other_models"],
            hosted_service=data["hosted_service"],
            territory=data["territory"],
        )
        answers = check(license_terms(license), use)
        context.update(
            license=license,
            variant=data["variant"],
            via_override=bool(data["variant"] and data["variant"].license_id),
            answers=[shown_answer(answer, license, use) for answer in answers],
        )
    elif asked:
        status = 400
    return render(request, "licenses/license_check.html", context, status=status)
