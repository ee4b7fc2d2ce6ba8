"""Drawing the network with a plain QPainter: shared kind styles, label placement, PNG/SVG/PDF export.

The same :func:`paint_graph` draws the pane's exports and the graphs embedded in PDF summaries, on
any paint device (QImage, QSvgGenerator, QPdfWriter), headless offscreen. It fits the drawing to
the target rectangle *including* label extents, so nothing is clipped at the border.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
)

from app.core import vocab
from app.core.fileio import atomic_path
from app.core.graph.labels import hub_flags, leader_line, outward_sides, place_labels
from app.core.graph.picture import GraphPicture, picture_from_graph, picture_from_repo

__all__ = ["GraphPicture", "picture_from_graph", "picture_from_repo"]  # re-exported for the graph pane

if TYPE_CHECKING:
    pass

# ---- kind styles: the one vocabulary (app.core.vocab), as (legend label, colour, shape) -----------
KIND_STYLES: dict[str, tuple[str, str, str]] = {k: (s.label, s.colour, s.shape) for k, s in vocab.KIND_STYLES.items()}
KIND_ORDER = tuple(KIND_STYLES)
DEFAULT_STYLE = (vocab.UNKNOWN_KIND.label, vocab.UNKNOWN_KIND.colour, vocab.UNKNOWN_KIND.shape)
EDGE_COLOUR = "#7f7f7f"
FADED_EDGE_COLOUR = "#dddddd"
LEADER_COLOUR = "#8a8a8a"  # the thin line from a marker to a label set away from it
LEADER_STYLE = Qt.PenStyle.DotLine  # dotted: a leader must not read as a tie
PATH_COLOUR = "#E41A1C"
SELECTED_COLOUR = "#111111"
LABEL_ALL_LIMIT = 150  # label every node when a graph (or the part in view) is this small


def kind_style(kind: str) -> tuple[str, str, str]:
    return KIND_STYLES.get(kind, DEFAULT_STYLE)


def node_size(kind: str, degree: int) -> float:
    """Marker size in pixels: by degree, partnerships kept small (they are connectors, not hubs)."""
    base = 9.0 if kind == "partnership" else 12.0
    return min(base + 3.2 * math.sqrt(max(0, degree)), 36.0)


def node_sizes(kinds: Sequence[str], codes: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """:func:`node_size` of every node at once (``codes``: each node's index in ``kinds``)."""
    base = np.array([node_size(k, 0) for k in kinds], dtype=np.float64).reshape(-1)
    grown = base[codes] + 3.2 * np.sqrt(np.maximum(degree, 0)) if len(codes) else np.zeros(0)
    return np.minimum(grown, 36.0)


def _poly(points: Iterable[tuple[float, float]]) -> QPainterPath:
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in points]))
    path.closeSubpath()
    return path


def _regular(n: int, r: float = 0.5, start: float = -math.pi / 2) -> list[tuple[float, float]]:
    return [(r * math.cos(start + 2 * math.pi * i / n), r * math.sin(start + 2 * math.pi * i / n)) for i in range(n)]


def _build_shapes() -> dict[str, QPainterPath]:
    """Unit shapes centred on 0 (y down, as on screen); pyqtgraph takes QPainterPaths as symbols too."""
    circle = QPainterPath()
    circle.addEllipse(QRectF(-0.5, -0.5, 1.0, 1.0))
    square = QPainterPath()
    square.addRect(QRectF(-0.42, -0.42, 0.84, 0.84))
    star = []
    for i in range(10):
        r = 0.55 if i % 2 == 0 else 0.24
        a = -math.pi / 2 + math.pi * i / 5
        star.append((r * math.cos(a), r * math.sin(a)))
    return {
        "circle": circle,
        "square": square,
        "diamond": _poly([(0, -0.55), (0.45, 0), (0, 0.55), (-0.45, 0)]),
        "triangle": _poly([(0, -0.55), (0.52, 0.4), (-0.52, 0.4)]),
        "hexagon": _poly(_regular(6, 0.52, 0.0)),
        "pentagon": _poly(_regular(5, 0.54)),
        "star": _poly(star),
    }


_SHAPES: dict[str, QPainterPath] | None = None


def shape_path(shape: str) -> QPainterPath:
    global _SHAPES
    if _SHAPES is None:
        _SHAPES = _build_shapes()
    return _SHAPES.get(shape, _SHAPES["circle"])


def faded_colour(colour: str) -> QColor:
    """A kind colour washed towards white: still tells the kind apart, clearly in the background."""
    c = QColor(colour)
    return QColor(int(c.red() * 0.3 + 255 * 0.7), int(c.green() * 0.3 + 255 * 0.7), int(c.blue() * 0.3 + 255 * 0.7))


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    return f


def draw_marker(
    painter: QPainter, centre: QPointF, size: float, kind: str, *, faded: bool = False, unit: float = 1.0
) -> None:
    _label, colour, shape = kind_style(kind)
    painter.save()
    painter.translate(centre)
    painter.scale(size, size)
    pen = QPen(QColor("#bbbbbb" if faded else "#222222"))
    pen.setCosmetic(True)
    pen.setWidthF(max(1.0, unit))
    painter.setPen(pen)
    painter.setBrush(QBrush(faded_colour(colour) if faded else QColor(colour)))
    painter.drawPath(shape_path(shape))
    painter.restore()


def legend_entries(kinds: Iterable[str]) -> list[str]:
    present = set(kinds)
    return [k for k in KIND_ORDER if k in present] + sorted(k for k in present if k not in KIND_STYLES)


def legend_height(
    width: float, kinds: Sequence[str], unit: float, metrics: QFontMetricsF, extra_lines: int | Sequence[str] = 0
) -> float:
    """Height of the legend; ``extra_lines``: a count of note lines, or the notes (wrapped to ``width``)."""
    rows = _legend_rows(width, kinds, unit, metrics)
    extra = extra_lines if isinstance(extra_lines, int) else sum(_note_lines(width, extra_lines, metrics))
    return (len(rows) + extra) * 20.0 * unit + 8.0 * unit


def _note_lines(width: float, notes: Sequence[str], metrics: QFontMetricsF) -> list[int]:
    """How many lines each note takes, word-wrapped to ``width`` (a narrow pane wraps, never cuts)."""
    flags = int(Qt.TextFlag.TextWordWrap)
    line = max(metrics.lineSpacing(), 1.0)
    return [
        max(1, round(metrics.boundingRect(QRectF(0, 0, max(width, 10.0), 1e6), flags, note).height() / line))
        for note in notes
    ]


def _legend_rows(
    width: float, kinds: Sequence[str], unit: float, metrics: QFontMetricsF
) -> list[list[tuple[str, float]]]:
    rows: list[list[tuple[str, float]]] = [[]]
    x = 0.0
    for k in kinds:
        w = 22.0 * unit + metrics.horizontalAdvance(kind_style(k)[0] if k in KIND_STYLES else k) + 16.0 * unit
        if rows[-1] and x + w > width:
            rows.append([])
            x = 0.0
        rows[-1].append((k, w))
        x += w
    return rows


def legend_font(unit: float = 1.0) -> QFont:
    """The legend's font at a scale (1.0: the 100 % zoom of the window)."""
    return _font(11 * unit)


def draw_legend(
    painter: QPainter, rect: QRectF, kinds: Sequence[str], *, unit: float = 1.0, notes: Sequence[str] = ()
) -> None:
    """Kind shapes and colours in rows, then any explanatory lines (faded, path)."""
    font = legend_font(unit)
    painter.setFont(font)
    metrics = QFontMetricsF(font, painter.device())
    y = rect.top() + 4 * unit
    for row in _legend_rows(rect.width(), kinds, unit, metrics):
        x = rect.left()
        for k, w in row:
            draw_marker(painter, QPointF(x + 8 * unit, y + 10 * unit), 13 * unit, k, unit=unit)
            painter.setPen(QColor("#222222"))
            label = kind_style(k)[0] if k in KIND_STYLES else k
            painter.drawText(QRectF(x + 20 * unit, y, w, 20 * unit), int(Qt.AlignmentFlag.AlignVCenter), label)
            x += w
        y += 20 * unit
    painter.setPen(QColor("#444444"))
    flags = int(Qt.AlignmentFlag.AlignVCenter) | int(Qt.TextFlag.TextWordWrap)
    for note, n in zip(notes, _note_lines(rect.width(), notes, metrics), strict=True):
        painter.drawText(QRectF(rect.left(), y, rect.width(), 20 * unit * n), flags, note)
        y += 20 * unit * n


def count_caption(pic: GraphPicture) -> str:
    """The count under the title: "50 nodes, 38 ties"; with pale nodes, those that stand out:
    "6 nodes, 4 ties (44 others faded)"."""
    nodes, ties = len(pic.ids), len(pic.edges)
    faded = int(pic.faded.sum()) if len(pic.faded) else 0
    if not faded:
        return f"{nodes} node{'s' * (nodes != 1)}, {ties} tie{'s' * (ties != 1)}"
    strong_nodes = nodes - faded
    strong_ties = int((~pic.edge_faded).sum()) if len(pic.edge_faded) else 0
    return (
        f"{strong_nodes} node{'s' * (strong_nodes != 1)}, {strong_ties} tie{'s' * (strong_ties != 1)}"
        f" ({faded} other{'s' * (faded != 1)} faded)"
    )


def _label_order(pic: GraphPicture) -> list[int]:
    path = set(pic.path)

    def key(i: int) -> tuple[int, int, str]:
        n = pic.ids[i]
        tier = 0 if n == pic.selected else 1 if n in path else 2 if not pic.faded[i] else 3
        return (tier, -pic.degrees[i], pic.names[i].casefold())

    return sorted(range(len(pic.ids)), key=key)


def paint_graph(
    painter: QPainter,
    rect: QRectF,
    picture: GraphPicture,
    *,
    legend: bool = True,
    header: bool = True,
    labels: str = "auto",  # auto | all | none
    unit: float | None = None,
) -> None:
    """Draw ``picture`` fitted into ``rect`` (device pixels of the painter), labels and legend inside it."""
    pic = picture
    unit = unit if unit is not None else max(1.0, min(rect.width(), rect.height()) / 800.0)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(rect, QColor("white"))
    pad = 12 * unit
    area = rect.adjusted(pad, pad, -pad, -pad)
    if header:
        painter.setPen(QColor("#111111"))
        painter.setFont(_font(15 * unit, bold=True))
        painter.drawText(
            QRectF(area.left(), area.top(), area.width(), 22 * unit), int(Qt.AlignmentFlag.AlignLeft), pic.title
        )
        painter.setFont(_font(11 * unit))
        painter.setPen(QColor("#444444"))
        sub = pic.subtitle or ""
        sub += f"{' · ' if sub else ''}{count_caption(pic)}"
        painter.drawText(
            QRectF(area.left(), area.top() + 22 * unit, area.width(), 18 * unit), int(Qt.AlignmentFlag.AlignLeft), sub
        )
        area.setTop(area.top() + 46 * unit)
    kinds = legend_entries(pic.kinds)
    notes = []
    if pic.faded.any():
        notes.append("Pale markers and lines: outside the current filter or selection.")
    drawn = set(pic.ids)
    red = [(u, v) for u, v in zip(pic.path, pic.path[1:], strict=False) if u in drawn and v in drawn]
    if red:
        notes.append("Red: the chain of ties between the chosen entities.")
    if legend and kinds:
        lfont = _font(11 * unit)
        lh = legend_height(area.width(), kinds, unit, QFontMetricsF(lfont, painter.device()), notes)
        legend_rect = QRectF(area.left(), area.bottom() - lh, area.width(), lh)
        area.setBottom(legend_rect.top() - 6 * unit)
        painter.setPen(QPen(QColor("#cccccc"), 0))
        painter.drawLine(legend_rect.topLeft(), legend_rect.topRight())
        draw_legend(painter, legend_rect, kinds, unit=unit, notes=notes)
    n = len(pic.ids)
    if n == 0:
        painter.setPen(QColor("#444444"))
        painter.setFont(_font(13 * unit))
        painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), "No entities to show for this filter.")
        painter.restore()
        return
    sizes = np.array([node_size(k, d) * unit for k, d in zip(pic.kinds, pic.degrees, strict=True)])
    font = _font(11 * unit)
    metrics = QFontMetricsF(font, painter.device())
    if labels == "none":
        label_idx: list[int] = []
    elif labels == "all" or n <= LABEL_ALL_LIMIT:
        label_idx = _label_order(pic)
    else:
        order = _label_order(pic)
        keep = {pic.selected, *pic.path}
        label_idx = [i for i in order if pic.ids[i] in keep] + [i for i in order[:40] if pic.ids[i] not in keep]
    bold_metrics = QFontMetricsF(_font(11 * unit, bold=True), painter.device())
    widths = {
        i: (bold_metrics if pic.ids[i] == pic.selected else metrics).horizontalAdvance(pic.names[i]) + 8 * unit
        for i in label_idx
    }
    th = metrics.height() + 2 * unit
    lo, hi = pic.pos.min(axis=0), pic.pos.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    # Margin for markers and for labels at the border; shrink until every label fits inside.
    margin = float(sizes.max()) / 2 + 4 * unit
    label_margin = min(max(widths.values(), default=0.0), area.width() / 4)
    # Inset for markers, plus a little for labels: labels at the border flip to the inner side,
    # and a forced label is shifted inside the bounds, so nothing is clipped.
    inset = margin + min(label_margin * 0.5, area.width() * 0.08)
    w_avail = max(area.width() - 2 * inset, 10.0)
    h_avail = max(area.height() - 2 * (margin + th), 10.0)
    s = min(w_avail / span[0] if span[0] > 1e-6 else math.inf, h_avail / span[1] if span[1] > 1e-6 else math.inf)
    if not math.isfinite(s):
        s = 1.0
    cx, cy = (lo + hi) / 2
    ox, oy = area.center().x(), area.center().y()
    dev = np.column_stack([ox + (pic.pos[:, 0] - cx) * s, oy - (pic.pos[:, 1] - cy) * s])
    bounds = (area.left(), area.top(), area.right(), area.bottom())
    obstacles = [
        (dev[i, 0] - sizes[i] / 2, dev[i, 1] - sizes[i] / 2, dev[i, 0] + sizes[i] / 2, dev[i, 1] + sizes[i] / 2)
        for i in range(n)
    ]
    anchors = [(dev[i, 0], dev[i, 1], sizes[i] / 2, widths[i], th) for i in label_idx]
    keep = {pic.selected, *pic.path}
    must = [labels == "all" or n <= LABEL_ALL_LIMIT or pic.ids[i] in keep for i in label_idx]
    strong = [i for i in label_idx if not pic.faded[i]]
    hub_set = {i for i, f in zip(strong, hub_flags([pic.degrees[i] for i in strong]), strict=True) if f}
    hubs = [i in hub_set for i in label_idx]
    column = outward_sides(pic.pos[:, 0].tolist())  # two columns (bipartite): labels outward
    sides = [column[i] for i in label_idx]
    placed = place_labels(anchors, bounds=bounds, obstacles=obstacles, force=must, hubs=hubs, sides=sides)

    # Edges: one shared cosmetic pen per state.
    def edge_pen(colour: str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(QColor(colour))
        pen.setCosmetic(True)
        pen.setWidthF(width)
        pen.setStyle(style)
        return pen

    for faded_state, colour in ((True, FADED_EDGE_COLOUR), (False, EDGE_COLOUR)):
        painter.setPen(edge_pen(colour, max(1.0, unit)))
        sel = pic.edges[pic.edge_faded == faded_state]
        for a, b in sel:
            painter.drawLine(QPointF(dev[a, 0], dev[a, 1]), QPointF(dev[b, 0], dev[b, 1]))
    if red:  # consecutive links both drawn: two links are never joined across a hidden one
        index = {n_: i for i, n_ in enumerate(pic.ids)}
        painter.setPen(edge_pen(PATH_COLOUR, 3.0 * unit))
        for u, v in red:
            a, b = index[u], index[v]
            painter.drawLine(QPointF(dev[a, 0], dev[a, 1]), QPointF(dev[b, 0], dev[b, 1]))
    # Leaders for labels set away from their markers, then labels on a pale box so they read over
    # lines; markers are drawn after, so none is hidden.
    painter.setPen(edge_pen(LEADER_COLOUR, max(1.0, unit * 0.8), LEADER_STYLE))
    for k, r in zip(label_idx, placed, strict=True):
        line = leader_line(dev[k, 0], dev[k, 1], sizes[k] / 2, r, dev) if r is not None else None
        if line is not None:
            painter.drawLine(QPointF(line[0], line[1]), QPointF(line[2], line[3]))
    painter.setFont(font)
    for k, r in zip(label_idx, placed, strict=True):
        if r is None:
            continue
        box = QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawRoundedRect(box, 3 * unit, 3 * unit)
        faded = bool(pic.faded[k])
        bold = pic.ids[k] == pic.selected
        painter.setFont(_font(11 * unit, bold=bold))
        painter.setPen(QColor("#9a9a9a" if faded else "#111111"))
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), pic.names[k])
    # Nodes: faded first so the rest sits on top.
    for i in sorted(range(n), key=lambda i: (not pic.faded[i], sizes[i])):
        draw_marker(painter, QPointF(dev[i, 0], dev[i, 1]), sizes[i], pic.kinds[i], faded=bool(pic.faded[i]), unit=unit)
    if pic.selected is not None:
        i = pic.ids.index(pic.selected)
        ring = QPen(QColor(SELECTED_COLOUR))
        ring.setWidthF(2.0 * unit)
        painter.setPen(ring)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        r = sizes[i] / 2 + 4 * unit
        painter.drawEllipse(QPointF(dev[i, 0], dev[i, 1]), r, r)
    painter.restore()


# ---- files ---------------------------------------------------------------------------------------
def picture_image(picture: GraphPicture, width_px: int, height_px: int, *, unit: float | None = None) -> QImage:
    """``picture`` drawn on an image; ``unit`` scales text and markers (default: from the size)."""
    image = QImage(QSize(int(width_px), int(height_px)), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        paint_graph(painter, QRectF(0, 0, width_px, height_px), picture, unit=unit)
    finally:
        painter.end()
    return image


def export_png(picture: GraphPicture, path: Path, width_px: int, height_px: int) -> Path:
    image = picture_image(picture, width_px, height_px)
    path = Path(path)
    with atomic_path(path) as tmp:
        if not image.save(str(tmp), "PNG"):  # type: ignore[call-overload]  # the stub says bytes; PySide6 wants str
            raise OSError(f"Could not write the image {path}.")
    return path


def export_svg(picture: GraphPicture, path: Path, width_px: int = 1600, height_px: int = 1100) -> Path:
    from PySide6.QtSvg import QSvgGenerator

    path = Path(path)
    with atomic_path(path) as tmp:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(QSize(width_px, height_px))
        gen.setViewBox(QRectF(0, 0, width_px, height_px))
        gen.setTitle(picture.title)
        gen.setDescription(picture.subtitle or "Alliance Atlas network")
        painter = QPainter(gen)
        try:
            paint_graph(painter, QRectF(0, 0, width_px, height_px), picture, unit=1.0)
        finally:
            painter.end()
    return path


def export_pdf(picture: GraphPicture, path: Path, *, page_size: str = "A4", landscape: bool = True) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(150)
        size = QPageSize(QPageSize.PageSizeId.Letter if page_size == "Letter" else QPageSize.PageSizeId.A4)
        orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        writer.setPageLayout(QPageLayout(size, orientation, QMarginsF(10, 10, 10, 10), QPageLayout.Unit.Millimeter))
        writer.setTitle(picture.title)
        writer.setCreator("Alliance Atlas")
        painter = QPainter(writer)
        try:
            target = QRectF(writer.pageLayout().paintRectPixels(writer.resolution()))
            target.moveTo(0, 0)
            paint_graph(painter, target, picture, unit=max(1.0, target.width() / 1100.0))
        finally:
            painter.end()
    return path
