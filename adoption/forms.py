"""Forms of the adoption layer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from adoption.services.artifacts import (
    MAX_MANIFEST_BYTES,
    ArtifactInputError,
    manifest_parse,
)

# Error messages users see (constants: the tests assert on them).
MANIFEST_REQUIRED = _("Upload a manifest file or paste its text.")
MANIFEST_NOT_BOTH = _("Upload a manifest file or paste its text, not both.")
MANIFEST_FILE_TOO_LARGE = _("The file is %(size)s KB; at most %(limit)s KB is accepted.")
MANIFEST_FILE_NOT_TEXT = _("The file is not UTF-8 text; upload sha256sum output or JSON.")


class ManifestUploadForm(forms.Form):
    """A manifest to verify an artifact against (or to record its files from): an uploaded
    file or pasted text. ``cleaned_data["manifest_text"]`` is the text, already parsed once so
    that a bad line is shown on the form; ``cleaned_data["entries"]`` the files it lists."""

    manifest = forms.FileField(
        label=_("Manifest file"),
        required=False,
        help_text=_(
            "sha256sum output or a SHA256SUMS file, a JSON list of path, sha256 and size, or a "
            "Hugging Face file listing (siblings)."
        ),
    )
    manifest_text = forms.CharField(
        label=_("Or paste the manifest"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 100, "spellcheck": "false"}),
    )

    def clean_manifest(self):
        upload = self.cleaned_data.get("manifest")
        if upload is None:
            return None
        limit_kb = MAX_MANIFEST_BYTES // 1024
        if upload.size > MAX_MANIFEST_BYTES:
            raise forms.ValidationError(
                MANIFEST_FILE_TOO_LARGE,
                code="too_large",
                params={"size": (upload.size + 1023) // 1024, "limit": limit_kb},
            )
        data = upload.read(MAX_MANIFEST_BYTES + 1)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(MANIFEST_FILE_NOT_TEXT, code="not_text") from None

    def clean(self):
        cleaned = super().clean()
        from_file = cleaned.get("manifest")
        pasted = cleaned.get("manifest_text") or ""
        if self.errors:
            return cleaned
        if from_file is not None and pasted.strip():
            raise forms.ValidationError(MANIFEST_NOT_BOTH, code="both")
        text = from_file if from_file is not None else pasted
        if not text.strip():
            raise forms.ValidationError(MANIFEST_REQUIRED, code="required")
        field_name = "manifest" if from_file is not None else "manifest_text"
        try:
            cleaned["entries"] = manifest_parse(text)
        except ArtifactInputError as exc:
            self.add_error(field_name, exc.errors["manifest"])
            return cleaned
        cleaned["manifest_text"] = text
        return cleaned


class LocalizedChoiceField(forms.ModelChoiceField):
    """A curated record's name in the active language (its ``localized`` name)."""

    def label_from_instance(self, obj):
        return obj.localized("name")


class FollowForm(forms.Form):
    """What a reader follows ("What I follow"): one family, use case or deployment, or
    everything, and the kinds of event (none ticked: every kind). The choices are the
    caller's (what the reader may see)."""

    family = LocalizedChoiceField(
        label=_("Family"),
        queryset=None,
        required=False,
        to_field_name="slug",
        empty_label=_("— no family —"),
    )
    use_case = forms.ModelChoiceField(
        label=_("Use case"),
        queryset=None,
        required=False,
        to_field_name="slug",
        empty_label=_("— no use case —"),
    )
    deployment = forms.ModelChoiceField(
        label=_("Deployment"),
        queryset=None,
        required=False,
        empty_label=_("— no deployment —"),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of event"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )

    def __init__(self, *args, families, use_cases, deployments, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["family"].queryset = families
        self.fields["use_case"].queryset = use_cases
        self.fields["deployment"].queryset = deployments
        self.fields["kinds"].choices = kinds
