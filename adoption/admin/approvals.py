"""The admin of approvals. Editors propose approvals (use cases: ``adoption.admin.usecases``);
the approvers (legal or compliance) decide them on the "Decide" page and work from the review
queue: open approvals oldest first, and allowing ones past their expiry date (re-review due)."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adoption.admin.mixins import (
    SelectorQuerysetMixin,
    ServiceRejected,
    ServiceWriteAdmin,
    badge,
    service_errors,
)
from adoption.choices import ALLOWING, DECISIONS, OPEN, ApprovalStatus
from adoption.display import frozen_answers_shown
from adoption.models import Approval
from adoption.models.approvals import EXPIRY_BEFORE_DECISION
from adoption.selectors import approval_list, license_at_decision
from adoption.services.approvals import (
    ApprovalInputError,
    approval_decide,
    approval_propose,
    approval_update,
    can_decide,
)

EXPIRING_WITHIN_DAYS = 30
DECIDED = _("Decision recorded: %(approval)s.")
# An approval's subject, fixed once proposed, and what its write paths and the decision record
# (read only in the form).
SUBJECT_FIELDS = ("use_case", "variant", "version")
RECORD_FIELDS = (
    "proposed_by",
    "reviewer",
    "decided_on",
    "expires_on",
    "license_slug",
    "created_at",
    "updated_at",
)
NO_RESTORE = _("An approval's earlier version is not restored: propose, review or decide it.")


# -- list filters -------------------------------------------------------------------------------


class AwaitingDecisionFilter(admin.SimpleListFilter):
    title = _("awaiting decision")
    parameter_name = "awaiting"

    def lookups(self, request, model_admin):
        return (("yes", _("Proposed or under review")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=list(OPEN))
        return queryset


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("re-review due")
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return (("yes", _("Re-review due")), ("no", _("Not due")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            # approval_list() annotates the flag (selectors.review_due_expression).
            return queryset.filter(review_due=self.value() == "yes")
        return queryset


class ExpiringFilter(admin.SimpleListFilter):
    title = _("expiry")
    parameter_name = "expiring"

    def lookups(self, request, model_admin):
        return (
            (
                "30",
                _("Expiring within %(days)s days") % {"days": EXPIRING_WITHIN_DAYS},
            ),
        )

    def queryset(self, request, queryset):
        if self.value() == "30":
            today = timezone.localdate()
            return queryset.filter(
                status__in=list(ALLOWING),
                expires_on__gt=today,
                expires_on__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
            )
        return queryset


# -- forms ----------------------------------------------------------------------------------------


class ApprovalForm(forms.ModelForm):
    """The editors' form: a proposal, or the notes, evaluations and open status of an approval.
    Its status offers the open statuses only; a decision is the approvers' own page."""

    class Meta:
        model = Approval
        fields = ("use_case", "variant", "version", "status", "conditions", "risk_notes", "results")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.fields.get("status")
        if status is not None:
            # Any status is accepted here and refused by the service, by name, on the field.
            offered = [c for c in ApprovalStatus.choices if c[0] in OPEN]
            current = self.instance.status if self.instance.pk else None
            if current in DECISIONS:
                offered.append((current, ApprovalStatus(current).label))
            status.widget.choices = offered


class DecideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("decision"),
        choices=[c for c in ApprovalStatus.choices if c[0] in DECISIONS],
    )
    conditions = forms.CharField(label=_("conditions"), required=False, widget=forms.Textarea)
    risk_notes = forms.CharField(label=_("risk notes"), required=False, widget=forms.Textarea)
    decided_on = forms.DateField(
        label=_("decided on"), required=False, help_text=_("Empty: today.")
    )
    expires_on = forms.DateField(
        label=_("expires on"), required=False, help_text=_("Re-review is due from this date.")
    )

    def clean(self):
        cleaned = super().clean()
        decided = cleaned.get("decided_on") or timezone.localdate()
        expires = cleaned.get("expires_on")
        if expires is not None and expires < decided:
            self.add_error("expires_on", EXPIRY_BEFORE_DECISION)
        return cleaned


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    for name, messages_ in service_errors(exc).items():
        for message in messages_:
            if name == "__all__" and message == str(EXPIRY_BEFORE_DECISION):
                name = "expires_on"
            form.add_error(name if name in form.fields else None, message)


def _frozen_answers(approval: Approval) -> list:
    """The licence answers frozen with the decision, in words (none before a decision)."""
    return frozen_answers_shown(approval, license_at_decision(approval))


# -- approvals ------------------------------------------------------------------------------------


@admin.register(Approval)
class ApprovalAdmin(SelectorQuerysetMixin, ServiceWriteAdmin):
    form = ApprovalForm
    list_selector = staticmethod(approval_list)
    list_display = (
        "pk",
        "use_case",
        "subject",
        "status_badge",
        "reviewer",
        "decided_on",
        "expires_on",
        "review_due_flag",
    )
    list_display_links = ("pk", "subject")
    list_filter = (
        "status",
        ("use_case", admin.RelatedOnlyFieldListFilter),
        AwaitingDecisionFilter,
        ReviewDueFilter,
        ExpiringFilter,
    )
    search_fields = ("use_case__name", "variant__name", "version__name", "conditions")
    autocomplete_fields = ("use_case", "variant", "version", "results")
    change_form_template = "admin/adoption/approval/change_form.html"
    change_list_template = "admin/adoption/approval/change_list.html"

    # -- reading

    @admin.display(description=_("subject"))
    def subject(self, approval):
        if approval.variant_id:
            return approval.variant.name
        return _("%(version)s (every variant)") % {"version": approval.version.name}

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, approval):
        return badge(approval.status, approval.get_status_display())

    @admin.display(description=_("re-review due"), boolean=True)
    def review_due_flag(self, approval):
        # approval_list() annotates ``review_due``; a row from elsewhere computes it.
        flag = getattr(approval, "review_due", None)
        return flag if isinstance(flag, bool) else approval.review_due_on()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("use_case", "variant", "version", "conditions", "risk_notes", "results")
        return (
            *SUBJECT_FIELDS,
            "status",
            "review_due_flag",
            "conditions",
            "risk_notes",
            "results",
            *RECORD_FIELDS,
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        readonly = (*SUBJECT_FIELDS, "review_due_flag", *RECORD_FIELDS)
        if not self.has_change_permission(request, obj):
            return (*readonly, "status", "conditions", "risk_notes", "results")
        return readonly

    # -- writing through the services

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                saved = approval_update(
                    approval=Approval.objects.get(pk=obj.pk),
                    user=request.user,
                    status=data.get("status"),
                    results=data.get("results"),
                    conditions=data.get("conditions", ""),
                    risk_notes=data.get("risk_notes", ""),
                )
            else:
                saved = approval_propose(
                    use_case=data["use_case"],
                    variant=data.get("variant"),
                    version=data.get("version"),
                    conditions=data.get("conditions", ""),
                    risk_notes=data.get("risk_notes", ""),
                    results=data.get("results") or (),
                    user=request.user,
                )
        except ValidationError as exc:
            raise ServiceRejected(service_errors(exc)) from exc
        obj.pk = saved.pk
        obj.status = saved.status

    def save_related(self, request, form, formsets, change):
        """The service set the evaluations; the form's many-to-many save would bypass it."""

    # -- history: shown, never restored (a decision is made on its own page)

    def history_view(self, request, object_id, extra_context=None):
        return super().history_view(
            request, object_id, {**(extra_context or {}), "can_restore": False}
        )

    def history_restore_view(self, request, object_id, event_id):
        raise PermissionDenied(NO_RESTORE)

    # -- pages

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "review-queue/",
                self.admin_site.admin_view(self.review_queue_view),
                name=f"{info}_review_queue",
            ),
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{info}_decide",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": can_decide(request.user)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        approval = self.get_object(request, unquote(object_id))
        extra = {"can_decide": can_decide(request.user)}
        if approval is not None:
            extra.update(
                license_answers=_frozen_answers(approval),
                results=list(approval.results.all()),
            )
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def review_queue_view(self, request):
        """Open approvals, oldest first, and allowing ones whose re-review is due."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        queryset = approval_list()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Review queue"),
            "awaiting": list(queryset.filter(status__in=list(OPEN)).order_by("created_at", "pk")),
            "due": list(
                queryset.filter(review_due=True).order_by("expires_on", "created_at", "pk")
            ),
            "can_decide": can_decide(request.user),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/adoption/approval/review_queue.html", context)

    def decide_view(self, request, object_id):
        """An approver's decision: status, conditions, risk notes and dates, through
        ``approval_decide``; errors on their fields, nothing written."""
        if not can_decide(request.user):
            raise PermissionDenied
        approval = self.get_object(request, unquote(object_id))
        if approval is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        initial = {
            "status": approval.status if approval.status in DECISIONS else None,
            "conditions": approval.conditions,
            "risk_notes": approval.risk_notes,
            "decided_on": timezone.localdate(),
            "expires_on": approval.expires_on,
        }
        form = DecideForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                decided = approval_decide(
                    approval=Approval.objects.get(pk=approval.pk),
                    status=data["status"],
                    user=request.user,
                    conditions=data["conditions"],
                    risk_notes=data["risk_notes"],
                    decided_on=data["decided_on"],
                    expires_on=data["expires_on"],
                )
            except (ApprovalInputError, ValidationError) as exc:
                _form_errors(form, exc)
            else:
                message = DECIDED % {"approval": decided}
                self.log_change(request, decided, str(message))
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:adoption_approval_change", args=[decided.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Decide: %(approval)s") % {"approval": self.subject(approval)},
            "approval": approval,
            "form": form,
            "license_answers": _frozen_answers(approval),
        }
        request.current_app = self.admin_site.name
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/adoption/approval/decide.html", context, status=status
        )
