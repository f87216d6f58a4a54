"""The whole flow for one edition: load → compose → render → publish.

`check` loads and validates a file; a `Typesetter` sets it (measure → compose, copyfit) and
writes it. The CLI, the catalog's workers and the benchmarks call these; nothing here prints.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import compose, glyphs, load, publish, sections
from .engine.patches import EngineOptions
from .formats import DEFAULT_FORMAT, Format, get_format, length_px


@dataclass
class FormatOutput:
    format: str
    path: Path
    pages: int
    bytes: int
    seconds: float
    preflight: object = None  # preflight.Report of the pages as written


@dataclass
class BuildResult:
    source: Path
    outputs: list[FormatOutput] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check(path: Path | str, layouts: tuple[Path, ...] | None = None
          ) -> tuple[load.LoadedIssue, list[str]]:
    """Validate a file and its glyph coverage; raises load.InvalidIssue on bad data.
    `layouts`: the layouts directories to set it with (by default the paper's own, then
    printpost's: their section types are the edition's; see printpost/sections.py)."""
    loaded = load.load(path, layouts)
    warnings = [f"{loaded.path}: {missing}" for missing in glyphs.missing_glyphs(loaded.issue)]
    return loaded, warnings


class Typesetter:
    """The measure → compose loop, for one run of printpost (a command, a watch session, a
    benchmark): composes an edition, lays it out, measures it (the pages its contents point
    to, preflight, where the lead jumps) and composes it again until it settles.

    It holds what it learns from one edition for the next (the pages the front page's
    contents last pointed to, per format: the first guess for the next edition, copyfit
    pass or save; the page plan and jump chosen for an edition, which the same edition set
    again starts from, skipping the passes that chose them), and the engine's options,
    which the caller reads at its edge (`EngineOptions.from_environment()`); formats travel
    as their profiles."""

    MOST_PLANS = 64  # page plans kept (by edition data, format and extra CSS)
    MAX_PLAN_PASSES = 6  # measured passes the page plan may take, the first included (short
    # copy takes the most: a pass per size tier, then one for the chart band)

    def __init__(self, options: EngineOptions = EngineOptions()):
        self.options = options
        self._last_contents: dict[str, dict[str, int]] = {}
        self._plans: dict[tuple, tuple] = {}

    def render(self, loaded: load.LoadedIssue, fmt: Format, *, keep_document: bool = False,
               stylesheets: tuple[str, ...] = (), archival: bool = False, jump=None,
               write: bool = True, budget=None, page_plan=None):
        """The edition in one format, rendered but not written (`budget`: limits.Budget).

        The contents box prints the pages its sections are on: set with a guess, measured,
        and set again only when the guess was wrong (the numbers do not move anything, so
        the second layout is the same and the result does not depend on the guess).
        """
        from . import render  # WeasyPrint is imported only when something is rendered

        created = f"{loaded.issue.edition.date.isoformat()}T06:00:00Z"
        options = dict(created=created, pdf_variant=fmt.pdf_variant,
                       keep_document=keep_document, stylesheets=stylesheets, write=False,
                       grid=line_height_px(fmt), budget=budget, options=self.options,
                       layout_dirs=sections.of(loaded.issue).dirs)
        if archival:
            options.update(pdf_variant=ARCHIVAL_VARIANT, attachments=[_source_attachment(loaded)])
        contents = (self._last_contents.get(fmt.name)
                    or compose.guessed_contents(loaded.issue, fmt))
        jumping = compose.jump_ids(loaded.issue) if jump else None
        for _ in range(3):
            html = compose.compose(loaded.issue, fmt, contents, jump, page_plan)
            rendered = render.render(html, **options)
            measured = {name: rendered.anchor_pages[name]
                        for name in (*compose.contents_ids(loaded.issue), *(jumping or ()))
                        if name in rendered.anchor_pages}
            self._last_contents[fmt.name] = measured
            if measured == {name: contents.get(name, 1) for name in measured}:
                if write:
                    rendered.pdf  # noqa: B018 (written now; a layout set again never is)
                return rendered
            contents = measured
        raise render.RenderError("the contents' page numbers do not settle")

    def measure(self, loaded: load.LoadedIssue, fmt: Format, stylesheets: tuple[str, ...],
                jump=None, archival: bool = False, budget=None, page_plan=None):
        """One measured pass, laid out but not drawn (only the pass that is kept ever is):
        (render.Rendered, preflight.Report, planner.Geometry)."""
        from . import jumps, planner, preflight

        rendered = self.render(loaded, fmt, keep_document=True, stylesheets=stylesheets,
                               jump=jump, write=False, archival=archival, budget=budget,
                               page_plan=page_plan)
        missing = [str(m) for m in glyphs.missing_glyphs(loaded.issue)]
        report = preflight.preflight(rendered.document, fmt, missing_glyphs=missing)
        # A format that keeps the lead to its share of the front page jumps the rest.
        jumping = compose.jump_ids(loaded.issue)
        if jump is None and fmt.lead_front_lines and jumping:
            jump = jumps.measure(rendered.document, fmt.lead_front_lines, jumping[0])
        report.measurements["jump"] = None if jump is None else dataclasses.asdict(jump)
        geometry = planner.Geometry.of(rendered.document, fmt, line_height_px(fmt),
                                       planner.Landmarks.of(loaded.issue))
        geometry.fills = tuple(page["fill_pct"] for page in report.measurements["pages"])
        rendered.document = None  # the layout tree is large; the report keeps what matters
        return rendered, report, geometry

    def typeset(self, loaded: load.LoadedIssue, fmt: Format, *,
                stylesheets: tuple[str, ...] = (), fit: bool = True, archival: bool = False,
                limits=None):
        """Render, plan the pages, preflight and copyfit: (render.Rendered, preflight.Report)
        of the best pass. `archival`: as PDF/A-3b with the issue data embedded, set exactly
        as the print PDF. Every pass together keeps within the format's layout limits
        (`limits`, a limits.Limits, overrides them); past them, a render.RenderError names
        the field."""
        from . import render
        from .limits import LayoutLimit, Limits, describe

        budget = (limits or Limits()).budget(fmt)
        try:
            return self._typeset(loaded, fmt, stylesheets, fit, archival, budget)
        except LayoutLimit as stopped:
            raise render.RenderError(f"{fmt.name}: {describe(stopped, loaded.issue)}") from None

    def _plan_key(self, loaded, fmt, stylesheets, archival) -> tuple:
        return (loaded.issue.model_dump_json(), fmt.name, tuple(stylesheets), archival)

    def _typeset(self, loaded, fmt, stylesheets, fit, archival, budget):
        from . import copyfit, jumps, planner, preflight

        line_height = line_height_px(fmt)
        edition_charts = planner.charts(loaded.issue)
        plan, jump = planner.Plan(), None

        def once(*extra):
            """A pass with the page plan and the jump chosen so far, and `extra` CSS (the
            caller's stylesheets after the plan's: a test's rules override the plan's)."""
            return self.measure(loaded, fmt, (planner.stylesheet(fmt, plan, edition_charts), *stylesheets, *extra),
                                jump, archival, budget,
                                planner.template_options(plan, edition_charts))

        key = self._plan_key(loaded, fmt, stylesheets, archival)
        known = self._plans.get(key) if fit else None
        if known is not None:
            plan, jump = known
        rendered, report, geometry = once()
        passes = 1
        # A lead too long for its share of the front page jumps first: the cut is measured on
        # the first pass and moves what follows it.
        if fit and known is None and report.measurements["jump"]:
            jump = jumps.Jump(**report.measurements["jump"])
            rendered, report, geometry = once()
            passes += 1
        # The page plan, from the pass before: a pass per decision, until it settles.
        while fit and known is None and passes < self.MAX_PLAN_PASSES + (jump is not None):
            decided = planner.decide(fmt, plan, geometry, edition_charts)
            if plan.settled(decided, geometry):
                break
            plan = decided
            rendered, report, geometry = once()
            passes += 1
        if fit and known is None:
            if len(self._plans) >= self.MOST_PLANS:
                self._plans.clear()
            self._plans[key] = (plan, jump)
        planned = passes - 1  # passes spent on the jump and the page plan, on top of copyfit's
        steps: dict[str, int] = {}
        nudges: dict[str, float] = {}
        frames: dict[str, float] = {}
        legs: dict[str, int] = {}
        best = ({}, {}, {}, {})
        while fit and passes < copyfit.MAX_PASSES + planned:
            narrowed = copyfit.next_legs(legs, steps, report.errors)
            adjusted = copyfit.next_adjustment(steps, report.errors) or steps
            snapped = copyfit.next_frames(frames, report.findings)
            for target in narrowed.keys() - legs.keys():
                snapped.pop(target, None)  # its height is measured again at the new width
            # Frames first: snapping a block (or narrowing a story) moves what follows it on
            # its page, so nudges on that page wait for a pass; the other pages are nudged now.
            reset = ({t for t in snapped.keys() | frames.keys() if snapped.get(t) != frames.get(t)}
                     | {t for t in narrowed if narrowed[t] != legs.get(t)})
            moving = {finding.page for finding in report.findings if finding.target in reset}
            moved = copyfit.next_nudges(nudges, report.findings, line_height, skip_pages=moving)
            if adjusted == steps and moved == nudges and snapped == frames and narrowed == legs:
                break
            steps, nudges, frames, legs = adjusted, moved, snapped, narrowed
            candidate = once(copyfit.stylesheet(steps, nudges, frames, legs))
            passes += 1
            if _score(candidate[1]) <= _score(report):
                rendered, report, geometry = candidate
                best = (dict(steps), dict(nudges), dict(frames), dict(legs))
        # WeasyPrint reports text it had to draw with no glyph only while drawing: the kept
        # pass is drawn now, and what it reports joins its findings (every pass sets the
        # same text).
        rendered.pdf  # noqa: B018
        preflight.add_missing_glyphs(report, rendered.notdef)
        report.measurements["layout_passes"] = passes
        report.measurements["copyfit_passes"] = passes - planned
        report.measurements["copyfit_steps"] = {t: copyfit.STEPS[i] for t, i in best[0].items()}
        report.measurements["copyfit_grid_nudges_px"] = best[1]
        report.measurements["copyfit_frames_px"] = best[2]
        report.measurements["copyfit_columns"] = best[3]
        report.measurements["plan"] = plan.describe()
        return rendered, report

    def render_planned(self, loaded: load.LoadedIssue, fmt: Format):
        """The edition rendered and written in one pass with the page plan `typeset` chose
        for it (typeset first when this typesetter has not set it yet): a warm render."""
        from . import planner

        key = self._plan_key(loaded, fmt, (), False)
        if key not in self._plans:
            self.typeset(loaded, fmt)
        plan, jump = self._plans[key]
        edition_charts = planner.charts(loaded.issue)
        return self.render(loaded, fmt, stylesheets=(planner.stylesheet(fmt, plan, edition_charts),),
                           jump=jump, page_plan=planner.template_options(plan, edition_charts))

    def render_archival(self, loaded: load.LoadedIssue, fmt: Format, *, limits=None):
        """The edition as PDF/A-3b with its issue data file embedded, rendered but not
        written: the same passes (page plan, copyfit) as the print PDF, so the same pages."""
        return self.typeset(loaded, fmt, archival=True, limits=limits)[0]

    def build(self, path: Path | str, formats: Sequence[Format] = (),
              out_dir: Path = publish.DEFAULT_OUTPUT_DIR, *, fit: bool = True,
              limits=None, layouts: tuple[Path, ...] | None = None) -> BuildResult:
        """Validate, render and write one edition in each format (default: a4).

        Raises load.InvalidIssue before anything is written when the data is bad, and
        render.RenderError when WeasyPrint fails; existing PDFs stay as they were.
        `fit=False` skips copyfit passes (one render per format: the watch loop's drafts);
        `limits` (limits.Limits) overrides the formats' layout limits; `layouts`: the
        layouts directories to set it with (see check).
        """
        formats = list(formats) or [get_format(DEFAULT_FORMAT)]
        loaded, warnings = check(path, layouts)
        result = BuildResult(source=loaded.path, warnings=warnings)
        for fmt in formats:
            started = time.perf_counter()
            rendered, report = self.typeset(loaded, fmt, fit=fit, limits=limits)
            target = publish.edition_path(loaded.issue.edition, fmt.name, out_dir)
            publish.write_atomic(target, rendered.pdf)
            result.outputs.append(
                FormatOutput(fmt.name, target, rendered.pages, len(rendered.pdf),
                             time.perf_counter() - started, report)
            )
        return result


def _score(report) -> tuple[int, int, float]:
    """The right page count first, then fewer errors, then more body lines on the grid."""
    wrong_length = sum(1 for finding in report.errors if finding.check == "page-count")
    return wrong_length, len(report.errors), -report.measurements["body_lines_on_grid_pct"]


def line_height_px(fmt: Format) -> float:
    """The format's baseline grid line, in px."""
    return length_px(fmt.line_height)


ARCHIVAL_VARIANT = "pdf/a-3b"  # PDF/A-3 may carry the source data as an embedded file
SOURCE_MEDIA_TYPES = {".yaml": "application/yaml", ".yml": "application/yaml",
                      ".json": "application/json"}


def _source_attachment(loaded: load.LoadedIssue):
    from . import render

    return render.Attachment(
        name=loaded.path.name,
        data=loaded.source,
        media_type=SOURCE_MEDIA_TYPES.get(loaded.path.suffix.lower(), "application/octet-stream"),
        description=f"Issue data of {compose.document_title(loaded.issue)}",
    )
