"""The report in a real browser: the system's headless Chromium, driven by Playwright, offline.

Playwright never downloads a browser here: it starts the Chromium found on the PATH (Debian's
``chromium`` package; ENTITY_PIPELINE_CHROMIUM names another) with a fresh temporary profile,
and the page's context is offline. Every request the page makes is recorded; only the file
itself (and the ``blob:`` URL through which itables loads its inlined module) may appear.
Screenshots are kept as artefacts: in ENTITY_PIPELINE_ARTEFACTS when set, else in pytest's
temporary folder; their paths are printed (``pytest -s`` or ``-rP`` shows them).

Without Chromium or Playwright the tests skip, except on CI (CI=true), where ``.ci/run``
installs Chromium and a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE, SAMPLE_ENTITIES, SAMPLE_MENTIONS, run_cli
from report_support import HOSTILE, dated_out, hostile_out, sample_out  # noqa: F401

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TOP_ENTITY = {"top-0": "Kassym-Jomart Tokajew", "top-1": "Kasachstan", "top-2": "ODKB"}


def chromium() -> str | None:
    for name in (os.environ.get("ENTITY_PIPELINE_CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if executable is None or sync_playwright is None:
        reason = ("no Chromium found (apt-get install chromium, or set "
                  "ENTITY_PIPELINE_CHROMIUM)" if executable is None else
                  "Playwright is not installed (pip install '.[test]')")
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the browser test: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium_browser = playwright.chromium.launch(executable_path=executable,
                                                      args=CHROMIUM_ARGS)
        yield chromium_browser
        chromium_browser.close()


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    folder = os.environ.get("ENTITY_PIPELINE_ARTEFACTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Visit:
    """One page opened offline, with what it logged, requested and tried to pop up; a context
    manager that closes the page's browser context."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda message: self.problems.append(
            f"console {message.type}: {message.text}") if message.type in ("error", "warning")
            else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri(), wait_until="load")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def wait_for_report(self) -> None:
        self.page.wait_for_selector("table#entity-table.dataTable", timeout=60_000)
        self.page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot svg.main-svg').length > 0")

    def text(self, selector: str) -> str:
        return self.page.eval_on_selector(selector, "element => element.textContent")

    def outside_requests(self, path: Path) -> list[str]:
        return [url for url in self.requests
                if url != path.as_uri() and not url.startswith("blob:")]

    def __enter__(self) -> "Visit":
        return self

    def __exit__(self, *exc_info) -> None:
        self.context.close()


def test_sample_report_renders_offline(browser, sample_out, artefacts):
    report = sample_out / "report.html"
    with Visit(browser, report) as visit:
        visit.wait_for_report()
        for chart in [*TOP_ENTITY, "network-chart"]:
            assert visit.page.locator(f"#{chart} svg.main-svg").count() >= 1, chart
        for chart, name in TOP_ENTITY.items():  # the top entity of each label is shown
            assert name in visit.text(f"#{chart}"), chart
            assert visit.page.locator(f"#{chart}").is_visible()
        assert visit.page.locator("#article-0 mark.entity").count() == SAMPLE_MENTIONS
        shot = artefacts / "report.png"
        visit.page.screenshot(path=shot, full_page=True)
        visit.page.locator("#article-0").screenshot(path=artefacts / "report-article.png")
        print(f"\nscreenshots: {shot} and {artefacts / 'report-article.png'}")
        assert shot.stat().st_size > 50_000  # a page, not a blank
        assert visit.problems == []
        assert visit.outside_requests(report) == []


def test_entities_table_sorts_and_searches(browser, sample_out):
    from playwright.sync_api import expect  # waits until the table has redrawn

    with Visit(browser, sample_out / "report.html") as visit:
        visit.wait_for_report()
        rows = visit.page.locator("#entity-table tbody tr")
        first_name = rows.first.locator("td").first
        expect(rows).to_have_count(SAMPLE_ENTITIES)
        expect(first_name).to_have_text("Kasachstan")
        visit.page.locator("#entity-table thead th", has_text="name").first.click()
        expect(first_name).to_have_text("Almaty")
        visit.page.locator("#all-entities input[type=search]").fill("Tokajew")
        expect(rows).to_have_count(1)
        expect(first_name).to_have_text("Kassym-Jomart Tokajew")
        assert visit.problems == []


def test_dated_report_draws_the_timelines(browser, dated_out, artefacts):
    with Visit(browser, dated_out / "report.html") as visit:
        visit.wait_for_report()
        for chart in ("time-articles", "time-0", "time-1", "time-2"):
            assert visit.page.locator(f"#{chart} svg.main-svg").count() >= 1, chart
        assert "Wladimir Putin" in visit.text("#time-0")
        visit.page.locator("#over-time").screenshot(path=artefacts / "report-over-time.png")
        assert visit.problems == []
        assert visit.outside_requests(dated_out / "report.html") == []


def test_hostile_report_runs_nothing(browser, hostile_out):
    with Visit(browser, hostile_out / "report.html") as visit:
        visit.wait_for_report()
        visit.page.wait_for_timeout(500)  # time for anything injected to fire
        assert visit.dialogs == []
        assert visit.problems == []
        first_name = visit.page.locator("#entity-table tbody tr td").first.text_content()
        assert first_name.startswith(HOSTILE)  # shown as text, exactly
        assert visit.outside_requests(hostile_out / "report.html") == []


def test_show_html_page_renders(browser, tmp_path, artefacts):
    target = tmp_path / "artikel.html"
    assert run_cli("show", SAMPLE, "--html", target).exit_code == 0
    with Visit(browser, target) as visit:
        assert visit.page.locator("mark.entity").count() == SAMPLE_MENTIONS
        visit.page.screenshot(path=artefacts / "show-article.png", full_page=True)
        assert visit.problems == [] and visit.outside_requests(target) == []
