"""API errors: Django validation, protected deletes and integrity errors as clear 4xx; JSON
404 for unknown API paths."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler

API_PREFIX = "/api/"


def registry_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        if "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        referrers = sorted(
            {f"{obj._meta.verbose_name}: {obj}" for obj in exc.protected_objects}
            if isinstance(exc, ProtectedError)
            else {f"{obj._meta.verbose_name}: {obj}" for obj in exc.restricted_objects}
        )
        return Response(
            {
                "detail": _("Cannot delete: other records refer to this one."),
                "referenced_by": referrers[:50],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        return Response(
            {
                "non_field_errors": [
                    _("The database refused the change: %(error)s")
                    % {"error": str(exc).splitlines()[0]}
                ]
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return exception_handler(exc, context)


def not_found(request, exception):
    """The project's 404 (``handler404``): under /api/ the API's JSON error, as DRF answers an
    unknown record; the HTML page everywhere else. Only unknown paths reach it: the API's
    views answer their own 404s."""
    if f"{request.path_info}/".startswith(API_PREFIX):
        return JsonResponse({"detail": NotFound.default_detail}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)
