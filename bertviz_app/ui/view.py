"""What every view (a tab of the main window) shares: the View base and the one shared Selection.

A view is built from the controller and the selection, `View(controller, selection)`. The window gives the
view in front each new result (`set_result`) and each message (`clear`); the view renders from the result and
from the selection only, and starts its analyses on the controller (`controller.start`), listening to its
own run. The base owns the layout skeleton (a row of controls above a page that is either the content or a
centred message), the busy state, export through ui/exporting.py, and following the selected token.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtWidgets

from bertviz_app.ui.exporting import export_button, save_with_dialog
from bertviz_app.ui.flow_layout import FlowRow
from bertviz_app.ui.message_stack import MessageStack
from bertviz_app.ui.token_axis import TokenAxis

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult

log = logging.getLogger(__name__)


@contextlib.contextmanager
def blocked(*widgets: QtCore.QObject) -> Iterator[None]:
    """Set controls to what the view shows without their signals asking the view to show it again."""
    before = [w.blockSignals(True) for w in widgets]
    try:
        yield
    finally:
        for widget, was in zip(widgets, before):
            widget.blockSignals(was)


def read_only(attribute: str) -> property:
    """A read-only property returning `attribute`: what a view shows (its layer, head, mode, ...), to read
    from outside without the three lines of a getter each."""
    return property(lambda self: getattr(self, attribute), doc=f"The view's {attribute.lstrip('_')} (read only).")


class Selection(QtCore.QObject):
    """What the user has picked, shared by every view: a token (None: none) and a layer and head (head -1:
    the mean over the layer's heads). Views that show one of them follow it; choosing one anywhere sets it.

    And, while the presenter's laser pointer is on (`set_laser`), the token under the mouse in any view or in
    the chips (`hovered`): every view marks it through `View.set_hovered_token`, without changing the selection."""

    token_changed = QtCore.Signal(int)  # the token index, -1 for none
    head_changed = QtCore.Signal(int, int)  # (layer, head), 0-based; head -1 for the mean over heads
    hover_changed = QtCore.Signal(int)  # the token pointed at, -1 for none (only while the laser is on)

    def __init__(self, parent: QtCore.QObject | None = None):
        super().__init__(parent)
        self.token: int | None = None
        self.layer, self.head = 0, 0
        self.hovered: int | None = None
        self.laser = False

    def set_laser(self, on: bool) -> None:
        """The laser pointer on (hovering a token marks it everywhere) or off (the mark goes)."""
        self.laser = bool(on)
        if not on:
            self.set_hovered(None)

    def set_hovered(self, index: int | None) -> None:
        """The token under the mouse (None or -1: none); nothing while the laser is off."""
        index = None if index is None or index < 0 or not self.laser else int(index)
        if index != self.hovered:
            self.hovered = index
            self.hover_changed.emit(-1 if index is None else index)

    def set_token(self, index: int | None) -> None:
        """Select a token everywhere (said again even when unchanged: a view may have dropped it for a shorter
        result meanwhile)."""
        self.token = None if index is None or index < 0 else int(index)
        self.token_changed.emit(-1 if self.token is None else self.token)

    def set_head(self, layer: int, head: int) -> None:
        if (layer, head) != (self.layer, self.head):
            self.layer, self.head = int(layer), int(head)
            self.head_changed.emit(self.layer, self.head)


class View(QtWidgets.QWidget):
    """The base of every view. Subclasses build their controls into `self.controls` and their content into
    `self.content_layout` (a vertical layout on the content page), and implement `show_result(result)`; they may
    override `reset()` (forget the result's drawing), `prepare_view(arg)` (--view-arg), `busy`,
    `set_selected_token(index)` and `export_formats()`."""

    empty_message = ""  # what a view shows without a sentence (translated); "": the base's own message
    token_selected = QtCore.Signal(int)  # the user picked a token in this view; the selection follows
    token_hovered = QtCore.Signal(int)  # the mouse is over a token in this view (-1: over none): the laser follows

    def __init__(self, controller=None, selection: Selection | None = None, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.selection = selection if selection is not None else Selection(self)
        self._result: InferenceResult | None = None
        self._needs_result: list[QtWidgets.QWidget] = []  # disabled while a message is shown
        self.readout_label: QtWidgets.QLabel | None = None
        self.export_button: QtWidgets.QToolButton | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self.controls = FlowRow(spacing=8)  # wraps onto more lines in a narrow window
        layout.addLayout(self.controls)
        self._stack = MessageStack()
        self.message_label = self._stack.label
        self.content_layout = self._stack.new_content(spacing=4)
        layout.addWidget(self._stack, 1)
        self.token_selected.connect(lambda i: self.selection.set_token(self.token_index(i)))
        self.selection.token_changed.connect(lambda i: self.set_selected_token(None if i < 0 else self.shown_index(i)))
        self.selection.head_changed.connect(self.follow_head)
        self.token_hovered.connect(lambda i: self.selection.set_hovered(self.token_index(i)))
        self.selection.hover_changed.connect(lambda i: self.set_hovered_token(None if i < 0 else self.shown_index(i)))

    # ---- building blocks -----------------------------------------------------------------------------------
    def needs_result(self, *widgets: QtWidgets.QWidget) -> None:
        """Widgets that mean nothing without a result: disabled while a message is shown."""
        self._needs_result.extend(widgets)

    def layer_head_spins(self, layer_tip: str, head_tip: str = "") -> tuple[QtWidgets.QSpinBox, QtWidgets.QSpinBox]:
        """The "Layer n / L" and "Head n / H" boxes (1-based on screen); a change calls `_on_controls_changed`."""
        layer, head = QtWidgets.QSpinBox(), QtWidgets.QSpinBox()
        for spin, prefix, tip in ((layer, self.tr("Layer "), layer_tip), (head, self.tr("Head "), head_tip)):
            spin.setPrefix(prefix)
            spin.setToolTip(tip)
            spin.valueChanged.connect(self._on_controls_changed)
        return layer, head

    def show_layer_head(self, num_layers: int, num_heads: int, layer: int, head: int) -> None:
        """The layer/head boxes of `layer_head_spins` for a model of this size, showing `layer` and `head`
        (0-based; shown from 1 as "3 / 6"), without their signals."""
        with blocked(self.layer_spin, self.head_spin):
            for spin, count, value in ((self.layer_spin, num_layers, layer), (self.head_spin, num_heads, head)):
                spin.setRange(1, count)
                spin.setSuffix(f" / {count}")
                spin.setValue(value + 1)

    def _on_controls_changed(self, *_args) -> None:
        """A control of the view changed (views with layer/head boxes implement it)."""

    def add_readout(self, legend: str = "") -> QtWidgets.QLabel:
        """A line under the content for hover read-outs (and a legend on its right); returns the legend label."""
        bottom = QtWidgets.QHBoxLayout()
        self.readout_label = QtWidgets.QLabel(" ")
        self.readout_label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        legend_label = QtWidgets.QLabel(legend)
        legend_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        bottom.addWidget(self.readout_label, 1)
        bottom.addWidget(legend_label)
        self.content_layout.addLayout(bottom)
        return legend_label

    def add_export_button(self, tooltip: str = "", stretch: int = 1) -> QtWidgets.QToolButton:
        """The Export button, its menu made from `export_formats()`, at the right end of the controls (after a
        stretch of `stretch`)."""
        actions = [(label, lambda _=False, k=kind: self.export(k)) for label, kind in self.export_formats()]
        self.export_button = export_button(actions, tooltip)
        self.controls.addStretch(stretch)
        self.controls.addWidget(self.export_button)
        self.needs_result(self.export_button)
        return self.export_button

    # ---- results and messages ------------------------------------------------------------------------------
    @property
    def result(self) -> InferenceResult | None:
        return self._result

    def set_result(self, result: InferenceResult | None) -> None:
        """Show a new result (None: the empty message)."""
        if result is None:
            self.clear(self.empty_message or self.tr("No sentence yet: type one above."))
            return
        self._result = result
        self.show_result(result)

    def show_result(self, result: InferenceResult) -> None:
        raise NotImplementedError

    def clear(self, message: str = "") -> None:
        """Forget the result and show `message` (e.g. "Loading…") where the content was."""
        self._result = None
        self.reset()
        self._show_message(message)

    def reset(self) -> None:
        """Forget what was drawn for the last result (called by clear)."""

    def _show_message(self, message: str) -> None:
        self._stack.show_message(message)
        if self.readout_label is not None:
            self.readout_label.setText(" ")
        for widget in self._needs_result:
            widget.setEnabled(False)

    def _show_content(self) -> None:
        self._stack.show_content()

    def message(self) -> str | None:
        """The message shown instead of the content, or None while the content is shown."""
        return self._stack.message()

    @property
    def busy(self) -> bool:
        """Whether the view is still drawing in slices (the screenshot command waits for it)."""
        return False

    def prepare_view(self, arg: str) -> None:
        """What the command line's --view-arg asks of this view (see its ViewSpec's help)."""
        log.warning("this view takes no --view-arg; ignoring %r", arg)

    def set_selected_token(self, index: int | None) -> None:
        """The token selected anywhere (None: none); views that mark tokens override it."""

    def set_hovered_token(self, index: int | None) -> None:
        """The token the laser points at (None: none): marked on every token axis of the view. Views that draw
        tokens otherwise (points, chips) extend it."""
        for axis in self.token_axes():
            axis.set_hovered(index)

    def token_axes(self) -> list[TokenAxis]:
        """The token axes of the view's plots."""
        return [
            item
            for widget in self.findChildren(QtWidgets.QGraphicsView)
            for item in widget.items()
            if isinstance(item, TokenAxis)
        ]

    def shown_index(self, token: int) -> int | None:
        """Where this view shows token `token` (a view showing words: the word that holds it)."""
        return token

    def token_index(self, shown: int) -> int:
        """The token at index `shown` of what this view shows (a view showing words: the word's first token)."""
        return shown

    def follow_head(self, layer: int, head: int) -> None:
        """The layer and head chosen in another view (head -1: the mean); views that show one head override it."""

    # ---- export ---------------------------------------------------------------------------------------------
    def export_formats(self) -> list[tuple[str, str]]:
        """(menu label, kind) of each export this view offers; kind is a key of exporting.FILTERS, or
        "what.png" where a view offers two of one format."""
        return []

    def export_name(self, kind: str) -> str:
        """The file name the save dialog suggests."""
        return f"bert-explorer.{kind}"

    def writer(self, kind: str) -> Callable[[str], None]:
        """The function that writes this view's `kind` export to a path."""
        raise NotImplementedError

    def export(self, kind: str) -> None:
        """Ask where, then write the `kind` export there; a failure is a warning box."""
        save_with_dialog(self, self.tr("Export"), self.export_name(kind), kind.rsplit(".", 1)[-1], self.writer(kind))
