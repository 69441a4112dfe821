"""Browser journeys in a real headless Chromium (Debian's package, driven by Playwright).

The registry is served by a live server thread against the test database, which holds the
curated catalog (committed, so the server's own connection sees it) for the whole package and
is emptied again afterwards. Every page a journey opens is watched: a request to another
origin, a Content Security Policy violation or a JavaScript error fails the test. Screenshots
(desktop and phone width) go to BROWSER_ARTIFACTS_DIR (default test-artifacts/screenshots).
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS_DIR") or ROOT / "test-artifacts/screenshots")
# `make screenshots` also keeps a light copy (first screen, JPEG) for docs/screenshots/.
DOCS_SCREENSHOTS = os.environ.get("BROWSER_DOCS_DIR")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
EDITOR = ("browser-editor", "a long browser passphrase")
CHROMIUM_MISSING = (
    "Chromium was not found. Install Debian's package (apt-get install chromium fonts-noto-cjk) "
    "or point CHROMIUM_PATH at a Chromium binary."
)


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="package")
def registry_server(curated_catalog_snapshot, django_db_blocker):
    """A live server over the test database holding the curated catalog and its
    recommendations; yields the server's base URL."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    from tests.catalog_snapshot import committed_catalog

    with django_db_blocker.unblock():
        with committed_catalog(curated_catalog_snapshot):
            get_user_model().objects.create_superuser(EDITOR[0], password=EDITOR[1])
            server = LiveServer("127.0.0.1")
            server._live_server_modified_settings.enable()
            try:
                yield server.url
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        # The editor, and any account a journey made through the live server (single sign-on
        # creates one); the test database holds no other.
        get_user_model().objects.all().delete()
        # Under Playwright's event loop this connection is a context-local of its own, which
        # Django's final teardown would not close.
        connection.close()


@pytest.fixture(scope="package")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    # Playwright's sync API runs an event loop in the test thread; Django refuses database
    # access from a thread with a running loop unless told it is safe (it is: the loop is
    # Playwright's). Only for these tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable,
                # Running as root in a container: Chromium's sandbox needs user namespaces.
                args=["--no-sandbox", "--disable-dev-shm-usage"],
            )
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class PageWatch:
    """What a page did that it must not: other origins, CSP violations, script errors."""

    def __init__(self, origin: str, *also: str):
        self.origin = origin
        # Other origins a journey visits on purpose (a single sign-on provider).
        self.also = also
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_responses: list[str] = []

    def attach(self, page) -> None:
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _request(self, request) -> None:
        url = request.url
        if not url.startswith((self.origin, *self.also, "data:", "about:")):
            self.foreign_requests.append(url)

    def _response(self, response) -> None:
        # A page may answer 4xx on purpose (a bad form is a 400); its assets may not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_responses.append(f"{response.status} {response.url}")

    def _console(self, message) -> None:
        if message.text.startswith("Failed to load resource"):
            return  # reported with its URL by _response
        if message.type == "error":
            self.console_errors.append(message.text)

    def assert_clean(self) -> None:
        problems = {
            "requests to another origin": self.foreign_requests,
            "console errors (CSP violations among them)": self.console_errors,
            "JavaScript errors": self.page_errors,
            "assets that failed to load": self.failed_responses,
        }
        found = {name: items for name, items in problems.items() if items}
        assert not found, found


def _new_page(chromium, registry_server, viewport, **context_options):
    context = chromium.new_context(
        viewport=viewport, base_url=registry_server, locale="en-GB", **context_options
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = PageWatch(registry_server)
    watch.attach(page)
    return context, page, watch


@pytest.fixture
def page(chromium, registry_server):
    """A desktop-sized page; fails the test on foreign requests, CSP violations and errors."""
    context, page, watch = _new_page(chromium, registry_server, DESKTOP)
    yield page
    context.close()
    watch.assert_clean()


@pytest.fixture
def phone_page(chromium, registry_server):
    context, page, watch = _new_page(
        chromium, registry_server, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    context.close()
    watch.assert_clean()


@pytest.fixture
def no_js_page(chromium, registry_server):
    context, page, watch = _new_page(chromium, registry_server, DESKTOP, java_script_enabled=False)
    yield page
    context.close()
    watch.assert_clean()


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves ``name.png`` (full page) under the artefacts folder,
    and ``name.jpg`` (the first screen) under BROWSER_DOCS_DIR when that is set."""

    def save(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if DOCS_SCREENSHOTS:
            Path(DOCS_SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(DOCS_SCREENSHOTS) / f"{name}.jpg"), quality=70)
        return path

    return save
