"""Pages outside the public site obey the same rule: nothing loads from another origin."""

import pytest

from tests.browser.conftest import EDITOR

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/api/schema/swagger/", ".swagger-ui .info"),
        ("/admin/login/", "#login-form"),
    ],
)
def test_api_docs_and_admin_load_only_from_this_origin(page, path, ready):
    response = page.goto(path)
    assert response.status == 200
    page.wait_for_selector(ready)


def test_every_page_sends_a_content_security_policy(page):
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_editors_admin_pages_load_only_from_this_origin(page):
    page.goto("/admin/login/")
    page.fill("#id_username", EDITOR[0])
    page.fill("#id_password", EDITOR[1])
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.goto("/admin/catalog/modelvariant/")
    page.wait_for_selector("#result_list")
    page.click("#result_list tbody tr th a")
    page.wait_for_selector("#modelvariant_form")
    page.goto("/admin/catalog/modelversion/add/")
    page.wait_for_selector("#modelversion_form")
