"""Render the application icon into a freedesktop hicolor theme tree (run by packaging/build.sh).

    python packaging/make_icons.py OUT_DIR
writes OUT_DIR/hicolor/{16x16,24x24,...,256x256}/apps/bert-explorer.png and OUT_DIR/hicolor/scalable/apps/
bert-explorer.svg. The 16 and 24 px images come from bert-explorer-16.svg: the full 4x4 matrix with gaps
turns to mush that small, so that drawing has 3x3 cells aligned to the pixel grid.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
NAME = "bert-explorer"
SIZES = (16, 24, 32, 48, 64, 128, 256)
SMALL = 24  # this size and below use the simplified drawing


def render(svg: Path, size: int, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"make_icons: cannot write {out}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QImage/QPainter need one)
    theme = Path(argv[0]) / "hicolor"
    for size in SIZES:
        svg = ICONS / (f"{NAME}-16.svg" if size <= SMALL else f"{NAME}.svg")
        render(svg, size, theme / f"{size}x{size}" / "apps" / f"{NAME}.png")
    scalable = theme / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICONS / f"{NAME}.svg", scalable / f"{NAME}.svg")
    print(f"make_icons: {len(SIZES)} PNG sizes and the SVG in {theme}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
