"""Request guards that run before anything touches the database."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """Answer 400 to a request with a NUL byte in its path, query or cookies.

    PostgreSQL text cannot hold NUL, so such input would otherwise fail deep inside a query
    (a session lookup, a slug) as a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = None
        if "\x00" in request.path:
            bad = "path"
        else:
            for name, values in request.GET.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    bad = name.replace("\x00", "")
                    break
            else:
                if any("\x00" in k or "\x00" in v for k, v in request.COOKIES.items()):
                    bad = "cookie"
        if bad is None:
            return self.get_response(request)
        message = _("Null characters are not allowed.")
        if request.path.startswith("/api/"):
            return JsonResponse({bad: [message]}, status=400)
        return HttpResponseBadRequest(message)


class PublicReadMiddleware:
    """With ``REGISTRY_PUBLIC_READ`` off, the public pages ask anonymous visitors to sign in
    (the API answers 401/403 by its own permission class; the admin has its own login)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_prefixes = (
            "/api/",
            "/static/",
            "/healthz",
            "/i18n/",
            "/admin/",
            *(f"/{code}/admin/" for code, _name in settings.LANGUAGES),
        )

    def __call__(self, request):
        if (
            not settings.REGISTRY_PUBLIC_READ
            and not request.path.startswith(self.open_prefixes)
            and not request.user.is_authenticated
        ):
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
