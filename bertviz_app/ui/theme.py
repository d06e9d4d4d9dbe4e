"""Colours and sizes shared by the panels, chosen to read well on a projector."""

from PySide6.QtGui import QColor

CHIP_BG = QColor("#eef1f6")
CHIP_BORDER = QColor("#c5ccd8")
CHIP_TEXT = QColor("#1f2a44")
CHIP_SPECIAL_BG = QColor("#5b6478")
CHIP_SPECIAL_TEXT = QColor("#ffffff")
CHIP_UNK_BG = QColor("#fde2c4")
CHIP_UNK_BORDER = QColor("#e08a1e")
CHIP_MASK_BG = QColor("#2f6fdf")
CHIP_MASK_TEXT = QColor("#ffffff")
CHIP_SEGMENT_B_BORDER = QColor("#2a9d8f")
SELECTION = QColor("#e63946")
LASER = QColor("#ffd43b")  # the presenter's laser pointer: the token under the mouse, marked everywhere
BAR = QColor("#2f6fdf")
BAR_TRACK = QColor("#e6eaf1")
MUTED_TEXT = QColor("#5b6478")
NOTICE_BG = "#fff4d6"
NOTICE_BORDER = "#e0b23b"


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """The opaque colour a share `t` of the way from `a` to `b`."""
    return QColor(
        round(a.red() * (1 - t) + b.red() * t),
        round(a.green() * (1 - t) + b.green() * t),
        round(a.blue() * (1 - t) + b.blue() * t),
    )


def plot_colors(widget) -> tuple[QColor, QColor, QColor]:
    """(background, text, halfway grey) of `widget`'s palette: what plots draw with to match the window."""
    from PySide6.QtGui import QPalette

    pal = widget.palette()
    bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
    return bg, fg, mix(fg, bg, 0.5)
