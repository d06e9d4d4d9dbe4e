"""The lesson panel: a dock beside the views that walks a class through a lesson (bertviz_app/lessons.py).

Each step sets the window up (input, model, view, layer/head, the token it points at, a highlighted panel) and
shows its text, with live values filled in from the model's answer. Space, PageDown (what presenter clickers
send) or Next advance; PageUp or Back go back; the list jumps to any phase or step. The Lessons menu opens one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bertviz_app.lessons import (
    Lesson,
    LessonError,
    StepState,
    bundled_lessons,
    fill_live,
    find_token,
    load_lesson,
    mask_spans,
)
from bertviz_app.ui import theme
from bertviz_app.ui.token_chips import TokenChips
from bertviz_app.ui.views import view_names

log = logging.getLogger(__name__)

SPOTLIGHT = QColor("#f4a100")  # amber: reads on light panels and on a projector
STEP_ROLE = Qt.UserRole + 1


class Spotlight(QWidget):
    """A thick frame drawn over one widget of the window (mouse events pass through), following its geometry."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WA_NoSystemBackground)
        self._target: QWidget | None = None
        self.hide()

    @property
    def target(self) -> QWidget | None:
        return self._target

    def point_at(self, target: QWidget | None) -> None:
        if self._target is not None:
            self._target.removeEventFilter(self)
        self._target = target
        if target is None:
            self.hide()
            return
        target.installEventFilter(self)
        self._follow()
        self.show()
        self.raise_()

    def _follow(self) -> None:
        if self._target is None:
            return
        top_left = self._target.mapTo(self.parentWidget(), self._target.rect().topLeft())
        self.setGeometry(QRect(top_left, self._target.size()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Resize, QEvent.Move, QEvent.Show):
            self._follow()
            self.raise_()
        return False

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        pen = QPen(SPOTLIGHT, 5)
        painter.setPen(pen)
        painter.drawRoundedRect(self.rect().adjusted(3, 3, -3, -3), 8, 8)


class LessonPanel(QDockWidget):
    """The dock. `open(lesson, step)` shows a lesson; `go(index)`, `next()`, `back()` move through it."""

    step_changed = Signal(int)  # the step index shown (0-based)

    def __init__(self, window):
        super().__init__(QCoreApplication.translate("LessonPanel", "Lesson"), window)
        self.setObjectName("lesson-dock")
        self.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea | Qt.BottomDockWidgetArea)
        self._window = window
        self._controller = window.controller
        self.lesson: Lesson | None = None
        self.index = 0
        self._awaiting = False  # the step's input is on its way: its live values wait for its result
        self._model_asked: str | None = None  # the model spec the lesson last asked for
        self.spotlight = Spotlight(window)

        body = QWidget()
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.where_label = QLabel()
        self.where_label.setStyleSheet(f"color: {theme.MUTED_TEXT.name()};")
        self.where_label.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.text.setAccessibleName(self.tr("Lesson step"))
        self.text.setMinimumHeight(60)
        self.steps = QListWidget()
        self.steps.setAccessibleName(self.tr("Phases and steps"))
        self.steps.setMaximumHeight(180)
        self.back_button = QPushButton(self.tr("◀ Back"))
        self.back_button.setToolTip(self.tr("The previous step (PageUp)"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.next_button.setToolTip(self.tr("The next step (Space or PageDown, as a presenter clicker sends)"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(body)
        layout.addWidget(self.title_label)
        layout.addWidget(self.where_label)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.steps_label = QLabel(self.tr("Phases and steps:"))
        layout.addWidget(self.steps_label)
        layout.addWidget(self.steps)
        self.setWidget(body)
        self.setMinimumWidth(260)

        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.steps.itemActivated.connect(self._jump)
        self.steps.itemClicked.connect(self._jump)
        self._controller.result_ready.connect(self._result)
        # Space advances unless a text field or the token chips have the keyboard (there it types or masks).
        self.space = QShortcut(QKeySequence(Qt.Key_Space), window, self._space)
        self.space.setContext(Qt.WindowShortcut)
        self.space.setEnabled(False)
        self.visibilityChanged.connect(self._visibility)

    # ---- moving through a lesson --------------------------------------------------------------------------
    @property
    def state(self) -> StepState | None:
        return None if self.lesson is None else self.lesson.state(self.index)

    def open(self, lesson: Lesson, step: int = 0, model_loading: str | None = None) -> None:
        """Show `lesson` at `step` (0-based, clamped). `model_loading`: the model the window is loading already,
        so the first step does not ask for it again."""
        self.lesson = lesson
        self._model_asked = model_loading
        self.setWindowTitle(self.tr("Lesson: {title}").format(title=lesson.title))
        self.steps.clear()
        for phase, first in lesson.phases:
            item = QListWidgetItem(phase)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setData(STEP_ROLE, first)
            self.steps.addItem(item)
            for i in range(first, len(lesson.steps)):
                if lesson.steps[i].phase != phase:
                    break
                child = QListWidgetItem(f"    {i + 1}. {lesson.steps[i].title}")
                child.setData(STEP_ROLE, i)
                self.steps.addItem(child)
        self.show()
        self.go(step)

    def go(self, index: int) -> None:
        if self.lesson is None:
            return
        self.index = max(0, min(len(self.lesson.steps) - 1, index))
        self._apply(self.lesson.state(self.index))
        for row in range(self.steps.count()):
            item = self.steps.item(row)
            if item.data(STEP_ROLE) == self.index and not item.font().bold():
                self.steps.setCurrentItem(item)
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.lesson.steps) - 1)
        self._render()
        self.step_changed.emit(self.index)

    def next(self) -> None:
        self.go(self.index + 1)

    def back(self) -> None:
        self.go(self.index - 1)

    def close_lesson(self) -> None:
        self.lesson = None
        self.spotlight.point_at(None)
        self.hide()

    def _jump(self, item: QListWidgetItem) -> None:
        index = item.data(STEP_ROLE)
        if index is not None and index != self.index:
            self.go(int(index))

    def _space(self) -> None:
        focus = QApplication.focusWidget()
        if isinstance(focus, TokenChips | QLineEdit):
            QCoreApplication.sendEvent(focus, QKeyEvent(QEvent.KeyPress, Qt.Key_Space, Qt.NoModifier, " "))
            return
        self.next()

    def _visibility(self, visible: bool) -> None:
        self.space.setEnabled(visible and self.lesson is not None)
        if not visible:
            self.spotlight.point_at(None)
        elif self.lesson is not None:
            self._point(self.lesson.state(self.index))

    # ---- setting the window up ----------------------------------------------------------------------------
    def _apply(self, state: StepState) -> None:
        window, controller = self._window, self._controller
        summary = controller.model_summary
        if state.model != self._model_asked and not _is_model(summary, state.model):
            controller.load_model(state.model)
            self._awaiting = True
        self._model_asked = state.model
        before = controller.current_input
        controller.set_input(
            state.text,
            state.pair,
            masked_spans=mask_spans(state),
            whole_word=state.whole_word,
            knocked_out=state.knocked_out,
        )
        if state.pair is None and window.sentence.pair_toggle.isChecked():
            window.sentence.pair_toggle.setChecked(False)
        self._awaiting = self._awaiting or controller.current_input != before or controller.current_result is None
        window.show_view(state.view, state.view_argument())
        if state.view == "embeddings" and state.layer is not None:
            try:
                window.views["embeddings"].set_layer(state.layer)
            except IndexError as exc:  # a model with fewer layers than the lesson was written for
                log.warning("lesson: %s", exc)
        if state.layer and state.view in ("attention", "neurons"):
            window.selection.set_head(state.layer - 1, -1 if state.head is None or state.head < 0 else state.head - 1)
        self._select_token(controller.current_result if not self._awaiting else None)
        self._point(state)

    def _point(self, state: StepState) -> None:
        window = self._window
        targets = {
            "sentence": window.sentence,
            "token": window.sentence,
            "predictions": window.predictions,
            "view": window.tabs,
        }
        target = targets.get(state.highlight or "")
        if state.highlight in window.views:  # a view by name: bring it to the front and frame the tabs
            window.show_view(state.highlight)
            target = window.tabs
        self.spotlight.point_at(target if self.isVisible() else None)

    def _select_token(self, result) -> None:
        state = self.state
        if state is None or state.token is None or result is None:
            return
        index = find_token(result.encoding.display_tokens, state.token)
        if index is not None:
            self._window.select_token(index)

    def _result(self, result) -> None:
        if self.lesson is None:
            return
        self._awaiting = False
        self._select_token(result)
        self._render()

    def _render(self) -> None:
        lesson, state = self.lesson, self.state
        if lesson is None or state is None:
            return
        step = lesson.steps[self.index]
        result = None if self._awaiting else self._controller.current_result
        self.title_label.setText(step.title)
        self.where_label.setText(
            self.tr("{lesson} · {phase} · step {step} of {steps}").format(
                lesson=lesson.title, phase=step.phase, step=self.index + 1, steps=len(lesson.steps)
            )
        )
        self.text.setMarkdown(fill_live(step.body, result, state))

    def set_compact(self, compact: bool) -> None:
        """Under the panels on a small projector: the text and the buttons only (PageUp/PageDown still move)."""
        self.steps.setVisible(not compact)
        self.steps_label.setVisible(not compact)
        self.where_label.setVisible(not compact)

    @property
    def awaiting(self) -> bool:
        """The step's input is on its way to the model: its live values show "…" until the answer comes."""
        return self._awaiting

    def live_text(self) -> str:
        """The step's text as shown (plain), for tests and the presenter."""
        return self.text.toPlainText()


def _is_model(summary, spec: str) -> bool:
    if summary is None:
        return False
    if spec == "default":
        return summary.source == "bundled"
    return spec in (summary.name, summary.path) or Path(spec).resolve() == Path(summary.path).resolve()


# ---- the window's Lessons menu -------------------------------------------------------------------------------
def lesson_panel(window) -> LessonPanel:
    """The window's lesson dock, made the first time it is needed."""
    panel = getattr(window, "lesson_panel", None)
    if panel is None:
        panel = window.lesson_panel = LessonPanel(window)
        window.addDockWidget(Qt.RightDockWidgetArea, panel)
        panel.hide()
        panel.step_changed.connect(lambda _i: _enable_steps(window))
        panel.visibilityChanged.connect(lambda _v: _enable_steps(window))
    return panel


def open_lesson(window, name_or_path, step: int = 1, model_loading: str | None = None) -> bool:
    """Open a lesson (a bundled name or a file) at `step` (from 1). A broken file gets a message naming its line,
    and whatever was on show stays."""
    try:
        lesson = load_lesson(name_or_path, view_names())
    except LessonError as exc:
        box = QMessageBox(
            QMessageBox.Warning,
            QCoreApplication.translate("lesson_panel", "Could not open the lesson"),
            str(exc),
            QMessageBox.Ok,
            window,
        )
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
        window.last_error_box = box
        return False
    lesson_panel(window).open(lesson, step - 1, model_loading)
    return True


def _enable_steps(window) -> None:
    panel = getattr(window, "lesson_panel", None)
    on = panel is not None and panel.lesson is not None and panel.isVisible()
    for action in getattr(window, "lesson_step_actions", ()):
        action.setEnabled(on)


def add_lessons_menu(window, menubar) -> None:
    """Lessons ▸ each bundled lesson, Open lesson file…, Next step, Previous step, Close the lesson."""
    menu = menubar.addMenu(QCoreApplication.translate("lesson_panel", "&Lessons"))
    window.lessons_menu = menu
    for number, path in enumerate(bundled_lessons(), start=1):
        try:
            title = load_lesson(path, view_names()).title
        except LessonError as exc:  # a broken bundled lesson is a bug, but must not break the window
            log.warning("%s", exc)
            continue
        shortcut = f"Alt+Shift+{number}" if number < 10 else None
        # the lesson's own title: lessons are written in English (resources/lessons/README.md)
        window._action(menu, title, lambda _=False, p=str(path): open_lesson(window, p), shortcut).setData("lesson")
    menu.addSeparator()
    window._action(
        menu,
        QCoreApplication.translate("lesson_panel", "&Open lesson file…"),
        lambda: _open_file(window),
        "Ctrl+Shift+O",
    )
    menu.addSeparator()
    nxt = window._action(
        menu, QCoreApplication.translate("lesson_panel", "&Next step"), lambda: lesson_panel(window).next(), "PgDown"
    )
    prev = window._action(
        menu, QCoreApplication.translate("lesson_panel", "&Previous step"), lambda: lesson_panel(window).back(), "PgUp"
    )
    close = window._action(
        menu,
        QCoreApplication.translate("lesson_panel", "&Close the lesson"),
        lambda: lesson_panel(window).close_lesson(),
        "Ctrl+Alt+L",
    )
    window.lesson_step_actions = (nxt, prev, close)
    _enable_steps(window)


def _open_file(window) -> None:
    title = QCoreApplication.translate("lesson_panel", "Open a lesson")
    path, _ = QFileDialog.getOpenFileName(
        window, title, "", QCoreApplication.translate("lesson_panel", "Lessons (*.md)")
    )
    if path:
        open_lesson(window, path)
