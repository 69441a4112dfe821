"""The editor's review form for a release candidate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.ingest.diff import REVIEW_FIELDS
from catalog.models import ModelVersion, ReleaseCandidate

EXISTING, NEW = "existing", "new"
CHOOSE_TARGET = _("Choose an existing version or fill in the new one.")
NEW_VERSION_INCOMPLETE = _("A new version needs its family, slug and name.")


class CandidateReviewForm(forms.Form):
    """Which proposed fields and results to accept, where a new variant goes, and whether to
    publish. The results offered are the candidate's proposed ones, by key; which of them may
    be accepted is the review's to say (``accepted_results`` preselects those)."""

    revision = forms.CharField(widget=forms.HiddenInput)
    fields = forms.MultipleChoiceField(
        label=_("Accept"), required=False, widget=forms.CheckboxSelectMultiple
    )
    results = forms.MultipleChoiceField(
        label=_("Accept results"), required=False, widget=forms.CheckboxSelectMultiple
    )
    target = forms.ChoiceField(
        label=_("Put the new variant in"),
        choices=((EXISTING, _("an existing version")), (NEW, _("a new version"))),
        widget=forms.RadioSelect,
        required=False,
    )
    version = forms.ModelChoiceField(
        label=_("Existing version"),
        queryset=ModelVersion.objects.select_related("family").order_by("family__name", "name"),
        required=False,
    )
    new_version_family = forms.SlugField(label=_("New version: family slug"), required=False)
    new_version_slug = forms.SlugField(label=_("New version: slug"), required=False)
    new_version_name = forms.CharField(label=_("New version: name"), max_length=120, required=False)
    publish = forms.BooleanField(
        label=_("Publish the new records"),
        required=False,
        initial=True,
        help_text=_("Unticked, a new variant (and version) is saved as a draft to finish later."),
    )
    note = forms.CharField(
        label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args,
        candidate: ReleaseCandidate,
        accepted_results: list[str] | None = None,
        **kwargs,
    ):
        self.candidate = candidate
        guess = candidate.facts.get("version_guess") or {}
        initial = {
            "revision": candidate.revision,
            "fields": list(candidate.diff),
            "target": EXISTING if candidate.version_id else NEW,
            "version": candidate.version_id,
            "new_version_family": (
                candidate.publisher.default_family.slug
                if candidate.publisher and candidate.publisher.default_family_id
                else guess.get("family") or candidate.facts.get("family_guess", "")
            ),
            # Prefilled from the guess only when the guess is not a version the catalog has.
            "new_version_slug": "" if candidate.version_id else guess.get("slug", ""),
            "new_version_name": "" if candidate.version_id else guess.get("name", ""),
            "publish": True,
            "results": list(accepted_results or []),
        }
        super().__init__(*args, initial=initial, **kwargs)
        order = {name: i for i, name in enumerate(REVIEW_FIELDS)}
        self.fields["fields"].choices = [
            (name, name) for name in sorted(candidate.diff, key=lambda n: order.get(n, len(order)))
        ]
        self.fields["results"].choices = [
            (row["key"], row["key"])
            for row in candidate.proposed_results
            if isinstance(row, dict) and isinstance(row.get("key"), str)
        ]
        if candidate.variant_id is not None:
            for name in ("target", "version", "new_version_family", "new_version_slug"):
                del self.fields[name]
            del self.fields["new_version_name"]
            del self.fields["publish"]

    @property
    def is_new_variant(self) -> bool:
        return self.candidate.variant_id is None

    def clean(self):
        data = super().clean()
        if not self.is_new_variant or self.data.get("action") == "reject":
            return data
        if data.get("target") == NEW:
            missing = [
                name
                for name in ("new_version_family", "new_version_slug", "new_version_name")
                if not data.get(name)
            ]
            for name in missing:
                self.add_error(name, NEW_VERSION_INCOMPLETE)
        elif not data.get("version"):
            self.add_error("version", CHOOSE_TARGET)
        return data
