"""The adoption layer's pages under ``our/``: the landing page ("Our models"), the "Approved for
us" list and "May we use X for Y?".

Access: internal data, for signed-in staff who may read the adoption layer
(:func:`adoption.selectors.can_see_adoption`: viewers, editors, approvers). Everyone else gets
404, never 403 nor a sign-in redirect from these views, so that the pages do not reveal that
they exist: anonymous readers with ``REGISTRY_PUBLIC_READ`` on, and signed-in users without
the view permission. With public read off, ``core.middleware.PublicReadMiddleware`` sends an
anonymous reader to sign in before any view runs, as it does for every address, existing or
not. Answers carry ``Cache-Control: private`` and no-store (``never_cache``); the response
cache never stores a signed-in visitor's page anyway (``core/response_cache.py``).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from adoption import selectors
from adoption.choices import ALLOWING, OPEN, ApprovalStatus, EventKind
from adoption.extensions import admin_url, approval_rows, status_badge
from adoption.filters import ApprovalFilterSet
from adoption.forms import FollowForm
from adoption.models import UseCase
from adoption.services.approvals import answers_thawed
from adoption.services.subscriptions import (
    FOLLOWABLE_KINDS,
    subscription_follow,
    subscription_stop,
)
from catalog.keys import variant_key
from catalog.models import ModelVariant
from catalog.selectors import license_check_picker
from licenses.terms import shown_answer

PAGE_SIZE = 50  # rows per page, as the catalog's lists (catalog/views/listing.py)
# Models the picker offers: the most recently released and the one asked about, as the licence
# checker's (catalog/views/license_check.py).
PICKER_CHOICES = 120
# The filters the list shows, in order, where the FilterSet declares them.
SHOWN_FILTERS = ("q", "use_case", "status", "review_due", "family")
# The Atom feeds, by URL name (adoption/urls_feeds.py).
FEEDS = ("releases", "approvals", "endpoints", "mine")
DOWN_LISTED = 20  # endpoints down listed on the landing page

# Error messages users see (constants: the tests assert on them).
NOT_FOUND = gettext_lazy("Not found.")
UNKNOWN_MODEL = gettext_lazy("Unknown model “%(value)s”: choose one from the list.")
UNKNOWN_USE_CASE = gettext_lazy("Unknown use case “%(value)s”: choose one from the list.")
CHOOSE_BOTH = gettext_lazy("Choose a model and a use case.")
FOLLOWED = gettext_lazy("Followed: it is in your feed from now on.")
STOPPED = gettext_lazy("Stopped: it is no longer in your feed.")


def staff_only(view=None, *, methods=("GET", "HEAD")):
    """404 for anyone who may not read the adoption layer (see the module's docstring); 405
    for a method other than ``methods``, once the reader is known."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not selectors.can_see_adoption(request.user):
                raise Http404(str(NOT_FOUND))
            return require_http_methods(list(methods))(view)(request, *args, **kwargs)

        return never_cache(wrapped)

    return decorate(view) if view is not None else decorate


def _feed_links() -> list[tuple[str, str]]:
    """The Atom feeds (adoption/urls_feeds.py), with their addresses and names."""
    labels = {
        "releases": gettext("New releases"),
        "approvals": gettext("Approval changes"),
        "endpoints": gettext("Endpoints down and back up"),
        "mine": gettext("What I follow"),
    }
    return [(reverse(f"adoption_feeds:{name}"), labels[name]) for name in FEEDS]


@staff_only
def index(request):
    """ "Our models": approvals by status, those due for re-review, deployments and the
    endpoints that are down, with links to the list, "may we use" and the feeds. Five queries."""
    counts = selectors.approval_list().aggregate(
        total=Count("pk"),
        allowed=Count("pk", filter=Q(status__in=list(ALLOWING))),
        open=Count("pk", filter=Q(status__in=list(OPEN))),
        refused=Count("pk", filter=Q(status__in=[ApprovalStatus.REJECTED, ApprovalStatus.REVOKED])),
    )
    deployments = selectors.deployment_list().aggregate(
        active=Count("pk", filter=Q(status="active")), total=Count("pk")
    )
    # The re-review condition has one home, the selector's annotation (an aggregate's filter
    # cannot name an annotation): a count of its own.
    counts["review_due"] = selectors.approval_list().filter(review_due=True).count()
    down = list(selectors.deployments_down()[: DOWN_LISTED + 1])
    list_url = reverse("adoption:approval_list")
    return render(
        request,
        "adoption/index.html",
        {
            "counts": counts,
            "deployments": deployments,
            "down": down[:DOWN_LISTED],
            "down_cut": len(down) > DOWN_LISTED,
            "use_case_count": selectors.use_case_list().count(),
            "list_url": list_url,
            "review_due_url": f"{list_url}?review_due=true",
            "feeds": _feed_links(),
        },
    )


@staff_only
def approval_list(request):
    """ "Approved for us": every approval, filterable by use case, status, review due, family
    and text (``adoption.filters.ApprovalFilterSet``, the API's filters), 50 a page, each
    linking to the model's page. A fixed number of queries whatever the rows."""
    filterset = ApprovalFilterSet(request.GET or None, queryset=selectors.approval_list())
    valid = filterset.is_valid() if request.GET else True
    rows = filterset.qs if request.GET and valid else selectors.approval_list()
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "adoption/approval_list.html",
        {
            "filterset": filterset,
            "use_cases": selectors.use_case_list(),
            "statuses": ApprovalStatus.choices,
            "families": selectors.families_with_approvals(),
            "chosen": {name: request.GET.get(name, "") for name in SHOWN_FILTERS},
            "page_obj": page_obj,
            "rows": approval_rows(page_obj.object_list),
            "propose_url": admin_url("adoption_approval_add"),
        },
        status=200 if valid else 400,
    )


@staff_only
def may_we_use(request):
    """ "May we use X for Y?": pick a model and a use case; the answer is our decision first
    (the variant's own approval, else its version's: status, conditions, expiry, re-review,
    reviewer), then the licence's answers to the use case's questions with the clauses behind
    them. Bad input is explained on the page with status 400."""
    user = request.user
    key = request.GET.get("variant", "").strip()
    slug = request.GET.get("use_case", "").strip()
    # The form sends both; a model's page links here with its key alone, to preselect it.
    asked = "use_case" in request.GET
    parts = key.strip("/").split("/")
    variants, variants_cut = license_check_picker(
        [tuple(parts)] if len(parts) == 3 else [], limit=PICKER_CHOICES, user=user
    )
    use_cases = list(selectors.use_case_list())
    context = {
        "variant_choices": [(variant_key(v), v) for v in variants],
        "variants_cut": variants_cut,
        "variants_limit": PICKER_CHOICES,
        "use_cases": use_cases,
        "chosen_variant": key,
        "chosen_use_case": slug,
        "errors": [],
        "decision": None,
    }
    if not asked:
        return render(request, "adoption/may_we_use.html", context)
    errors = context["errors"]
    use_case = next((u for u in use_cases if u.slug == slug), None)
    variant = selectors.variant_for_answer(key, user) if key else None
    if not key or not slug:
        errors.append(str(CHOOSE_BOTH))
    if key and variant is None:
        errors.append(UNKNOWN_MODEL % {"value": key})
    if slug and use_case is None:
        errors.append(UNKNOWN_USE_CASE % {"value": slug})
    if errors:
        return render(request, "adoption/may_we_use.html", context, status=400)
    context.update(_answer(variant, use_case))
    return render(request, "adoption/may_we_use.html", context)


def _answer(variant: ModelVariant, use_case: UseCase) -> dict:
    decision = selectors.may_we_use(variant, use_case)
    approval = decision.approval
    license = decision.license
    use = use_case.intended_use()
    answers = [shown_answer(answer, license, use) for answer in decision.license_answers]
    changed = False
    if approval is not None and approval.decided_on is not None:
        frozen = {a.question: a.verdict for a in answers_thawed(approval.license_answers)}
        now = {a.question: a.verdict for a in decision.license_answers}
        changed = approval.license_slug != (license.slug if license else "") or frozen != now
    propose_url = admin_url("adoption_approval_add")
    if propose_url:
        propose_url += f"?variant={variant.pk}&use_case={use_case.pk}"
    return {
        "decision": decision,
        "variant": variant,
        "use_case": use_case,
        "approval_row": approval_rows([approval])[0] if approval is not None else None,
        "allowed_by_us": decision.allowed_by_us,
        "decision_badge": status_badge(approval.status) if approval is not None else "",
        "license": license,
        "license_inherited": license is not None and variant.license_id is None,
        "answers": answers,
        "answers_changed": changed,
        "propose_url": propose_url,
    }


def _follow_form(request, data=None) -> FollowForm:
    labels = dict(EventKind.choices)
    return FollowForm(
        data,
        families=selectors.followable_families(request.user),
        use_cases=selectors.use_case_list(),
        deployments=selectors.deployment_list().order_by("name", "pk"),
        kinds=[(kind.value, labels[kind]) for kind in FOLLOWABLE_KINDS],
        initial={"family": request.GET.get("family", "")},
    )


@staff_only(methods=("GET", "HEAD", "POST"))
def following(request):
    """ "What I follow": the reader's own subscriptions (the "mine" feed) and a form to follow
    a family, a use case, a deployment or everything, for chosen kinds of event. A bad choice
    is named on its field with status 400, and nothing is written. ``?family=<slug>``
    preselects a family."""
    form = _follow_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription_follow(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, FOLLOWED)
            return redirect("adoption:following")
    return render(
        request,
        "adoption/following.html",
        {
            "form": form,
            "subscriptions": selectors.subscriptions_of(request.user),
            "kind_labels": dict(EventKind.choices),
            "mine_feed": reverse("adoption_feeds:mine"),
        },
        status=400 if form.errors else 200,
    )


@staff_only(methods=("POST",))
def following_stop(request, pk: int):
    """Stop one of the reader's own subscriptions; 404 for any other."""
    if not subscription_stop(user=request.user, subscription_id=pk):
        raise Http404(str(NOT_FOUND))
    messages.success(request, STOPPED)
    return redirect("adoption:following")
