"""Browsing the catalog (scaffold: replaced by the page implementation)."""

from django.shortcuts import render


def _pending(request, **kwargs):
    return render(request, "pending.html", status=200)


home = _pending
variant_list = _pending
version_list = _pending
family_list = _pending
family_detail = _pending
compare = _pending
