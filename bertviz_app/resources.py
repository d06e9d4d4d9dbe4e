"""One way to find bundled files, wherever the app runs from.

``resources/`` sits at the top of a source checkout; an installed wheel carries it as
``bertviz_app/_resources`` (see ``[tool.hatch.build.targets.wheel.force-include]``); a PyInstaller
bundle unpacks it to ``<bundle>/resources``. Nothing else in the code base should guess these paths.
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_roots() -> list[Path]:
    """Candidate folders holding the contents of ``resources/``, most specific first."""
    roots = []
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller in a frozen app
    if bundle:
        roots.append(Path(bundle) / "resources")
    roots.append(_PACKAGE_DIR / "_resources")  # installed wheel
    roots.append(_PACKAGE_DIR.parent / "resources")  # source checkout / editable install
    return roots


def resource_path(*parts: str) -> Path:
    """Absolute path of a bundled resource, e.g. ``resource_path("icons", "bert-explorer.svg")``."""
    for root in resource_roots():
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    searched = ", ".join(str(r) for r in resource_roots())
    raise FileNotFoundError(f"resource {'/'.join(parts)!r} not found (looked in {searched})")
