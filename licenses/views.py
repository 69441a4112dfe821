"""Licence pages (scaffold: replaced by the page implementation)."""

from django.shortcuts import render


def _pending(request, **kwargs):
    return render(request, "pending.html", status=200)


license_list = _pending
license_check = _pending
license_detail = _pending
