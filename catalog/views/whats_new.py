"""What's new: the catalog's changes by date, for people who check back (history-backed)."""

import datetime
from itertools import groupby

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.selectors.whats_new import catalog_changes

# The page shows this many days by default, and at most this many changes.
DEFAULT_DAYS = 30
MAX_CHANGES = 300
BAD_RANGE = _("The start date must not be after the end date.")


class ChangesForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(BAD_RANGE, code="invalid")
        return cleaned


def whats_new(request):
    """Changes to families, versions, variants and licences between two days (by default the
    last 30), newest first and grouped by day. Bad dates are explained with status 400."""
    today = timezone.now().date()
    form = ChangesForm(request.GET or None)
    status = 200
    since, until = today - datetime.timedelta(days=DEFAULT_DAYS), None
    if request.GET:
        if form.is_valid():
            since = form.cleaned_data["since"] or since
            until = form.cleaned_data["until"]
        else:
            status = 400
    changes, total = catalog_changes(since=since, until=until, user=request.user, limit=MAX_CHANGES)
    days = [(day, list(group)) for day, group in groupby(changes, key=lambda c: c.when.date())]
    context = {
        "form": form,
        "since": since,
        "until": until,
        "days": days,
        "total": total,
        "shown": len(changes),
    }
    return render(request, "catalog/whats_new.html", context, status=status)
