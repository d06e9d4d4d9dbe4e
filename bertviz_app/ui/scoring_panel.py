"""Sentence scoring: how surprised the model is by each token, and which of two sentences it prefers.

The score is the pseudo-log-likelihood (analysis/scoring.py), run on the worker as the "score" analysis:
sentence 1 is the main sentence as typed; in minimal-pair mode a second sentence is typed here. Bars show
each token's surprise, -log p(token | rest of the sentence) in nats: tall bars are the tokens the model did
not expect. Scoring runs only while the tab is visible; a hidden tab catches up when it is shown.
"""

from __future__ import annotations

import difflib
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets

from bertviz_app.ui import theme
from bertviz_app.ui.view import View

if TYPE_CHECKING:
    from bertviz_app.analysis.inference import InferenceResult
    from bertviz_app.analysis.scoring import ScoreResult, SentenceScore

KIND = "score"
translate = QtCore.QCoreApplication.translate  # for module-level texts (context ScoringPanel)
DEBOUNCE_MS = 150
PAIR_EXAMPLE = "The keys to the cabinet is on the table."
VARIANTS = (  # (what the selector shows, translated when shown; the variant's name, kept in settings and runs)
    (QtCore.QT_TRANSLATE_NOOP("ScoringPanel", "Word by word (PLL-word-l2r)"), "word_l2r"),
    (QtCore.QT_TRANSLATE_NOOP("ScoringPanel", "Original PLL (token by token)"), "original"),
)
DIFFERS = theme.SELECTION  # tokens one sentence of a pair has and the other has not
MAX_LABEL_CHARS = 12
EQUAL_NATS = 0.005  # closer than this, the verdict says "equally likely"
_TYPED_MASK = re.compile(r"\[mask\]", re.IGNORECASE)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def nats(value: float) -> str:
    """A score as printed: two decimals and a real minus sign (a hyphen reads as a dash on a projector)."""
    return f"{value:.2f}".replace("-", "−")


def has_typed_mask(text: str) -> bool:
    return bool(_TYPED_MASK.search(text or ""))


def times_more_likely(nats: float) -> str:
    """exp(nats) as people say it: '1.3×', '10×', '2,981×', '5.2×10²¹×'."""
    ratio = math.exp(min(nats, 700.0))
    if ratio < 9.95:  # 9.97 would read "10.0×"
        return f"{ratio:.1f}×"
    if ratio < 99_999.5:
        return f"{ratio:,.0f}×"
    exponent = math.floor(math.log10(ratio))
    mantissa = ratio / 10**exponent
    return f"{mantissa:.1f}×10{str(exponent).translate(_SUPERSCRIPT)}×"


def verdict(total_1: float, total_2: float) -> str:
    """Plain words for the difference of two sentence scores (sums of log p, in nats)."""
    diff = total_1 - total_2
    if abs(diff) < EQUAL_NATS:
        return translate("ScoringPanel", "The model finds the two sentences equally likely.")
    text = translate("ScoringPanel", "The model prefers sentence {better} by {nats} nats ({times} more likely).")
    return text.format(better=1 if diff > 0 else 2, nats=f"{abs(diff):.2f}", times=times_more_likely(abs(diff)))


def differing_tokens(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[set[int], set[int]]:
    """Indices of the tokens of `a` and of `b` outside their longest common stretches (e.g. 'are' / 'is')."""
    only_a, only_b = set(range(len(a))), set(range(len(b)))
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        only_a -= set(range(block.a, block.a + block.size))
        only_b -= set(range(block.b, block.b + block.size))
    return only_a, only_b


def nice_step(top: float, ticks: int = 5) -> float:
    raw = max(top, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


class SurpriseChart(QtWidgets.QWidget):
    """One sentence's tokens as bars of surprise (-log p, nats), tokens underneath, the mean as a dashed line."""

    def __init__(self, parent: QtWidgets.QWidget | None = None):
        super().__init__(parent)
        self.score: SentenceScore | None = None
        self._highlight: set[int] = set()
        self._top = 1.0
        self.laser_token: int | None = None  # the presenter's laser: a token of the input (not of the bars)
        self.setMouseTracking(True)
        self.setMinimumSize(260, 240)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Expanding)

    def set_score(self, score: SentenceScore | None, highlight: set[int] = frozenset(), top: float = 1.0) -> None:
        """`top`: the y axis maximum in nats, shared by the two charts of a pair so that heights compare."""
        self.score = score
        self._highlight = set(highlight)
        self._top = max(top, 0.5)
        self.update()

    def surprises(self) -> list[float]:
        return [] if self.score is None else [-float(v) for v in self.score.log_probs]

    # ---- geometry -----------------------------------------------------------------------------------------

    def _fonts(self) -> tuple[QtGui.QFont, QtGui.QFont]:
        label = QtGui.QFont(self.font())
        label.setPointSizeF(label.pointSizeF() + 1)
        small = QtGui.QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        return label, small

    def _labels(self) -> list[str]:
        if self.score is None:
            return []
        return [t if len(t) <= MAX_LABEL_CHARS else t[: MAX_LABEL_CHARS - 1] + "…" for t in self.score.display_tokens]

    def _layout(self) -> tuple[QtCore.QRectF, str]:
        """The plot rectangle, and how token labels are set: "flat" side by side where they fit, "staggered"
        on two alternating rows, else "upright" (turned to read bottom to top)."""
        label_font, small = self._fonts()
        fm, fm_small = QtGui.QFontMetrics(label_font), QtGui.QFontMetrics(small)
        labels = self._labels()
        left = fm_small.horizontalAdvance("00.0") + fm_small.height() + 14
        right = (
            fm_small.horizontalAdvance(self.tr("mean {value}").format(value="00.00")) + 10
        )  # the mean line's label sits outside the bars
        top = fm_small.height() + 8
        width = max(10.0, self.width() - left - right)
        slot = width / max(1, len(labels))
        widest = max((fm.horizontalAdvance(t) for t in labels), default=0)
        if widest + 6 <= slot:
            mode, bottom = "flat", fm.height() + 10
        elif widest + 8 <= 2 * slot:
            mode, bottom = "staggered", 2 * fm.height() + 10
        else:
            mode, bottom = "upright", widest + 14
        return QtCore.QRectF(left, top, width, max(10.0, self.height() - top - bottom)), mode

    def bar_rect(self, i: int) -> QtCore.QRectF:
        plot, _ = self._layout()
        n = len(self.surprises())
        slot = plot.width() / max(1, n)
        height = plot.height() * min(self.surprises()[i], self._top) / self._top
        gap = min(6.0, slot * 0.2)
        return QtCore.QRectF(plot.left() + i * slot + gap / 2, plot.bottom() - height, slot - gap, height)

    def bar_at(self, pos: QtCore.QPointF) -> int | None:
        plot, _ = self._layout()
        n = len(self.surprises())
        if not n or not plot.left() <= pos.x() < plot.right():
            return None
        return min(n - 1, int((pos.x() - plot.left()) / (plot.width() / n)))

    def describe(self, i: int) -> str:
        lp = float(self.score.log_probs[i])
        return self.tr(
            "'{token}' (token #{index}): p = {p} given the rest, log p = {log_p}, surprise {surprise} nats"
        ).format(
            token=self.score.display_tokens[i],
            index=self.score.positions[i],
            p=f"{math.exp(lp):.2%}",
            log_p=f"{lp:.2f}",
            surprise=f"{-lp:.2f}",
        )

    # ---- painting -----------------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        bg, fg = pal.color(QtGui.QPalette.ColorRole.Base), pal.color(QtGui.QPalette.ColorRole.Text)
        p.fillRect(self.rect(), bg)
        values = self.surprises()
        plot, label_mode = self._layout()
        label_font, small = self._fonts()
        muted, grid = theme.mix(fg, bg, 0.45), theme.mix(fg, bg, 0.86)

        # Grid and y axis.
        step = nice_step(self._top)
        p.setFont(small)
        fm_small = QtGui.QFontMetrics(small)
        tick = 0.0
        while tick <= self._top + 1e-9:
            y = plot.bottom() - plot.height() * tick / self._top
            p.setPen(QtGui.QPen(grid if tick else muted, 1))
            p.drawLine(QtCore.QPointF(plot.left(), y), QtCore.QPointF(plot.right(), y))
            p.setPen(muted)
            text = f"{tick:g}"
            p.drawText(
                QtCore.QRectF(0, y - fm_small.height() / 2, plot.left() - 6, fm_small.height()),
                QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            tick += step
        p.save()
        p.translate(fm_small.height() / 2 + 2, plot.center().y())
        p.rotate(-90)
        p.drawText(
            QtCore.QRectF(-plot.height() / 2, -fm_small.height() / 2, plot.height(), fm_small.height()),
            QtCore.Qt.AlignmentFlag.AlignCenter,
            self.tr("surprise, −log p (nats)"),
        )
        p.restore()
        if not values:
            p.end()
            return

        # Bars, with the value on top where it fits; the laser's token gets a yellow column behind its bar.
        slot = plot.width() / len(values)
        show_values = fm_small.horizontalAdvance("00.0") + 2 <= slot
        for i, value in enumerate(values):
            rect = self.bar_rect(i)
            if self.score.positions[i] == self.laser_token:
                p.fillRect(QtCore.QRectF(rect.left() - 2, plot.top(), rect.width() + 4, plot.height()), theme.LASER)
            color = DIFFERS if i in self._highlight else theme.BAR
            p.setPen(QtCore.Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(rect.adjusted(0, 0, 0, 2), 2, 2)
            if show_values:
                p.setPen(color if i in self._highlight else fg)
                clipped = value > self._top
                p.drawText(
                    QtCore.QRectF(
                        rect.left() - 4, rect.top() - fm_small.height() - 2, rect.width() + 8, fm_small.height()
                    ),
                    QtCore.Qt.AlignmentFlag.AlignCenter,
                    f"{value:.1f}" + ("↑" if clipped else ""),
                )

        # Mean surprise as a dashed line: bars above it are the sentence's surprising tokens.
        mean = -self.score.mean
        y = plot.bottom() - plot.height() * min(mean, self._top) / self._top
        p.setPen(QtGui.QPen(muted, 1.5, QtCore.Qt.PenStyle.DashLine))
        p.drawLine(QtCore.QPointF(plot.left(), y), QtCore.QPointF(plot.right(), y))
        p.setPen(muted)
        p.drawText(
            QtCore.QRectF(
                plot.right() + 4, y - fm_small.height() / 2, self.width() - plot.right() - 4, fm_small.height()
            ),
            QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter,
            self.tr("mean {value}").format(value=f"{mean:.2f}"),
        )

        # Token labels, in the mode _layout chose.
        p.setFont(label_font)
        fm = QtGui.QFontMetrics(label_font)
        for i, label in enumerate(self._labels()):
            color = DIFFERS if i in self._highlight else fg
            x = plot.left() + (i + 0.5) * slot
            if label_mode == "upright":
                p.setPen(color)
                p.save()
                p.translate(x, plot.bottom() + 6)
                p.rotate(-90)
                w = fm.horizontalAdvance(label) + 2
                p.drawText(
                    QtCore.QRectF(-w, -fm.height() / 2, w, fm.height()),
                    QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter,
                    label,
                )
                p.restore()
                continue
            row = i % 2 if label_mode == "staggered" else 0
            y = plot.bottom() + 4 + row * fm.height()
            if row:  # a tick leads the eye from the lower row up to its bar
                p.setPen(QtGui.QPen(grid, 1))
                p.drawLine(QtCore.QPointF(x, plot.bottom() + 2), QtCore.QPointF(x, y + 2))
            p.setPen(color)
            p.drawText(
                QtCore.QRectF(x - slot, y, 2 * slot, fm.height()),
                QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop,
                label,
            )
        p.end()

    def event(self, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.ToolTip:
            i = self.bar_at(QtCore.QPointF(event.pos()))
            if i is None:
                QtWidgets.QToolTip.hideText()
            else:
                QtWidgets.QToolTip.showText(event.globalPos(), self.describe(i), self)
            return True
        return super().event(event)


class ScoringPanel(View):
    """Per-token surprise and the sentence score; in minimal-pair mode two sentences side by side."""

    def __init__(self, controller, selection=None, parent: QtWidgets.QWidget | None = None):
        super().__init__(controller, selection, parent)
        self.empty_message = self.tr("No sentence yet: type one to see how likely the model finds it.")
        self._payload: ScoreResult | None = None
        self._shown_key: tuple | None = None  # what the bars show
        self._running_key: tuple | None = None  # what the worker is scoring now
        self._stale = False  # something changed while the tab was hidden
        self._debounce = QtCore.QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self._build()
        self.clear(self.empty_message)

    # ---- construction -------------------------------------------------------------------------------------

    def _build(self) -> None:
        controls = self.controls
        controls.setSpacing(6)
        self.pair_check = QtWidgets.QCheckBox(self.tr("Minimal pair"))
        self.pair_check.setToolTip(self.tr("Score a second sentence beside the main one and compare the two"))
        self.variant_combo = QtWidgets.QComboBox()
        for title, name in VARIANTS:
            self.variant_combo.addItem(self.tr(title), name)
        self.variant_combo.setToolTip(
            self.tr(
                "Word by word (Kauf & Ivanova 2023): while one piece of a split word is scored, the pieces after it "
                "are masked too, so the model cannot read the word off its own ending.\n"
                "Original (Salazar et al. 2020): mask one token at a time; split words tend to score too well."
            )
        )
        self.status_label = QtWidgets.QLabel(" ")
        self.status_label.setStyleSheet(f"color: {theme.MUTED_TEXT.name()}")
        controls.addWidget(self.pair_check)
        controls.addSpacing(12)
        controls.addWidget(QtWidgets.QLabel(self.tr("Scoring:")))
        controls.addWidget(self.variant_combo)
        controls.addSpacing(12)
        controls.addWidget(self.status_label, 1)
        self.add_export_button(stretch=0)

        self.second_row = QtWidgets.QWidget()
        second = QtWidgets.QHBoxLayout(self.second_row)
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(QtWidgets.QLabel(self.tr("Sentence 2:")))
        self.sentence_2 = QtWidgets.QLineEdit()
        example = self.tr("A second sentence to compare, e.g. “{sentence}”").format(sentence=PAIR_EXAMPLE)
        self.sentence_2.setPlaceholderText(example)
        self.sentence_2.setAccessibleName(self.tr("Sentence 2 of the minimal pair"))
        self.sentence_2.setClearButtonEnabled(True)
        font = self.sentence_2.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.sentence_2.setFont(font)
        second.addWidget(self.sentence_2, 1)
        self.second_row.setVisible(False)
        self.layout().insertWidget(1, self.second_row)  # under the controls, above the scores

        self.content = QtWidgets.QWidget()  # what Export PNG saves
        self.content.setAutoFillBackground(True)
        content_layout = QtWidgets.QVBoxLayout(self.content)
        content_layout.setContentsMargins(4, 4, 4, 4)
        content_layout.setSpacing(6)
        charts = QtWidgets.QHBoxLayout()
        charts.setSpacing(16)
        self.headers: list[QtWidgets.QLabel] = []
        self.charts: list[SurpriseChart] = []
        self.columns: list[QtWidgets.QWidget] = []
        for _ in range(2):
            column = QtWidgets.QWidget()
            column_layout = QtWidgets.QVBoxLayout(column)
            column_layout.setContentsMargins(0, 0, 0, 0)
            column_layout.setSpacing(2)
            header = QtWidgets.QLabel()
            header_font = header.font()
            header_font.setPointSizeF(header_font.pointSizeF() * 1.15)
            header.setFont(header_font)
            header.setTextFormat(QtCore.Qt.TextFormat.RichText)
            header.setWordWrap(True)
            chart = SurpriseChart()
            column_layout.addWidget(header)
            column_layout.addWidget(chart, 1)
            charts.addWidget(column, 1)
            self.headers.append(header)
            self.charts.append(chart)
            self.columns.append(column)
        content_layout.addLayout(charts, 1)
        self.verdict_label = QtWidgets.QLabel()
        self.verdict_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        big = self.verdict_label.font()
        big.setPointSizeF(big.pointSizeF() * 1.35)
        self.verdict_label.setFont(big)
        content_layout.addWidget(self.verdict_label)
        self.note_label = QtWidgets.QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.note_label.setStyleSheet(f"color: {theme.MUTED_TEXT.name()}")
        content_layout.addWidget(self.note_label)
        self.content_layout.addWidget(self.content, 1)

        self.pair_check.toggled.connect(self._on_pair_toggled)
        self.variant_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.sentence_2.textChanged.connect(lambda _t: self._debounce.start())

    # ---- what the main window calls -----------------------------------------------------------------------

    def show_result(self, result: InferenceResult) -> None:
        self.refresh()

    def set_hovered_token(self, index: int | None) -> None:
        chart = self.charts[0]  # the sentence's own chart (a pair's second one has tokens of its own)
        chart.laser_token = index
        chart.update()

    def reset(self) -> None:
        self._shown_key = None
        self._payload = None
        for chart in self.charts:
            chart.set_score(None)

    def prepare_view(self, arg: str) -> None:
        """--view-arg: the second sentence of a minimal pair (pair mode on)."""
        self.sentence_2.setText(arg)
        self.pair_check.setChecked(True)

    # ---- state --------------------------------------------------------------------------------------------

    @property
    def pair_mode(self) -> bool:
        return self.pair_check.isChecked()

    def set_pair_mode(self, on: bool) -> None:
        self.pair_check.setChecked(on)

    @property
    def variant(self) -> str:
        return self.variant_combo.currentData()

    def set_variant(self, name: str) -> None:
        index = self.variant_combo.findData(name)
        if index < 0:
            raise ValueError(f"unknown scoring variant {name!r}")
        self.variant_combo.setCurrentIndex(index)

    @property
    def payload(self) -> ScoreResult | None:
        """The scores shown (None while a message is shown instead)."""
        return self._payload

    def sentences(self) -> tuple[str, ...]:
        """What is to be scored: the main sentence as typed, and in pair mode the second one (once typed)."""
        first = self.controller.current_input.text
        second = self.sentence_2.text()
        return (first, second) if self.pair_mode and second.strip() else (first,)

    # ---- running the analysis -----------------------------------------------------------------------------

    def _key(self) -> tuple:
        summary = self.controller.model_summary
        model = None if summary is None else (summary.name, summary.path)
        return (model, self.sentences(), self.variant, self.controller.current_input.knocked_out)

    def refresh(self) -> None:
        """Score what is typed now, unless it is shown or being scored already; only while the tab is seen."""
        self._debounce.stop()
        if self._result is None:
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        first = self.controller.current_input.text
        if has_typed_mask(first):
            self._show_message(
                self.tr(
                    "Scoring needs a complete sentence, and the main sentence has a [MASK].\n"
                    "Type the word itself (clicked masks are fine: the text as typed is scored)."
                )
            )
            self._shown_key = None
            return
        key = self._key()
        if key == self._shown_key:
            self._show_content()
            return
        if key == self._running_key and self.controller.analysis_running(KIND):
            return
        sentences, variant = key[1], key[2]
        # Starting cancels a run still going, and its `cancelled` clears _running_key: set it after.
        run = self.controller.start(KIND, sentences=sentences, variant=variant)
        if run is not None:
            run.ready.connect(self._on_ready)
            run.failed.connect(self._on_failed)
            run.progress.connect(self._on_progress)
            run.cancelled.connect(self._on_cancelled)
            self._running_key = key
            self.status_label.setText(self.tr("Scoring…"))

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _on_pair_toggled(self, on: bool) -> None:
        self.second_row.setVisible(on)
        if on and not self.sentence_2.text().strip():
            # A minimal pair differs in one place: start from the main sentence, ready to change one word.
            with QtCore.QSignalBlocker(self.sentence_2):
                self.sentence_2.setText(self.controller.current_input.text)
        if on:
            self.sentence_2.setFocus()
        self.refresh()

    def _on_progress(self, done: int, total: int) -> None:
        if total > 1:
            self.status_label.setText(self.tr("Scoring… {done} of {total}").format(done=done, total=total))

    def _on_cancelled(self) -> None:
        self._running_key = None
        self.status_label.setText(" ")

    def _on_failed(self, message: str) -> None:
        self._running_key = None
        self._shown_key = None
        self.status_label.setText(" ")
        self._show_message(message[:1].upper() + message[1:])

    def _on_ready(self, payload: ScoreResult) -> None:
        key, self._running_key = self._running_key, None
        ms = f"{sum(s.seconds for s in payload.scores) * 1000:.0f}"
        self.status_label.setText(self.tr("scored in {ms} ms").format(ms=ms))
        if self._result is None:
            return
        self._shown_key = key
        self._show_scores(payload)
        if key != self._key():  # typed on meanwhile
            self.refresh()

    # ---- showing ------------------------------------------------------------------------------------------

    def _show_scores(self, payload: ScoreResult) -> None:
        self._payload = payload
        scores = payload.scores
        pair = len(scores) == 2
        highlights = differing_tokens(scores[0].tokens, scores[1].tokens) if pair else (set(), set())
        top = max(max((-float(v) for v in s.log_probs), default=1.0) for s in scores)
        top = math.ceil(top / nice_step(top)) * nice_step(top) if top > 0 else 1.0
        for i, (column, chart, header) in enumerate(zip(self.columns, self.charts, self.headers)):
            column.setVisible(i < len(scores))
            if i >= len(scores):
                chart.set_score(None)
                continue
            s = scores[i]
            chart.set_score(s, highlights[i], top)
            title = self.tr("Sentence {number}").format(number=i + 1) if pair else self.tr("Sentence")
            truncated = " · <i>" + self.tr("cut to the model's length") + "</i>" if s.truncated else ""
            numbers = self.tr("score <b>{score}</b> &nbsp;·&nbsp; mean {mean}/token &nbsp;·&nbsp; {count} tokens")
            numbers = numbers.format(score=nats(s.total), mean=nats(s.mean), count=len(s.tokens))
            header.setText(f"<b>{title}</b> &nbsp; {numbers}{truncated}")
        if pair:
            text = verdict(scores[0].total, scores[1].total)
            if len(scores[0].tokens) != len(scores[1].tokens):
                better = "1" if scores[0].mean > scores[1].mean else "2"
                lengths = self.tr(
                    "The sentences have {first} and {second} tokens, and longer ones score lower; per token, "
                    "sentence {better} scores better."
                ).format(first=len(scores[0].tokens), second=len(scores[1].tokens), better=better)
                text += f"<br><small>{lengths}</small>"
            self.verdict_label.setText(text)
        elif self.pair_mode:
            self.verdict_label.setText(
                "<small>" + self.tr("Type a second sentence above to compare the two.") + "</small>"
            )
        else:
            self.verdict_label.setText("")
        self.verdict_label.setVisible(bool(self.verdict_label.text()))
        name = self.tr(dict((n, t) for t, n in VARIANTS)[payload.variant])
        heads = len(payload.knocked_out)
        if heads == 1:
            off = " " + self.tr("With 1 head knocked out.")
        else:
            off = " " + self.tr("With {count} heads knocked out.").format(count=heads) if heads else ""
        differ = (
            f" <span style='color:{DIFFERS.name()}'>"
            + self.tr("<b>Red</b>: where the two sentences differ.")
            + "</span>"
            if pair and any(highlights)
            else ""
        )
        note = self.tr(
            "Bar height: how surprised the model is by each token when it is masked and guessed from the rest, "
            "−log p in nats (0 = certain; 2.3 = a 1-in-10 guess). Score = sum of log p over the tokens "
            "(pseudo-log-likelihood): closer to 0 is more likely. {variant}."
        )
        self.note_label.setText(note.format(variant=name) + off + differ)
        self.export_button.setEnabled(True)
        self._show_content()

    # ---- export -------------------------------------------------------------------------------------------

    def export_png(self, path: str | Path) -> None:
        """The bars, scores and verdict as a PNG, at twice the screen's pixel density for slides."""
        pixmap = QtGui.QPixmap(self.content.size() * 2)
        pixmap.setDevicePixelRatio(2.0)
        pixmap.fill(self.content.palette().color(QtGui.QPalette.ColorRole.Window))
        self.content.render(pixmap)
        if not pixmap.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def export_formats(self) -> list[tuple[str, str]]:
        return [(self.tr("Scores as PNG…"), "png")]

    def export_name(self, kind: str) -> str:
        return "sentence-scores.png"

    def writer(self, kind: str):
        return self.export_png
