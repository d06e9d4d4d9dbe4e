"""Composition root: the only place that wires engine, controller and window together."""

from __future__ import annotations

import logging
import os
import sys

from bertviz_app import APP_NAME

DEMO_TEXT = "The cat sat on the [MASK] and looked at the bird."


def _list_models():
    from bertviz_app.engine.discovery import available_models

    return [(m.name, m.source) for m in available_models()]


def create_app(argv=None):
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("BERT Explorer")
    return app


def build_window(model: str | None = None, text: str | None = None, pair: str | None = None, settings=None):
    """The controller and window, with the model loading on the worker. Returns (window, controller)."""
    from bertviz_app.controller import Controller
    from bertviz_app.ui.main_window import MainWindow
    from bertviz_app.ui.settings import Settings

    settings = settings or Settings()
    controller = Controller()
    window = MainWindow(controller, settings, list_models=_list_models)
    if settings.problem:
        window.statusBar().showMessage(f"Note: {settings.problem}", 10000)
    spec = model or settings.model
    if text:
        window.sentence.text_a.setText(text)
        if pair:
            window.sentence.text_b.setText(pair)
            window.sentence.pair_toggle.setChecked(True)
        controller.set_text(text, pair, immediate=True)
    controller.load_model(spec)
    if model is None and spec != "default":
        # If the remembered model is gone, fall back to the bundled one rather than an empty window.
        def fallback(_message, _spec=spec):
            controller.model_load_failed.disconnect(fallback)
            if controller.model_summary is None:
                controller.load_model("default")

        controller.model_load_failed.connect(fallback)
    return window, controller


def take_screenshot(
    path: str, model: str | None, text: str | None, pair: str | None, view: str = "attention", size=(1360, 860)
) -> int:
    """Render the main window offscreen after one inference and save it as PNG."""
    import tempfile

    from PySide6.QtCore import QSettings

    from bertviz_app.ui.settings import Settings

    app = create_app()
    # A screenshot must not depend on (or change) the user's saved preferences.
    scratch = tempfile.TemporaryDirectory(prefix="bertviz-screenshot-")
    store = QSettings(os.path.join(scratch.name, "settings.ini"), QSettings.IniFormat)
    window, controller = build_window(model or "default", text or DEMO_TEXT, pair, Settings(store))
    window.show_view(view)
    window.resize(*size)
    window.show()
    if not controller.wait_until_idle(120_000) or controller.current_result is None:
        print(f"bertviz-app: error: no result to show ({controller.model_summary})", file=sys.stderr)
        return 2
    for _ in range(5):
        app.processEvents()
    ok = window.grab().save(path, "PNG")
    controller.shutdown()
    window.close()
    if not ok:
        print(f"bertviz-app: error: cannot write {path}", file=sys.stderr)
        return 2
    scratch.cleanup()
    print(f"saved {path}")
    return 0


def smoke_test(model: str | None = None, text: str | None = None) -> int:
    """Self-test of an installation (e.g. a packaged bundle): the main window built offscreen, one inference
    with the bundled model, one line with the top prediction. Leaves the user's preferences alone."""
    import tempfile

    from PySide6.QtCore import QSettings

    from bertviz_app.ui.settings import Settings

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = create_app()
    with tempfile.TemporaryDirectory(prefix="bertviz-smoke-") as scratch:
        store = QSettings(os.path.join(scratch, "settings.ini"), QSettings.IniFormat)
        window, controller = build_window(model or "default", text or DEMO_TEXT, None, Settings(store))
        window.show()
        idle = controller.wait_until_idle(120_000)
        app.processEvents()
        result, summary = controller.current_result, controller.model_summary
        controller.shutdown()
        window.close()
    if not idle or result is None or summary is None:
        print(f"bertviz-app: error: smoke test got no result ({summary})", file=sys.stderr)
        return 2
    if result.predictions and result.predictions[0].predictions:
        best = result.predictions[0].predictions[0]
        found = f"top prediction {best.token!r} ({best.probability:.1%})"
    else:
        found = "no masked-language-model head, so no prediction"
    print(f"smoke ok: {summary.name}: {found}, {len(result.tokens)} tokens, {result.seconds * 1000:.0f} ms")
    return 0


def run_gui(args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if getattr(args, "smoke", False):
        return smoke_test(args.model, args.text)
    if args.screenshot:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return take_screenshot(args.screenshot, args.model, args.text, args.pair, args.view)
    app = create_app()
    window, _controller = build_window(args.model, args.text, args.pair)
    window.show_view(args.view)
    window.show()
    return app.exec()
