from django.conf import settings
from rest_framework import permissions


class RegistryPermission(permissions.DjangoModelPermissions):
    """Reads for everyone when REGISTRY_PUBLIC_READ is on (else signed-in users); writes for
    users with the model permission whose token, if any, is not read-only."""

    def allows_anonymous(self, method: str) -> bool:
        """Whether a client without credentials may call ``method`` (also what the OpenAPI
        schema says, core/api/schema.py)."""
        return method.upper() in permissions.SAFE_METHODS and settings.REGISTRY_PUBLIC_READ

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return self.allows_anonymous(request.method) or bool(
                request.user and request.user.is_authenticated
            )
        token = getattr(request, "auth", None)
        if getattr(token, "read_only", False):
            return False
        return super().has_permission(request, view)


class PublicReadComputation(permissions.BasePermission):
    """A POST that only computes (the estimate) is a read: anyone when REGISTRY_PUBLIC_READ is
    on, else signed-in users."""

    def allows_anonymous(self, method: str) -> bool:
        return settings.REGISTRY_PUBLIC_READ

    def has_permission(self, request, view):
        return self.allows_anonymous(request.method) or bool(
            request.user and request.user.is_authenticated
        )
