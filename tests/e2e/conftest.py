"""Browser tests: the app served on a free port, driven by Debian's headless Chromium.

Playwright's own browser download does not exist here; its Python package drives the system
Chromium (``/usr/bin/chromium``, installed by ``scripts/test``). Screenshots go to
``test-artifacts/e2e/<test name>/``.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.factory import create_app
from app.jobs.runner import InlineRunner
from app.services import demo_service, job_service
from tests.conftest import make_settings, truncate

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("HOUSING_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.e2e


class LiveServer:
    """The app on 127.0.0.1:<free port> in a thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="e2e-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(10)


def make_live_app(pg_url: str, **settings):
    """An app for a live server: synchronous jobs, demo users."""
    runner = InlineRunner(job_service.execute_batch, synchronous=True)
    app = create_app(make_settings(pg_url, **settings), runner=runner)
    with app.app_context():
        demo_service.load_demo_users()
    return app


_shared: dict = {}


def shared_chromium():
    """The one headless Chromium of this test process (Playwright gives it a fresh profile).

    Playwright's sync API allows one instance per thread, and other suites import the
    ``browser`` fixture into their own modules (each import is a fixture of its own), so every
    one of them hands out this same browser; it is closed when the process exits.
    """
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        if not Path(CHROMIUM).exists():
            pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/test installs Debian's chromium")
        playwright = sync_playwright().start()
        _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"])
        atexit.register(_close, playwright)
    return _shared["browser"]


def _close(playwright) -> None:
    _shared.pop("browser").close()
    playwright.stop()


@pytest.fixture(scope="session")
def browser():
    """The shared headless Chromium."""
    return shared_chromium()


class Actor:
    """One person in their own browser context: logs in, clicks, takes screenshots."""

    def __init__(self, browser, base_url: str, folder: Path, username: str | None, counter: list[int],
                 width: int = 1280):
        viewport = {"width": width, "height": 900 if width > 600 else 844}
        self.context = browser.new_context(locale="zh-CN", viewport=viewport)
        self.context.set_default_timeout(15000)
        self.page = self.context.new_page()
        self.base = base_url
        self.folder = folder
        self.username = username or "visitor"
        self.counter = counter
        self.console_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        if username:
            self.login(username)

    def goto(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def login(self, username: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", demo_service.DEMO_PASSWORD)
        self.page.click("button[type=submit].primary")
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, f"{username} could not log in"

    def shot(self, name: str) -> Path:
        self.counter[0] += 1
        path = self.folder / f"{self.counter[0]:02d}-{self.username}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def actors(browser, request):
    """``actors(base_url)("street_yz")`` → an :class:`Actor` logged in as that demo user."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    made: list[Actor] = []
    counter = [0]

    def bind(base_url: str):
        def make(username: str | None = None, width: int = 1280) -> Actor:
            actor = Actor(browser, base_url, folder, username, counter, width)
            made.append(actor)
            return actor

        return make

    yield bind
    for actor in made:
        actor.close()


@pytest.fixture
def live_db(pg_url):
    """The session's PostgreSQL database, emptied after the test."""
    yield pg_url
    truncate(pg_url)


def object_to(page, number: str, content: str) -> None:
    """On the 公示 page, open the objection form of case ``number`` and submit it as 钱多多."""
    page.click(f"[data-testid=object-{number}]")
    page.fill("input[name=objector_name]", "钱多多")
    page.fill("input[name=objector_id_number]", "11010519491231002X")
    page.fill("input[name=objector_phone]", "13912345678")
    page.fill("textarea[name=content]", content)
    page.click("[data-testid=submit-objection]")
