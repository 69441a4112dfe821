"""The "may we…" checker's form: which licence (or which model's licence) and what for.

It is the catalog's (with the checker's page, ``catalog/views/license_check.py``) because it
picks a model by its key and answers under the model's effective licence: catalog records, and
the catalog sits above the licences, whose terms and rules (``licenses.checker``) it applies.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from catalog.keys import variant_key
from licenses.checker import EUROPEAN_UNION
from licenses.models import License

# Error messages users see (tests assert on them).
CHOOSE_ONE = _("Choose a licence or a model.")
CHOOSE_NOT_BOTH = _("Choose either a licence or a model, not both.")
UNKNOWN_LICENSE = _("There is no published licence “%(value)s”.")
UNKNOWN_VARIANT = _(
    "There is no published model “%(value)s”. Use its key, family/version/variant, "
    "for example llama/llama-2/llama-2-7b."
)
NO_LICENSE_RECORDED = _("No published licence is recorded for %(model)s yet.")
BAD_USER_COUNT = _("Enter a number of monthly active users, such as 800000000, 800M or 1.5B.")
NEGATIVE_USER_COUNT = _("The number of monthly active users cannot be negative.")
TOO_MANY_USERS = _("Enter at most 100 billion monthly active users.")

MAX_MONTHLY_USERS = 10**11  # far above any real product; keeps the number a bigint
# 800000000, 800,000,000, 800 000 000, 800M, 1.5B, 5k, and the Chinese 8亿 and 3000万.
_USER_COUNT = re.compile(r"^(-?)\s*(\d+(?:\.\d+)?)\s*([kmb万亿])?$", re.IGNORECASE)
_GROUPED = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?[kmb万亿]?$", re.IGNORECASE)
_SCALE = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "万": 10**4, "亿": 10**8}


class UserCountField(forms.Field):
    """A number of users: digits with optional thousands separators, or 800M, 1.5B, 8亿."""

    widget = forms.TextInput(attrs={"autocomplete": "off"})

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        compact = re.sub(r"[_\s]", "", text)
        if "," in compact and not _GROUPED.match(compact):
            # "1,5B" is not 15B: commas only count as thousands separators.
            raise forms.ValidationError(BAD_USER_COUNT, code="invalid")
        match = _USER_COUNT.match(compact.replace(",", ""))
        if not match:
            raise forms.ValidationError(BAD_USER_COUNT, code="invalid")
        sign, number, suffix = match.groups()
        try:
            users = Decimal(number) * _SCALE[(suffix or "").lower()]
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise forms.ValidationError(BAD_USER_COUNT, code="invalid") from None
        if sign and users:
            raise forms.ValidationError(NEGATIVE_USER_COUNT, code="min_value")
        if users > MAX_MONTHLY_USERS:
            raise forms.ValidationError(TOO_MANY_USERS, code="max_value")
        if users != users.to_integral_value():
            raise forms.ValidationError(BAD_USER_COUNT, code="invalid")
        return int(users)


def territory_choices() -> list[tuple[str, str]]:
    """The European Union first, then every country by its name in the active language."""
    union = str(countries.name(EUROPEAN_UNION))
    return [
        ("", str(_("— anywhere —"))),
        (EUROPEAN_UNION, union),
        *((str(code), str(name)) for code, name in countries if code != EUROPEAN_UNION),
    ]


class LicenseCheckForm(forms.Form):
    """Pick a licence, or a model whose effective licence is used, and the intended use.

    ``licenses`` are the licences the user may see (with their citations), ``variants`` the
    variants (with version and family); both are loaded once by the view.
    """

    license = forms.CharField(
        label=_("Licence"),
        required=False,
        widget=forms.Select,
    )
    variant = forms.CharField(
        label=_("or a model"),
        required=False,
        widget=forms.Select,
        help_text=_("The licence that applies to the model is used: its own, else its version's."),
    )
    monthly_users = UserCountField(
        label=_("Commercial product with this many monthly active users"),
        required=False,
        help_text=_("For example 800000000, 800M or 1.5B. Leave empty to skip this question."),
    )
    publish_finetune = forms.BooleanField(
        label=_("Fine-tune it and publish the weights"), required=False
    )
    train_other_models = forms.BooleanField(
        label=_("Use its outputs to train another model"), required=False
    )
    hosted_service = forms.BooleanField(label=_("Offer it as a hosted service"), required=False)
    territory = forms.ChoiceField(
        label=_("Use it in this territory"),
        required=False,
        help_text=_("A country, or the European Union as a whole. Leave empty to skip."),
    )

    def __init__(self, *args, licenses: list[License], variants: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.licenses = {license.slug: license for license in licenses}
        self.licenses_by_id = {license.pk: license for license in licenses}
        self.variants = {variant_key(variant): variant for variant in variants}
        self.fields["license"].widget.choices = [
            ("", _("— choose a licence —")),
            *((license.slug, license.localized("name")) for license in licenses),
        ]
        groups: dict[str, list[tuple[str, str]]] = {}
        for key, variant in self.variants.items():
            version = variant.version
            group = f"{version.family.localized('name')} · {version.localized('name')}"
            groups.setdefault(group, []).append((key, variant.name))
        self.fields["territory"].choices = territory_choices()
        self.fields["variant"].widget.choices = [
            ("", _("— choose a model —")),
            *groups.items(),
        ]

    def clean_license(self):
        slug = self.cleaned_data["license"].strip()
        if slug and slug not in self.licenses:
            raise forms.ValidationError(
                UNKNOWN_LICENSE, code="invalid_choice", params={"value": slug}
            )
        return self.licenses.get(slug)

    def clean_variant(self):
        key = self.cleaned_data["variant"].strip().strip("/")
        if key and key not in self.variants:
            raise forms.ValidationError(
                UNKNOWN_VARIANT, code="invalid_choice", params={"value": key}
            )
        return self.variants.get(key)

    def clean_territory(self):
        return self.cleaned_data["territory"] or None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        license, variant = cleaned.get("license"), cleaned.get("variant")
        if license is None and variant is None:
            raise forms.ValidationError(CHOOSE_ONE, code="required")
        if license is not None and variant is not None:
            raise forms.ValidationError(CHOOSE_NOT_BOTH, code="invalid")
        if variant is not None:
            license_id = variant.license_id or variant.version.license_id
            license = self.licenses_by_id.get(license_id)
            if license is None:
                # None recorded, or one the user may not see (a draft).
                self.add_error(
                    "variant",
                    forms.ValidationError(
                        NO_LICENSE_RECORDED, code="no_license", params={"model": variant.name}
                    ),
                )
                return cleaned
        cleaned["effective_license"] = license
        return cleaned
