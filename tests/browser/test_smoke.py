import pytest

pytestmark = pytest.mark.django_db


def test_home_loads_with_nothing_from_another_origin(page, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "smoke")
