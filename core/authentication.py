"""Token authentication for the API, MCP and the response cache: hashed, expiring, revocable
tokens (core.models.ApiToken); an invalid token is refused, never treated as anonymous."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.models import ApiToken, hash_token

INVALID_TOKEN = _("Invalid, expired or revoked token.")
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <token>``; the token is looked up by its SHA-256 hash."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(key)).first()
        if token is None or not token.is_active or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
