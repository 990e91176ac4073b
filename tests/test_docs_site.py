"""The built docs site in a real browser (headless Chromium over the DevTools pipe).

Run after building the site (README: Docs)::

    fiscalcliff report scenarios/ --out docs/forecasts --data-dir ../shared/data
    sphinx-build -W -b html docs docs/_build/html
    python -m pytest -m docs

The site is served from ``docs/_build/html`` on 127.0.0.1 by Python's http.server. Every HTML page
is opened in Chromium; scenario pages must show their figures (``naturalWidth > 0``) and tables,
and every internal link, stylesheet, script and image of every page must resolve to a file (and
an anchor, when the link has one). A screenshot of the print-money page is saved to
``docs/_build/screenshot-print-money.png``. Without Chromium the browser tests are skipped,
except in CI (``CI=true``), where a missing Chromium is a failure.
"""

from __future__ import annotations

import functools
import os
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from chromium_cdp import Chromium, find_chromium

pytestmark = pytest.mark.docs

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "docs" / "_build" / "html"
SCREENSHOT = ROOT / "docs" / "_build" / "screenshot-print-money.png"
BUILD_HINT = (
    "build the site first: fiscalcliff report scenarios/ --out docs/forecasts "
    "--data-dir ../shared/data && sphinx-build -W -b html docs docs/_build/html"
)
#: series every scenario page draws as a fan chart
FAN_SERIES = ("reserves", "tga", "rrp", "bill_3m", "yield_10y", "term_spread")

PAGE_INFO_JS = """
(async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = "eager"; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener("load", r); i.addEventListener("error", r); setTimeout(r, 15000);
  })));
  const attr = (sel, a) => [...document.querySelectorAll(sel)].map(e => e[a]);
  return {
    title: document.title,
    h1: (document.querySelector("h1") || {textContent: ""}).textContent,
    h2: [...document.querySelectorAll("h2")].map(h => h.textContent.replace(/#$/, "").trim()),
    images: imgs.map(i => ({src: i.currentSrc || i.src, alt: i.alt,
                            naturalWidth: i.naturalWidth, complete: i.complete})),
    tables: [...document.querySelectorAll("table")].map(t => t.rows.length),
    links: attr("a[href]", "href"),
    resources: attr("link[href]", "href").concat(attr("script[src]", "src")),
    ids: attr("[id]", "id").concat(attr("a[name]", "name")),
    pre: [...document.querySelectorAll("pre")].map(p => p.textContent),
  };
})()
"""


def scenario_names() -> list[str]:
    """Names of the shipped scenario files (a page each)."""
    return [yaml.safe_load(p.read_text())["name"] for p in sorted(ROOT.glob("scenarios/*.yaml"))]


def html_pages() -> list[Path]:
    """Every HTML page of the built site (not the copied sources or static files)."""
    skip = {"_static", "_sources", "_images", "_downloads"}
    return sorted(
        p for p in SITE.rglob("*.html") if not skip.intersection(p.relative_to(SITE).parts)
    )


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}; {BUILD_HINT}")
    return SITE


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    return path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_path, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    log = tmp_path_factory.mktemp("chromium-log") / "chromium.log"
    with Chromium(chromium_path, profile, width=1400, height=1800, log_path=log) as chrome:
        yield chrome


@pytest.fixture(scope="module")
def crawl(browser, server, site) -> dict[str, dict]:
    """Every HTML page opened in Chromium: what its live DOM holds, by path relative to the site."""
    pages = {}
    for page in html_pages():
        rel = page.relative_to(site).as_posix()
        mark = browser.navigate(server + rel)
        info = browser.evaluate(PAGE_INFO_JS)
        info["js_errors"] = [
            e["params"]["exceptionDetails"].get("text", "")
            for e in browser.events_since(mark, "Runtime.exceptionThrown")
        ]
        pages[rel] = info
    return pages


def test_every_scenario_file_has_a_page(site):
    names = scenario_names()
    assert len(names) >= 7
    for name in names:
        assert (site / "forecasts" / f"{name}.html").is_file(), f"no page for scenario {name}"


def test_scenario_pages_show_figures_and_tables(crawl):
    for name in scenario_names():
        info = crawl[f"forecasts/{name}.html"]
        assert name in info["h1"], info["h1"]
        assert not info["js_errors"], (name, info["js_errors"])
        fans = [i for i in info["images"] if "Fan chart" in i["alt"]]
        assert len(fans) == len(FAN_SERIES), (name, [i["alt"] for i in info["images"]])
        for img in info["images"]:
            assert img["complete"] and img["naturalWidth"] > 0, (name, img)
        for series in FAN_SERIES:
            assert any(f"Fan chart of {series} " in i["alt"] for i in fans), (name, series)
        for section in ("Fan charts", "Quarterly levels", "Event probabilities"):
            assert section in info["h2"], (name, info["h2"])
        for section in ("Scenario file", "Provenance"):
            assert section in info["h2"], (name, info["h2"])
        assert len(info["tables"]) >= 3 and all(rows >= 2 for rows in info["tables"]), (
            name,
            info["tables"],
        )
        if not name.startswith("baseline"):
            assert "Difference from the baseline" in info["h2"], (name, info["h2"])
            assert any("Differences from" in i["alt"] for i in info["images"]), name


def test_backtest_page_shows_what_happened(crawl):
    info = crawl["forecasts/baseline-2025-11.html"]
    assert "What actually happened" in info["h2"], info["h2"]
    # coverage table (one row per series) and month-by-month table (many rows)
    assert max(info["tables"]) > 20, info["tables"]


def test_forecasts_index_links_every_scenario(crawl, server):
    links = {urlsplit(u).path for u in crawl["forecasts/index.html"]["links"]}
    for name in scenario_names():
        assert f"/forecasts/{name}.html" in links, name


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value or "")


@functools.cache
def _static_ids(path: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(path.read_text(errors="replace"))
    return frozenset(parser.ids)


def test_no_broken_internal_links(crawl, server, site):
    origin = urlsplit(server).netloc
    broken = []
    for page, info in crawl.items():
        for url in info["links"] + info["resources"]:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.netloc != origin:
                continue
            rel = unquote(parts.path).lstrip("/")
            target = site / rel
            if not rel or rel.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page}: {url} (no file {target.relative_to(site)})")
                continue
            if parts.fragment and target.suffix == ".html":
                key = target.relative_to(site).as_posix()
                ids = set(crawl[key]["ids"]) if key in crawl else set(_static_ids(target))
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page}: {url} (no anchor #{parts.fragment})")
        for img in info["images"]:
            if img["naturalWidth"] == 0:
                broken.append(f"{page}: image {img['src']} did not load")
    assert len(crawl) > 20, sorted(crawl)
    assert not broken, "\n".join(broken[:50])


def test_cli_and_api_reference_pages(crawl):
    from fiscalcliff.cli.main import build_parser

    cli = crawl["reference/cli.html"]
    commands = [
        name for action in build_parser()._subparsers._group_actions for name in action.choices
    ]
    assert {"data", "fit", "forecast", "run", "compare", "report"} <= set(commands)
    for name in commands:
        assert f"fiscalcliff-{name}" in cli["ids"], (name, cli["ids"])
        # the --help text itself, as preformatted text
        assert any(p.startswith(f"usage: fiscalcliff {name}") for p in cli["pre"]), name
    assert any("--data-dir DIR" in p and "fiscalcliff report" in p for p in cli["pre"])
    api = crawl["reference/generated/fiscalcliff.scenarios.compare.html"]
    assert "fiscalcliff.scenarios.compare.compare" in api["ids"]
    assert "fiscalcliff.scenarios.compare.Comparison" in api["ids"]


def test_screenshot_of_a_scenario_page(browser, server):
    browser.navigate(server + "forecasts/print-money.html")
    browser.evaluate(PAGE_INFO_JS)  # waits for every image
    SCREENSHOT.unlink(missing_ok=True)
    browser.screenshot(SCREENSHOT)
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a rendered page with charts, not a blank one


def test_forecast_accuracy_page_shows_skill_coverage_and_figures(crawl):
    info = crawl["forecasts/accuracy.html"]
    assert "Forecast accuracy" in info["h1"], info["h1"]
    assert not info["js_errors"], info["js_errors"]
    for section in (
        "Where the default model loses",
        "CRPS skill against the random walk",
        "Calibration",
        "Diebold–Mariano tests against the random walk",
        "Explosive draws",
        "Other modes and models",  # .ci/run adds the realised-policy and censored backtests
    ):
        assert section in info["h2"], info["h2"]
    skill = [i for i in info["images"] if "against the random walk by horizon" in i["alt"]]
    assert len(skill) == 7, [i["alt"] for i in info["images"]]
    for img in info["images"]:
        assert img["complete"] and img["naturalWidth"] > 0, img
    assert len(info["tables"]) >= 4 and all(rows >= 2 for rows in info["tables"]), info["tables"]
