"""Version and variant pages (scaffold: replaced by the page implementation)."""

from django.shortcuts import render


def _pending(request, **kwargs):
    return render(request, "pending.html", status=200)


version_detail = _pending
variant_detail = _pending
