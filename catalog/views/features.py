"""Architecture features and trends (scaffold: replaced by the page implementation)."""

from django.shortcuts import render


def _pending(request, **kwargs):
    return render(request, "pending.html", status=200)


feature_list = _pending
feature_detail = _pending
trends = _pending
