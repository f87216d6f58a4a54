"""Where printpost's own files live: layouts and bundled fonts (beside the package)."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
LAYOUTS_DIR = PROJECT_DIR / "layouts"
FONTS_DIR = PROJECT_DIR / "fonts"
