"""Copyfit: re-set what preflight rejects, within bounds a desk would accept.

A hyphenation ladder, a widow or orphan, or a story whose columns do not end level is
usually fixed by setting one paragraph (or one story) a hair tighter or looser: a change
of tracking of ±0.5–2 % of the type size moves a word across a line end and re-breaks
everything after it. Each pass measures, adjusts what failed, and sets again; what is
still wrong after the last pass is reported, not hidden.
"""

from __future__ import annotations

from collections import defaultdict

from . import roles
from .compose import environment

# Settings tried in turn for one target: (tracking in em, automatic hyphenation), small
# changes first, and setting the paragraph without automatic hyphens (which ends
# most ladders) early.
STEPS = ((-0.005, True), (0.0, False), (0.005, True), (-0.005, False), (-0.01, True), (0.01, True))
FIXABLE = {"hyphen-ladder", "widow", "orphan", "column-balance"}
# Where a target's first adjustment starts in STEPS, by what is wrong with it: a ladder goes
# when its paragraph is set without automatic hyphens, which a change of tracking rarely does
# (on the samples it took a second pass in three ladders out of four); the rest start at the top.
FIRST_STEP = {"hyphen-ladder": next(i for i, (_, hyphenate) in enumerate(STEPS) if not hyphenate)}
MAX_PASSES = 6  # measuring passes, the first included (the page plan adds its own)


def selector_for(target: str) -> str:
    """A paragraph id is adjusted alone; a story id adjusts all of its body copy."""
    if "-p" in target and target.rsplit("-p", 1)[1].isdigit():
        return f"#{target}"
    return f"#{target} .{roles.STORY_BODY} p, #{target} p"


def stylesheet(steps: dict[str, int], nudges: dict[str, float] | None = None,
               frames: dict[str, float] | None = None, legs: dict[str, int] | None = None) -> str:
    """CSS for the chosen step of each target, the grid nudge (px) of each section, the
    whole-line height (px) of each column block and the column count of narrowed stories."""
    rules = [(selector_for(target), *STEPS[index]) for target, index in sorted(steps.items())]
    return environment().get_template("copyfit.css.j2").render(
        rules=rules, nudges=sorted((nudges or {}).items()), frames=sorted((frames or {}).items()),
        legs=sorted((legs or {}).items()))


def next_legs(legs: dict[str, int], steps: dict[str, int], findings) -> dict[str, int]:
    """A story whose columns still do not end level after a change of tracking, or whose
    columns differ by two lines or more (balancing has already made them as level as the
    line breaks allow, so tracking seldom fixes that), is set one column narrower (fewer
    "legs"), as a desk would, down to two columns."""
    changed = dict(legs)
    for finding in findings:
        if (finding.check == "column-balance" and finding.severity == "error"
                and (finding.target in steps or finding.lines >= 2) and finding.amount > 2):
            changed[finding.target] = int(finding.amount) - 1
    return changed


def next_frames(frames: dict[str, float], findings) -> dict[str, float]:
    """Column blocks set to the whole number of grid lines they need."""
    changed = dict(frames)
    for finding in findings:
        if finding.check == "off-grid-frame":
            changed[finding.target] = finding.amount
    return changed


def next_nudges(nudges: dict[str, float], findings, line_height: float,
                skip_pages: set[int] = frozenset()) -> dict[str, float]:
    """Move each off-grid section down onto the grid (except on `skip_pages`, where something
    above it is being moved already).

    A nudge moves everything after it on the page too, so each section's own nudge is what
    it needs less what the sections above it on the same page were already moved by.
    """
    changed = dict(nudges)
    moved: dict[int, float] = defaultdict(float)
    for finding in findings:  # in page order, sections top to bottom
        if finding.check != "off-grid" or finding.page in skip_pages:
            continue
        extra = (finding.amount - moved[finding.page]) % line_height
        if extra > 0.5:
            changed[finding.target] = round((changed.get(finding.target, 0.0) + extra) % line_height, 2)
            moved[finding.page] += extra
    return changed


def next_adjustment(steps: dict[str, int], findings) -> dict[str, int] | None:
    """Each failing target moves to its next step; None when nothing is left to try."""
    checks: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        if finding.check in FIXABLE and finding.target:
            checks[finding.target].add(finding.check)
    changed = dict(steps)
    for target in sorted(checks):
        first = min(FIRST_STEP.get(check, 0) for check in checks[target])
        index = steps[target] + 1 if target in steps else first
        if index < len(STEPS):
            changed[target] = index
    return changed if changed != steps else None
