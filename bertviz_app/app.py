"""Composition root: the only place that wires engine, controller and window together."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys

from bertviz_app import APP_NAME

REMEMBERED_MODEL_TIMEOUT_S = 60.0  # bert-large loads in ~10 s from a slow disk
DEMO_TEXT = (
    "The children [MASK] playing in the park."  # chosen by scripts/ship_default_model.py (evaluation.json "examples")
)


def create_app(argv=None, language: str | None = None):
    """The QApplication, with the translators of `language` installed before any widget exists (None: the
    system's locale decides; see ui/i18n.py)."""
    from PySide6.QtWidgets import QApplication

    from bertviz_app.ui.i18n import install_translators, resolve_language

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("BERT Explorer")
    install_translators(app, resolve_language(language))
    return app


def opening_sentence(text: str | None, pair: str | None, settings) -> tuple[str, str | None]:
    """What the window opens with: the sentence given on the command line, else the one open when the app last
    closed, else (the first time) an example to start from."""
    if text is not None:
        return text, pair
    return settings.sentence or (DEMO_TEXT, None)


def build_window(model: str | None = None, text: str | None = None, pair: str | None = None, settings=None):
    """The controller and window, with the model loading on the worker. Returns (window, controller)."""
    from PySide6.QtCore import QCoreApplication

    from bertviz_app.controller import Controller
    from bertviz_app.ui.main_window import MainWindow
    from bertviz_app.ui.settings import Settings

    settings = settings or Settings()
    controller = Controller()
    window = MainWindow(controller, settings)
    controller.scan_cache()  # the Model menu's list of models, read off the GUI thread
    spec = model or settings.model
    remembered = model is None and spec != "default"
    if text:
        window.sentence.text_a.setText(text)
        if pair:
            window.sentence.text_b.setText(pair)
            window.sentence.pair_toggle.setChecked(True)
        controller.set_text(text, pair, immediate=True)
    controller.device_preference = settings.device
    # A remembered model that does not load in time (a slow or hung disk) gives way to the bundled one.
    controller.load_model(spec, timeout_s=REMEMBERED_MODEL_TIMEOUT_S if remembered else None)

    # Problems with the settings file are a note in the status bar: at once, and again once the model has
    # loaded (whose "Loading …" / "Loaded …" messages would otherwise replace it within a second).
    def note(message: str) -> None:
        window.statusBar().showMessage(
            QCoreApplication.translate("app", "Note: {message}").format(message=message), 15000
        )

    if settings.problem:
        note(settings.problem)

        def note_again(_summary):
            controller.model_loaded.disconnect(note_again)
            note(settings.problem)

        controller.model_loaded.connect(note_again)
    settings.on_write_problem = note
    # The sentence is saved shortly after each change, so that a crash does not lose it.
    controller.input_changed.connect(lambda inp: settings.set_sentence(inp.text, inp.text_b))
    if model is None and settings.first_start:
        # Next to the bundled model, a real one: offered in the status bar if the Hub answers within seconds.
        from bertviz_app.engine.catalog import FIRST_START_OFFER

        controller.offer_download(FIRST_START_OFFER)
    # torch, Qt and pyqtgraph leave ~200,000 long-lived objects; a full garbage collection walking them took
    # 80 ms of the GUI thread, now and then, while typing. Frozen, later collections see only new objects.
    gc.freeze()
    if remembered:
        # If the remembered model is gone, slow or cancelled, fall back to the bundled one, not an empty window.
        def fallback(_message):
            for signal in (controller.model_load_failed, controller.model_load_cancelled):
                signal.disconnect(fallback)
            if controller.model_summary is None:
                controller.load_model("default")

        controller.model_load_failed.connect(fallback)
        controller.model_load_cancelled.connect(fallback)
    return window, controller


@contextlib.contextmanager
def scratch_window(
    model: str | None,
    text: str | None,
    pair: str | None = None,
    view: str = "attention",
    view_arg: str | None = None,
    lesson: str | None = None,
    step: int = 1,
    presenter: bool = False,
    size: tuple[int, int] = (1360, 860),
    language: str | None = None,
    workspace: str | None = None,
):
    """The main window with throw-away settings (so it neither reads nor changes the user's), after its first
    result: yields (app, window, controller, ok) where ok says whether the model answered in time. `lesson`
    (a lesson file) opens at `step` (from 1) over what the other arguments set; `presenter`: in the presenter
    view (not full screen: at `size`); `language`: the interface's (None: the system's); `workspace` (a workspace
    file) is opened after the first result, and ok also says whether it could be."""
    import tempfile

    from PySide6.QtCore import QSettings

    from bertviz_app.ui.settings import Settings

    app = create_app(language=language)
    with tempfile.TemporaryDirectory(prefix="bertviz-scratch-") as scratch:
        store = QSettings(os.path.join(scratch, "settings.ini"), QSettings.IniFormat)
        window, controller = build_window(model or "default", text or DEMO_TEXT, pair, Settings(store))
        window.show_view(view, view_arg)
        window.resize(*size)
        window.show()
        if lesson is not None:
            from bertviz_app.ui.lesson_panel import open_lesson

            open_lesson(window, lesson, step, model_loading=model or "default")
        if presenter:
            window.presenter.set_on(True, full_screen=False, size=size)
        window.resize(*size)  # the lesson's dock widens the window; a screenshot is the size asked for
        ok = controller.wait_until_idle(120_000) and controller.current_result is not None
        if ok and workspace is not None:
            ws = window.workspaces
            ok = _until(app, ws.opened, ws.failed, lambda: ws.open(workspace)) and controller.wait_until_idle(120_000)
        window.wait_until_drawn(30_000)  # panels that draw in slices between events (the attention grid)
        for _ in range(5):
            app.processEvents()
        if (window.width(), window.height()) != tuple(size):  # docks laid out late grow the window: back to size
            window.resize(*size)
            for _ in range(5):
                app.processEvents()
            window.wait_until_drawn(30_000)
        try:
            yield app, window, controller, ok
        finally:
            controller.shutdown()
            window.close()


def _until(app, done, failed, start, timeout_s: float = 120.0) -> bool:
    """Call `start()`, then process events until the signal `done` (True) or `failed` (False) is emitted."""
    import time

    outcome: list[bool] = []
    done.connect(lambda *_: outcome.append(True))
    failed.connect(lambda *_: outcome.append(False))
    start()
    deadline = time.monotonic() + timeout_s
    while not outcome and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    return outcome[:1] == [True]


def take_screenshot(
    path: str,
    model: str | None,
    text: str | None,
    pair: str | None,
    *options,
    dump_state: str | None = None,
    **keywords,
) -> int:
    """Render the main window offscreen after one inference (and what the view starts) and save it as PNG;
    `dump_state`: also write the window's state there, as a workspace file. `options`/`keywords`: the rest of
    scratch_window's arguments (view, view_arg, lesson, step, presenter, size, workspace)."""
    with scratch_window(model, text, pair, *options, **keywords) as (app, window, _controller, ok):
        if not ok:
            box = getattr(window, "last_error_box", None)  # the dialog a user would have seen
            reason = box.text() if box is not None else "the model gave no result in time"
            print(f"bertviz-app: error: no result to show: {reason}", file=sys.stderr)
            return 2
        if not window.grab().save(path, "PNG"):
            print(f"bertviz-app: error: cannot write {path}", file=sys.stderr)
            return 2
        ws = window.workspaces
        if dump_state is not None and not _until(app, ws.saved, ws.failed, lambda: ws.save(dump_state)):
            print(f"bertviz-app: error: cannot write the state to {dump_state}", file=sys.stderr)
            return 2
    print(f"saved {path}")
    return 0


def smoke_test(model: str | None = None, text: str | None = None) -> int:
    """Self-test of an installation (e.g. a packaged bundle): the main window built offscreen, one inference
    with the bundled model, one line with the top prediction. Leaves the user's preferences alone."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    with scratch_window(model, text) as (_app, _window, controller, ok):
        result, summary = controller.current_result, controller.model_summary
    if not ok or summary is None:
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
    from bertviz_app.ui.i18n import resolve_language

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if getattr(args, "smoke", False):
        return smoke_test(args.model, args.text)
    lesson, model, text = _lesson_start(args)
    if getattr(args, "dump_state", None) and not args.screenshot:
        raise ValueError("--dump-state writes the state of a headless run: give --screenshot too")
    if args.screenshot:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return take_screenshot(
            args.screenshot,
            model,
            text,
            args.pair,
            args.view,
            args.view_arg,
            lesson=lesson,
            step=getattr(args, "step", 1),
            presenter=getattr(args, "presenter", False),
            size=_window_size(getattr(args, "window_size", None)),
            language=getattr(args, "lang", None),
            workspace=getattr(args, "workspace", None),
            dump_state=getattr(args, "dump_state", None),
        )
    from bertviz_app.ui.settings import Settings

    settings = Settings()  # before the application: it holds the language chosen in View ▸ Language
    app = create_app(language=resolve_language(getattr(args, "lang", None), settings.language))
    window, _controller = build_window(model, *opening_sentence(text, args.pair, settings), settings)
    window.show_view(args.view, args.view_arg)
    window.show()
    if lesson is not None:
        from bertviz_app.ui.lesson_panel import open_lesson

        open_lesson(window, lesson, args.step, model_loading=model or settings.model)
    if getattr(args, "workspace", None):
        window.workspaces.open(args.workspace)  # applied once its model has loaded; a problem gets a message
    if getattr(args, "presenter", False):
        window.presenter.set_on(True)
    return app.exec()


def _window_size(text: str | None) -> tuple[int, int]:
    if not text:
        return 1360, 860
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and 320 <= int(width) <= 8000 and 240 <= int(height) <= 8000):
        raise ValueError(f"--window-size {text!r}: give WIDTHxHEIGHT in pixels, e.g. 1024x768")
    return int(width), int(height)


def _lesson_start(args) -> tuple[str | None, str | None, str | None]:
    """--lesson/--step: (the lesson file, the model and the text to open with). A broken lesson or a step it
    does not have is an error (exit 2, before any window)."""
    if not getattr(args, "lesson", None):
        return None, args.model, args.text
    from bertviz_app.lessons import load_lesson
    from bertviz_app.ui.views import view_names

    lesson = load_lesson(args.lesson, view_names())
    if not 1 <= args.step <= len(lesson.steps):
        raise ValueError(f"--step {args.step}: {lesson.name} has steps 1 to {len(lesson.steps)}")
    state = lesson.state(args.step - 1)
    return lesson.path, state.model, args.text or state.text  # the lesson sets its model
