"""Stylesheets parsed once per process (WeasyPrint's `css.CSS`, wrapped while laying out).

A stylesheet WeasyPrint finds in the HTML (a <link> to a file in layouts/, or a <style>) is
parsed once per process and reused by every later edition, format and copyfit pass with the
same source: tinycss2 parsing the print CSS and fonts.css again was a twentieth of a render.
What a stylesheet registers beyond its rules (counter styles, colour profiles) is registered
again, and the fetches its first parse made are logged again, so the sandbox's log reads as
if it had been parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

_MOST_STYLESHEETS = 64


class _Parsed(NamedTuple):
    """A stylesheet parsed once (see reused_stylesheets), with what it registered."""

    sheet: object  # weasyprint.CSS
    font_config: object  # its @font-face rules were loaded into this one (held: see key)
    counter_styles: dict
    color_profiles: dict
    served: list[str]  # the fetches its parse made
    refused: list[str]


# Stylesheets parsed in this process, by their source.
_stylesheets: dict[tuple, _Parsed] = {}


def clear() -> None:
    """Forget every parsed stylesheet (their @font-face rules went with a font configuration)."""
    _stylesheets.clear()


@contextmanager
def reused_stylesheets(log, allowed_file: Callable[[str], Path | None]):
    """While inside, WeasyPrint's stylesheets are parsed once per process (see above).
    `log` is the sandbox's FetchLog; `allowed_file` maps a URL to the file the sandbox
    serves for it (None: refused)."""
    from weasyprint import css

    parse = css.CSS
    reusable = {"url", "string", "base_url", "url_fetcher", "media_type", "font_config",
                "counter_style", "color_profiles", "page_rules", "layers", "_check_mime_type"}

    def reused(**options):
        url, string = options.get("url"), options.get("string")
        path = allowed_file(url) if url is not None else None
        if set(options) - reusable or (url is None) == (string is None) or (url and not path):
            return parse(**options)  # an @import into its parent, or a refused URL
        key = (url, options.get("base_url"), string if path is None else path.read_bytes(),
               options["media_type"], id(options["font_config"]))
        if key not in _stylesheets:
            if len(_stylesheets) >= _MOST_STYLESHEETS:
                _stylesheets.clear()
            served, refused = len(log.served), len(log.refused)
            # Its own page rules, layers and counter styles, not the document's, so that it
            # carries only its own to the next document.
            counters, profiles = type(options["counter_style"])(), {}
            sheet = parse(**{**options, "counter_style": counters, "color_profiles": profiles,
                             "page_rules": None, "layers": None})
            _stylesheets[key] = _Parsed(sheet, options["font_config"], counters, profiles,
                                        log.served[served:], log.refused[refused:])
        else:
            log.served.extend(_stylesheets[key].served)
            log.refused.extend(_stylesheets[key].refused)
        parsed = _stylesheets[key]
        options["counter_style"].update(parsed.counter_styles)
        options["color_profiles"].update(parsed.color_profiles)
        return parsed.sheet

    css.CSS = reused
    try:
        yield
    finally:
        css.CSS = parse
