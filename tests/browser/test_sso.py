"""Single sign-on in a real browser: the sign-in page's button, the provider (a local OpenID
Connect server, tests/oidc_provider.py) and back into the admin as an editor."""

import pytest

from tests.browser.conftest import DESKTOP, PageWatch
from tests.oidc_provider import OIDCProvider
from tests.ops.test_sso import ALICE, BACKENDS

pytestmark = pytest.mark.django_db


# The live server commits the account it creates; the package's server fixture removes the
# accounts journeys made when the package ends.
def test_an_editor_signs_in_through_the_provider(chromium, registry_server, httpserver, settings):
    provider = OIDCProvider(httpserver)
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    provider.claims = {**ALICE, "sub": "browser-alice", "groups": ["registry-editors"]}
    context = chromium.new_context(viewport=DESKTOP, base_url=registry_server, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = PageWatch(registry_server, provider.issuer)
    watch.attach(page)
    try:
        page.goto("/admin/catalog/modelvariant/")
        page.get_by_role("link", name="Sign in with Example SSO").click()
        page.wait_for_selector("#result_list")
        assert page.url == f"{registry_server}/admin/catalog/modelvariant/"
        assert "alice" in page.locator("#user-tools").inner_text().lower()
    finally:
        context.close()
    watch.assert_clean()
