"""Hardware pages (scaffold: replaced by the page implementation)."""

from django.shortcuts import render


def _pending(request, **kwargs):
    return render(request, "pending.html", status=200)


fit = _pending
fit_config = _pending
index = _pending
sizing = _pending
accelerator_detail = _pending
profile_detail = _pending
