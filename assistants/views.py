"""The assistants page: how to connect an AI assistant to this registry."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse


def assistants(request):
    """How to connect an AI assistant to this registry's MCP endpoint (docs/mcp.md), with this
    deployment's own address filled in."""
    fit_example = reverse("hardware:fit") + (
        "?accelerator=nvidia-rtx-4090&count=2&precision=awq-int4&context_tokens=32768"
        "&commercial_use=allowed"
    )
    return render(
        request,
        "assistants.html",
        {
            "endpoint": request.build_absolute_uri(reverse("mcp")),
            "public_read": settings.REGISTRY_PUBLIC_READ,
            "fit_example": fit_example,
        },
    )
