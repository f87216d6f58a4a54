"""The subscriber site, looked at in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from monthkit import DAYS, copy_month
from printpost import site as subscriber_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def made_site(built_month, tmp_path_factory) -> subscriber_site.SiteResult:
    """Two editions in two formats; their A4 PDFs are built already (each render counts)."""
    base = tmp_path_factory.mktemp("site")
    month = copy_month(built_month, base, days=DAYS[:2])
    return subscriber_site.make_site(month.issues, month.out, base / "site", ["a4", "letter"],
                                     jobs=2)


def test_site_has_every_edition_and_month(made_site):
    assert made_site.exit_code == 0, made_site.problems
    assert made_site.editions == 2 and made_site.months == ["2026-04"]
    site_dir = made_site.site_dir
    assert sorted(p.name for p in (site_dir / "editions").iterdir()) == [
        "2026-04-01-issue-063.html", "2026-04-02-issue-064.html"]
    assert sorted(p.name for p in (site_dir / "files" / "archive").iterdir()) == [
        "the-ai-morning-post-2026-04.pdf", "the-ai-morning-post-2026-04.zip"]
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert index.index("No. 64") < index.index("No. 63")  # newest first, under its month
    assert '<h2 class="month-title">April 2026</h2>' in index


def _local_target(url: str) -> Path | None:
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="needs Debian's chromium at /usr/bin/chromium (./dev.sh installs it as root)")
def test_in_a_browser_every_link_resolves_and_every_thumbnail_loads(made_site):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    site_dir = made_site.site_dir
    pages = [site_dir / "index.html", *sorted((site_dir / "editions").glob("*.html"))]
    failed, external = [], set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("requestfailed", lambda request: failed.append(request.url))
        for html in pages:
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            links = page.eval_on_selector_all(
                "a[href], link[href]", "nodes => nodes.map(n => n.href)")
            assert links, f"{html.name} has no links"
            for url in links:
                target = _local_target(url)
                if target is None:
                    external.add(url)
                    continue
                assert target.is_file(), f"{html.name} links to missing {target}"
                assert target.resolve().is_relative_to(site_dir.resolve()), f"{url} leaves the site"
            images = page.eval_on_selector_all(
                "img", "nodes => nodes.map(n => [n.src, n.complete, n.naturalWidth])")
            assert len(images) >= 2  # thumbnails and the QR code
            for src, complete, width in images:
                assert complete and width > 0, f"{html.name}: {src} did not load"
        browser.close()
    assert failed == []
    assert external == {"https://aimorningpost.example/subscribe"}  # the only way out


def test_feed_is_atom_with_enclosures_of_the_right_length(made_site):
    site_dir = made_site.site_dir
    feed = ET.parse(site_dir / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}").text.strip()
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "The AI Morning Post"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}updated").text for e in entries] == [
        "2026-04-02T06:00:00Z", "2026-04-01T06:00:00Z"]
    assert feed.find(f"{ATOM}updated").text == "2026-04-02T06:00:00Z"
    ids = set()
    for entry in entries:
        ids.add(entry.find(f"{ATOM}id").text)
        assert entry.find(f"{ATOM}title").text.startswith("No. 6")
        enclosures = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "enclosure"]
        assert sorted(Path(link.get("href")).name.rsplit("-", 1)[1] for link in enclosures) == [
            "a4.pdf", "letter.pdf"]
        for link in enclosures:
            target = site_dir / link.get("href")
            assert link.get("type") == "application/pdf"
            assert int(link.get("length")) == target.stat().st_size > 0
        [alternate] = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        assert (site_dir / alternate.get("href")).is_file()
    assert len(ids) == 2


def test_edition_page_lists_each_format_with_its_size(made_site):
    site_dir = made_site.site_dir
    html = (site_dir / "editions" / "2026-04-01-issue-063.html").read_text(encoding="utf-8")
    for name in ("a4", "letter"):
        pdf = site_dir / "files" / "2026-04" / f"2026-04-01-issue-063-{name}.pdf"
        assert f'href="../files/2026-04/{pdf.name}"' in html
        assert subscriber_site.human_size(pdf.stat().st_size) in html
    assert 'href="../files/archive/the-ai-morning-post-2026-04.pdf"' in html


def test_site_again_changes_no_file(made_site, built_month, tmp_path):
    site_dir = made_site.site_dir
    before = {p: p.stat().st_mtime_ns for p in site_dir.rglob("*") if p.is_file()}
    issues = made_site.build.outcomes[0].source.parent
    out = made_site.build.records[0].path.parent.parent
    again = subscriber_site.make_site(issues, out, site_dir, ["a4", "letter"], jobs=1)
    assert again.build.rendered == 0
    after = {p: p.stat().st_mtime_ns for p in site_dir.rglob("*") if p.is_file()}
    assert after == before


def _browser(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="needs Debian's chromium at /usr/bin/chromium (./dev.sh installs it as root)")
def test_search_from_file_finds_a_story_of_an_earlier_edition(made_site):
    from printpost import load

    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    sources = sorted(outcome.source for outcome in made_site.build.outcomes)
    earlier, newest = (load.load(path).issue for path in (sources[0], sources[-1]))
    # A story of the earlier edition that the newest one does not have.
    newest_headlines = set(newest.headlines())
    headline = next(h for h in earlier.headlines() if h not in newest_headlines)
    words = " ".join(headline.split()[:4])
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page()
        page.goto((made_site.site_dir / "index.html").as_uri())
        page.fill("#search-words", words.upper())  # case does not matter
        page.wait_for_selector("#search-results li a")
        results = page.eval_on_selector_all(
            "#search-results li a", "links => links.map(a => [a.textContent, a.href])")
        found = [href for text, href in results if text == headline]
        assert found and "2026-04-01-issue-063.html#story-" in found[0], results
        page.click(f"#search-results li a >> text={headline}")
        page.wait_for_load_state("load")
        assert page.url == found[0]
        anchor = found[0].rsplit("#", 1)[1]
        assert page.inner_text(f"#{anchor}").endswith(headline)
        page.go_back()
        page.fill("#search-words", "zzqxj-no-such-word")
        page.wait_for_selector("#search-status:has-text('No story')")
        browser.close()


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="needs Debian's chromium at /usr/bin/chromium (./dev.sh installs it as root)")
def test_index_downloads_every_format_in_readers_words(made_site):
    import functools
    import http.server
    import threading

    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    site_dir = made_site.site_dir
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # a static host
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = _browser(playwright)
            page = browser.new_page(accept_downloads=True)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            card = page.locator(".edition-card").first  # the newest edition
            assert card.locator(".card-downloads a").all_inner_texts() == [
                "Print at home (A4)", "US Letter"]
            wanted = {"Print at home (A4)": "2026-04-02-issue-064-a4.pdf",
                      "US Letter": "2026-04-02-issue-064-letter.pdf"}
            for label, name in wanted.items():
                with page.expect_download() as download:
                    card.get_by_text(label, exact=True).click()
                saved = download.value.path()
                assert Path(saved).read_bytes() == (site_dir / "files" / "2026-04" / name).read_bytes()
            month = page.locator(".month-downloads")
            for label, name in (("Whole month (PDF)", "the-ai-morning-post-2026-04.pdf"),
                                ("All PDFs (zip)", "the-ai-morning-post-2026-04.zip")):
                with page.expect_download() as download:
                    month.get_by_text(label, exact=True).click()
                assert Path(download.value.path()).read_bytes() == (
                    site_dir / "files" / "archive" / name).read_bytes()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    for jargon in ("PDF/A", "manifest", "LETTER", "EREADER"):
        assert jargon not in index
