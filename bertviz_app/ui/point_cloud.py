"""A cloud of up to a few hundred thousand points drawn as one image: the corpus map.

pyqtgraph's ScatterPlotItem keeps a record per point and paints per-point fragments; past ~10,000 points every pan
or zoom step costs tens of milliseconds, and points of different colours (one item each) cannot be drawn in one
chosen order. Here a repaint maps every point to a device pixel with one affine transform in numpy and writes its
colour into an ARGB buffer, one small disc of pixels per point, in draw order (a later point covers an earlier one:
the 3-D map draws far points first). The image is kept until the view moves or the points change, so a hover mark
moving over the map does not redraw the cloud. Picking stays with the caller (it knows the points' positions).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

MAX_SIDE = 8192  # pixels: a larger view (a huge screenshot) is drawn scaled from at most this


def disc_offsets(size: int) -> np.ndarray:
    """(K, 2) integer (dx, dy) pixel offsets of a disc `size` pixels across: 4 -> a 4 x 4 square less its corners."""
    span = np.arange(size) - size // 2
    centre = (size - 1) / 2 - size // 2
    dx, dy = np.meshgrid(span, span)
    inside = (dx - centre) ** 2 + (dy - centre) ** 2 <= (size / 2) ** 2
    return np.stack([dx[inside], dy[inside]], axis=1)


def argb(colours) -> np.ndarray:
    """QColors (or anything QColor takes) -> (K,) uint32 0xAARRGGBB, what an ARGB32 image holds per pixel."""
    return np.array([QtGui.QColor(c).rgba() for c in colours], dtype=np.uint32)


class PointCloud(pg.GraphicsObject):
    """Points (M, 2) in view coordinates, each an ARGB colour, drawn in the order given (the last on top)."""

    def __init__(self, size: int = 4):
        super().__init__()
        self._offsets = disc_offsets(size)
        self._reach = int(np.abs(self._offsets).max())  # how far a disc reaches from its point
        self.xy = np.zeros((0, 2), dtype=np.float64)  # in draw order
        self.colours = np.zeros(0, dtype=np.uint32)
        self._bounds = QtCore.QRectF()
        self._image: tuple | None = None  # (key, QImage, its buffer, top-left in logical pixels)

    def set_points(self, xy: np.ndarray, colours: np.ndarray, order: np.ndarray | None = None) -> None:
        """Draw `xy` (M, 2) with `colours` (M,) uint32 ARGB; `order` (M,) the draw order (default: as given)."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        colours = np.asarray(colours, dtype=np.uint32).reshape(-1)
        if order is not None:
            xy, colours = xy[order], colours[order]
        self.prepareGeometryChange()
        self.xy, self.colours, self._image = xy, colours, None
        if len(xy):
            (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
            self._bounds = QtCore.QRectF(x0, y0, max(x1 - x0, 1e-9), max(y1 - y0, 1e-9))
        else:
            self._bounds = QtCore.QRectF()
        self.update()

    def clear(self) -> None:
        self.set_points(np.zeros((0, 2)), np.zeros(0, dtype=np.uint32))

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._bounds)

    def dataBounds(self, ax, frac=1.0, orthoRange=None):  # what ViewBox.autoRange asks each item
        if not len(self.xy):
            return None, None
        values = self.xy[:, ax]
        return float(values.min()), float(values.max())

    def paint(self, painter: QtGui.QPainter, *_args) -> None:
        if not len(self.xy):
            return
        world = painter.worldTransform()  # item -> logical device pixels
        view = self.viewRect()
        if view is None:
            return
        area = world.mapRect(view).toAlignedRect()
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        scale = min(ratio, MAX_SIDE / max(area.width(), area.height(), 1))
        key = (world.m11(), world.m12(), world.m21(), world.m22(), world.dx(), world.dy(), area.getRect(), scale)
        if self._image is None or self._image[0] != key:
            image, buffer = self._render(world, area, scale)
            self._image = (key, image, buffer, QtCore.QPointF(area.topLeft()))
        _key, image, _buffer, top_left = self._image
        painter.save()
        painter.resetTransform()
        painter.drawImage(top_left, image)
        painter.restore()

    def _render(self, world: QtGui.QTransform, area: QtCore.QRect, scale: float):
        """The points as an ARGB image of `area` (logical pixels) at `scale` device pixels per logical pixel."""
        w, h = max(1, int(area.width() * scale)), max(1, int(area.height() * scale))
        reach, pad = self._reach, 2 * self._reach  # a disc at the edge is cut, never wrapped to the other side
        m = np.array([[world.m11(), world.m12()], [world.m21(), world.m22()]])
        pixels = (self.xy @ m + (world.dx() - area.left(), world.dy() - area.top())) * scale  # (M, 2)
        px = np.floor(pixels).astype(np.int64)
        keep = (px[:, 0] >= -reach) & (px[:, 0] < w + reach) & (px[:, 1] >= -reach) & (px[:, 1] < h + reach)
        px, colours = px[keep], self.colours[keep]
        stride = w + 2 * pad
        buffer = np.zeros((h + 2 * pad) * stride, dtype=np.uint32)
        flat = (px[:, 1] + pad) * stride + (px[:, 0] + pad)
        for dx, dy in self._offsets:
            # One index array per assignment: numpy writes it in order, so the later point's colour stays.
            buffer[flat + (dy * stride + dx)] = colours
        inner = np.ascontiguousarray(buffer.reshape(h + 2 * pad, stride)[pad : pad + h, pad : pad + w])
        image = QtGui.QImage(inner.data, w, h, 4 * w, QtGui.QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        return image, inner
