"""Single sign-on through the company identity provider (OpenID Connect, mozilla-django-oidc).

Off unless ``OIDC_RP_CLIENT_ID`` is set (settings, "Single sign-on"). When it is off the two
routes answer 404 and the backend is not in ``AUTHENTICATION_BACKENDS``; local accounts work
either way.

Roles come from the provider: the groups claim (``OIDC_GROUPS_CLAIM``) is mapped to the
registry's roles on every sign-in, so a change at the provider takes effect at the next one.
A user in none of the mapped groups is signed in without staff status: they may read the
registry when public read is off, and nothing more.
"""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend, default_username_algo
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

logger = logging.getLogger(__name__)

# Registry roles, most powerful first; each is (setting naming the provider's groups, the
# Django group it grants). Admins are superusers and need no group.
ROLE_SETTINGS = (
    ("admin", "OIDC_ADMIN_GROUPS"),
    ("editor", "OIDC_EDITOR_GROUPS"),
    # Legal or compliance: decides approvals of the adoption layer, reads everything else.
    ("approver", "OIDC_APPROVER_GROUPS"),
    ("viewer", "OIDC_VIEWER_GROUPS"),
)
ROLE_GROUPS = ("editor", "approver", "viewer")


def provider_groups(claims: dict) -> set[str]:
    """The provider's group names for a user; a single string counts as one group."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return set()
    return {group for group in value if isinstance(group, str)}


def registry_role(claims: dict) -> str | None:
    """The most powerful registry role the provider's groups grant, or None."""
    groups = provider_groups(claims)
    for role, setting in ROLE_SETTINGS:
        if groups & set(getattr(settings, setting)):
            return role
    return None


class RegistryOIDCBackend(OIDCAuthenticationBackend):
    """Matches users by e-mail, names new ones after ``preferred_username`` and keeps their
    role in step with the provider's groups."""

    def verify_claims(self, claims):
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            return False
        # A provider that says the address is unverified is not trusted with it.
        return not (settings.OIDC_REQUIRE_VERIFIED_EMAIL and claims.get("email_verified") is False)

    def get_username(self, claims):
        wanted = claims.get("preferred_username")
        field = self.UserModel._meta.get_field("username")
        if (
            isinstance(wanted, str)
            and wanted
            and len(wanted) <= field.max_length
            and not self.UserModel.objects.filter(username__iexact=wanted).exists()
        ):
            try:
                for validator in field.validators:
                    validator(wanted)
            except ValidationError:
                logger.info("SSO: preferred_username is not a valid user name; using a hash")
            else:
                return wanted
        return default_username_algo(claims.get("email"), claims)

    @transaction.atomic
    def create_user(self, claims):
        user = self.UserModel.objects.create_user(self.get_username(claims), email=claims["email"])
        user.set_unusable_password()
        return self._apply_claims(user, claims)

    @transaction.atomic
    def update_user(self, user, claims):
        return self._apply_claims(user, claims)

    def _apply_claims(self, user, claims):
        role = registry_role(claims)
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.is_superuser = role == "admin"
        user.is_staff = role is not None
        user.save()
        keep = [role] if role in ROLE_GROUPS else []
        user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS).exclude(name__in=keep))
        if keep:
            user.groups.add(Group.objects.get(name=role))
        logger.info("SSO sign-in: user %s, role %s", user.pk, role or "reader")
        return user


def _require_sso() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("Single sign-on is not configured.")


class SSOAuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (404 when single sign-on is off)."""

    def get(self, request):
        _require_sso()
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. A provider that is down or answers something invalid sends the
    user back to the sign-in page with a message, never a 500."""

    def get(self, request):
        _require_sso()
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # A forged, replayed or unverifiable answer (state, nonce, signature, claims).
            logger.warning("SSO sign-in refused: %s", exc)
            return self.login_failure()
        except (requests.RequestException, jwt.InvalidTokenError, ValueError, KeyError) as exc:
            logger.warning("SSO sign-in failed: the provider's answer: %s", type(exc).__name__)
            return self.login_failure()


urlpatterns = [
    path("authenticate/", SSOAuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("callback/", SSOCallbackView.as_view(), name="oidc_authentication_callback"),
]
