"""Hatch build hook: the wheel carries the compiled translations (.qm, build outputs that git ignores).

scripts/i18n.py compiles resources/i18n/*.ts with Qt's lrelease (from PySide6-Essentials in the build
environment: `pip wheel --no-build-isolation .` in the project's .venv, as tests/test_resources.py does) into a
scratch folder, and the .qm files go into the wheel at bertviz_app/_resources/i18n/, where
bertviz_app.resources.resource_path finds them. Without lrelease the wheel is built without them (a warning
says so) and the app runs in English. An editable install needs nothing: scripts/bootstrap.sh compiles them
into resources/i18n/ of the checkout.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TranslationsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if self.target_name != "wheel" or version == "editable":
            return
        spec = importlib.util.spec_from_file_location("bertviz_i18n_build", Path(self.root) / "scripts" / "i18n.py")
        i18n = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(i18n)
        self._scratch = tempfile.mkdtemp(prefix="bertviz-qm-")
        try:
            built = i18n.build(Path(self._scratch))
        except FileNotFoundError as exc:  # no lrelease in this build environment
            self.app.display_warning(f"the wheel carries no translations (the app will be in English): {exc}")
            return
        for qm in built:
            build_data["force_include"][str(qm)] = f"bertviz_app/_resources/i18n/{qm.name}"

    def finalize(self, version, build_data, artifact_path):
        scratch = getattr(self, "_scratch", None)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
