"""Template context every public page needs."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def language_switch(request) -> dict:
    """``language_links``: each language with this very page's address in it.

    The address carries the language (``/zh-hans/…``; English unprefixed), so switching is a
    plain link: no cookie, no form, and every language version of a page is cacheable.
    """
    current = get_language()
    full_path = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "next": translate_url(full_path, code),
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ]
    }


def single_sign_on(request) -> dict:
    """``sso``: the provider's name for the sign-in page's button, when single sign-on is on."""
    return {"sso": {"name": settings.OIDC_PROVIDER_NAME} if settings.OIDC_ENABLED else None}
