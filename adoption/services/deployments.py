"""The write path of deployments: where a variant runs inside the company. Editors write the
fields below (admin and API); the health fields are the health check's own
(``adoption.services.health``)."""

from __future__ import annotations

from django.db import transaction

from adoption.models import Deployment

# The fields an editor writes, by group (the admin's fieldsets, the API's writable fields).
DEPLOYMENT_SERVING_FIELDS = (
    "endpoint_url",
    "api_key",  # written, never read back (admin and API)
    "engine",
    "engine_version",
    "profile",
    "precision",
    "max_context_tokens",
)
DEPLOYMENT_OWNER_FIELDS = ("owner_team", "owner_contact")
DEPLOYMENT_FIELDS = (
    "name",
    "variant",
    "environment",
    *DEPLOYMENT_SERVING_FIELDS,
    *DEPLOYMENT_OWNER_FIELDS,
    "status",
)


def deployment_upsert(*, deployment: Deployment | None = None, **fields) -> Deployment:
    """Create a deployment, or change ``deployment``; ``fields`` are :data:`DEPLOYMENT_FIELDS`
    by name (the variant and profile as rows). ``full_clean()`` then ``save()``, in one
    transaction.

    Raises :class:`django.core.exceptions.ValidationError` naming each bad field (nothing is
    written then), and :class:`TypeError` for a field that is not an editor's.
    """
    unknown = set(fields) - set(DEPLOYMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown deployment fields: {sorted(unknown)}")
    deployment = deployment if deployment is not None else Deployment()
    for name, value in fields.items():
        setattr(deployment, name, value)
    with transaction.atomic():
        deployment.full_clean()
        deployment.save()
    return deployment
