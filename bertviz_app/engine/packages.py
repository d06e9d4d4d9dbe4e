"""Where an installed package's files are, without importing it (no code from it ever runs).

In a PyInstaller bundle the package's Python code is not there at all: the build copies only the data files
we read (the MiniLM base's weights, when the base itself is the default model) to ``<bundle>/<name>/``, where
this looks first.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def package_dir(name: str) -> Path | None:
    """The folder of the installed package ``name`` (dotted names allowed), or None when there is none."""
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller in a frozen app
    if getattr(sys, "frozen", False) and bundle:
        candidate = Path(bundle).joinpath(*parts)
        if candidate.is_dir():
            return candidate
    try:
        spec = importlib.util.find_spec(name)  # for a dotted name this imports the parents, never `name`
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None  # missing, or a plain module rather than a package folder
    return Path(next(iter(spec.submodule_search_locations)))
