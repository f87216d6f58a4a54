"""Subscriber site: every edition as a static site, with downloads, month archives and a feed.

One directory (default output/site) holds index.html (editions by month, newest first, with
their front pages), editions/<edition>.html (downloads per format with their sizes),
files/ (copies of the PDFs, month archives and bundles), thumbs/, feed.xml (Atom, every PDF
an enclosure), subscribe-qr.svg, site.css and the fonts it names. Every link is relative,
so the site works from file:// and from any static host. The index's search of past
editions is a script reading an index that is a script too (search-index.js), not fetched
JSON, so it works from file:// as well; nothing else needs a script.

Files are written atomically and only when their bytes change; pages go last, so a reader
never follows a link to a file that is not there yet.
"""

from __future__ import annotations

import base64
import datetime as dt
import glob
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import archive, catalog, compose, load, publish, raster
from .engine.patches import EngineOptions
from .exitcodes import EXIT_OK
from .formats import formats as known_formats
from .formats import get_format
from .markup import plain
from .models import first_issue_date
from .resources import FONTS_DIR, find_layout

DEFAULT_SITE_DIR = publish.DEFAULT_OUTPUT_DIR / "site"
THUMBNAIL_DPI = 48  # a 210 mm page → 397 px: sharp on the edition page, light on the index
SITE_FONTS = ("UnifrakturMaguntia-Regular.ttf", "OFL-UnifrakturMaguntia.txt",
              "PlayfairDisplay-Bold.ttf", "OFL-PlayfairDisplay.txt",
              "PTSerif-Regular.ttf", "OFL-PTSerif.txt")


class SiteError(Exception):
    """Nothing to publish (no issue files)."""


@dataclass
class SiteResult:
    site_dir: Path
    editions: int
    months: list[str]
    build: catalog.CatalogResult
    problems: list[str] = field(default_factory=list)  # months whose archive failed
    exit_code: int = EXIT_OK


human_size = publish.human_size  # the one size unit of every printpost command and page


MANIFEST = ".printpost-site.json"  # what the site's files are: written by printpost, and their bytes


class SiteFiles:
    """The files `site` writes, recorded in the site's manifest (path → sha256).

    A site directory may hold files of its owner's (a draft cover in thumbs/, a backup of
    index.html): printpost removes a file only when the manifest says it wrote it and the
    file still holds the bytes it wrote, never because its name fits a pattern."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        try:
            recorded = json.loads((site_dir / MANIFEST).read_bytes())
            self.owned = {str(k): str(v) for k, v in recorded["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.owned = {}

    def _key(self, path: Path) -> str:
        return path.relative_to(self.site_dir).as_posix()

    def write(self, path: Path, data: bytes) -> None:
        """Atomically, and not at all when the file already holds these bytes."""
        try:
            unchanged = path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            unchanged = False
        if not unchanged:
            publish.write_atomic(path, data)
        self.owned[self._key(path)] = hashlib.sha256(data).hexdigest()

    def remove(self, path: Path) -> None:
        """Remove `path` if printpost wrote it and it is as written; leave it otherwise."""
        recorded = self.owned.get(self._key(path))
        try:
            if recorded is None or hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
                return
            path.unlink()
        except OSError:
            return
        del self.owned[self._key(path)]

    def save(self) -> None:
        data = {"files": dict(sorted(self.owned.items()))}
        self.write(self.site_dir / MANIFEST, (json.dumps(data, indent=1) + "\n").encode())


def _thumbnail(site_dir: Path, record: catalog.Record, files: SiteFiles) -> tuple[str, int, int]:
    """The front page as a JPEG named after the PDF's hash: made once per version."""
    from PIL import Image

    stem = record.path.stem.removesuffix(f"-{record.format}")
    relative = f"thumbs/{stem}-{record.sha256[:8]}.jpg"
    target = site_dir / relative
    if not target.is_file() or files._key(target) not in files.owned:
        files.write(target, raster.page_jpeg(record.path.read_bytes(), 0, THUMBNAIL_DPI))
        for older in target.parent.glob(f"{glob.escape(stem)}-*.jpg"):  # earlier versions'
            if older != target:
                files.remove(older)
    with Image.open(target) as image:
        return relative, image.width, image.height


def _format_label(name: str) -> str:
    """A format in a reader's words ("Print at home (A4)"), from its profile."""
    fmt = get_format(name)
    return fmt.label or fmt.description or name


def _stories(issue) -> list[dict]:
    """Every story of an edition, for its page's contents and the search of past editions:
    its section, headline and plain text."""
    stories: list[dict] = []

    def add(section: str, headline: str, *texts: str | None) -> None:
        stories.append({"id": f"story-{len(stories) + 1}", "section": plain(section),
                        "headline": plain(headline),
                        "text": " ".join(plain(text) for text in texts if text)})

    add(issue.lead.kicker, issue.lead.headline, issue.lead.dek, *issue.lead.body)
    dive = issue.deep_dive
    add(dive.kicker, dive.headline, dive.dek, *dive.body, dive.pull_quote)
    if issue.opinion:
        for column in issue.opinion.columns:
            add(column.role, column.headline, column.byline, *column.body)
    if issue.tools:
        for tool in issue.tools.items:
            add(issue.tools.title, tool.name, tool.description)
    if issue.reading:
        for item in issue.reading.items:
            add(issue.reading.title, item.title, item.description)
    return stories


# RFC 4151's DNSname: ASCII letters, digits and inner hyphens, in labels joined by dots.
_TAG_AUTHORITY = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


def _tag(subscribe_url: str, specific: str) -> str:
    """A stable Atom id (RFC 4151 tag URI) under the paper's own domain, its name in ASCII
    (IDNA: a tag URI holds no other letters); printpost.invalid for an IPv6 host."""
    host = (urlsplit(subscribe_url).hostname or "").removesuffix(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        host = ""
    if not _TAG_AUTHORITY.fullmatch(host):
        host = "printpost.invalid"
    return f"tag:{host},{first_issue_date().isoformat()}:{specific}"


def _edition_entry(outcome: catalog.EditionOutcome, site_dir: Path, month_archive,
                   files: SiteFiles) -> dict:
    issue = load.load(outcome.source).issue
    first = outcome.records[0]
    day = dt.date.fromisoformat(first.date)
    stem = first.path.name.removesuffix(f"-{first.format}.pdf")
    downloads = []
    for record in outcome.records:
        path = f"files/{day:%Y-%m}/{record.path.name}"
        files.write(site_dir / path, record.path.read_bytes())
        downloads.append({"path": path, "label": _format_label(record.format),
                          "pages": record.pages, "bytes": record.bytes,
                          "size": human_size(record.bytes)})
    thumbnail, width, height = _thumbnail(site_dir, first, files)
    return {
        "issue": first.issue, "date": first.date, "long_date": issue.edition.long_date,
        "month_key": f"{day:%Y-%m}", "month_name": archive.month_name(f"{day:%Y-%m}"),
        "location": issue.edition.location, "headline": issue.lead.headline,
        "dek": issue.lead.dek, "stories": _stories(issue),
        "page": f"editions/{stem}.html", "thumbnail": thumbnail,
        "thumbnail_width": width, "thumbnail_height": height, "downloads": downloads,
        "archive": month_archive, "updated": f"{first.date}T06:00:00Z",
        "entry_id": _tag(issue.subscribe.url if issue.subscribe else "", f"issue-{first.issue}"),
        "subscribe": issue.subscribe, "edition": issue.edition,
    }


def _search_index(newest_first: list[dict]) -> bytes:
    """Every edition's stories as a script that sets window.printpostSearch (search.js reads
    it): a script, not JSON fetched at run time, so the search works from file:// too."""
    editions = [{"issue": entry["issue"], "date": entry["long_date"], "page": entry["page"],
                 "stories": entry["stories"]} for entry in newest_first]
    data = json.dumps(editions, ensure_ascii=False, separators=(",", ":"))
    return ("// The search index of the site's editions (printpost site; read by search.js).\n"
            f"window.printpostSearch = {data};\n").encode("utf-8")


def _publish_archive(site_dir: Path, result: archive.MonthArchive,
                     files: SiteFiles) -> tuple[dict, dict]:
    published = {}
    for source in (result.pdf, result.bundle):
        path = f"files/archive/{source.name}"
        data = source.read_bytes()
        files.write(site_dir / path, data)
        published[source.suffix] = {"path": path, "bytes": len(data), "size": human_size(len(data)),
                                "pages": result.pages}
    return published[".pdf"], published[".zip"]


def make_site(issues_dir: Path = Path("issues"), out_dir: Path = publish.DEFAULT_OUTPUT_DIR,
              site_dir: Path = DEFAULT_SITE_DIR, formats: list[str] | None = None, *,
              base_url: str | None = None, jobs: int | None = None,
              scheduler: str | None = None, on_progress=None, limits=None,
              engine: EngineOptions = EngineOptions()) -> SiteResult:
    """Build what is missing (editions, month archives), then write the site."""
    # Readers' formats by default: the press formats (PDF/X, CMYK) are for the printers.
    formats = formats or [name for name, fmt in known_formats().items() if not fmt.pdf_variant]
    sources = catalog.issue_files(issues_dir)
    if not sources:
        raise SiteError(f"no issue files (.yaml, .yml, .json) in {issues_dir}; nothing written")
    limits = limits or catalog.Limits()
    build = catalog.build_catalog(sources, formats, out_dir, jobs=jobs, scheduler=scheduler,
                                  on_progress=on_progress, limits=limits, engine=engine)
    good = sorted((o for o in build.outcomes if o.status != "failed"),
                  key=lambda outcome: outcome.records[0].date)
    result = SiteResult(site_dir, len(good), [], build, exit_code=build.exit_code)
    months = sorted({outcome.records[0].date[:7] for outcome in good}, reverse=True)

    files = SiteFiles(site_dir)
    for name in SITE_FONTS:
        files.write(site_dir / "fonts" / name, (FONTS_DIR / name).read_bytes())
    for name in ("site.css", "search.js"):
        files.write(site_dir / name, find_layout(f"site/{name}").read_bytes())

    archives = {}
    for month in months:
        try:
            made = archive.make_archive(month, issues_dir, out_dir, formats, jobs=jobs,
                                        scheduler=scheduler, limits=limits, engine=engine)
        except archive.ArchiveError as error:
            result.problems.append(f"{month}: {error}")
            result.exit_code = max(result.exit_code, error.exit_code)
            archives[month] = (None, None)
            continue
        archives[month] = _publish_archive(site_dir, made, files)

    entries = [_edition_entry(outcome, site_dir, archives[outcome.records[0].date[:7]][0], files)
               for outcome in good]
    if not entries:
        files.save()
        return result
    # The newest edition's offer (editions may leave the subscribe box out).
    subscribe = next((entry["subscribe"] for entry in reversed(entries) if entry["subscribe"]),
                     None)
    if subscribe:
        files.write(site_dir / "subscribe-qr.svg",
               base64.b64decode(compose.qr_data_uri(subscribe.url).partition(",")[2]))
    env = compose.environment()
    paper = entries[-1]["edition"]
    common = {"paper": paper.title, "tagline": paper.tagline, "motto": paper.motto,
              "subscribe": subscribe}
    for index, entry in enumerate(entries):
        entry["previous"] = entries[index - 1] if index else None
        entry["next"] = entries[index + 1] if index + 1 < len(entries) else None
        html = env.get_template("site/edition.html.j2").render(root="../", edition=entry, **common)
        files.write(site_dir / entry["page"], html.encode("utf-8"))

    newest_first = list(reversed(entries))
    feed = env.get_template("site/feed.xml.j2").render(
        base=base_url.rstrip("/") + "/" if base_url else "",
        feed_id=((base_url.rstrip("/") + "/feed.xml") if base_url
                 else _tag(subscribe.url if subscribe else "", "feed")),
        updated=newest_first[0]["updated"], editions=newest_first, **common)
    files.write(site_dir / "feed.xml", feed.encode("utf-8"))

    month_sections = []
    for month in months:
        pdf, bundle = archives[month]
        month_sections.append({
            "key": month, "name": archive.month_name(month), "archive": pdf, "bundle": bundle,
            "editions": [e for e in newest_first if e["month_key"] == month],
        })
    files.write(site_dir / "search-index.js", _search_index(newest_first))
    index = env.get_template("site/index.html.j2").render(root="", months=month_sections, **common)
    files.write(site_dir / "index.html", index.encode("utf-8"))
    files.save()
    result.months = months
    return result
