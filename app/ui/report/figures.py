"""The PDF summary's figures drawn as SVG by the app's painters (network, timeline), with their words.

QSvgGenerator records the painters' vector drawing; Typst places it in the PDF, crisp at any zoom,
its text set in the bundled fonts (the SVG's font names are pointed at them, so what a machine's
Qt would pick for a fallback never matters). Each figure carries a text alternative for readers
who cannot see it. QSvgGenerator and QPainter need no widget, so this runs in a worker thread too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator

from app.core.exports.report_data import ExportOptions, timeline_alt, timeline_axis, timeline_caption
from app.core.exports.report_data import timeline_entities as _timeline_entities
from app.core.exports.report_typst import Figure, Figures
from app.core.query.filters import FilterSpec

if TYPE_CHECKING:
    from app.core.graph.picture import GraphPicture
    from app.core.query.repository import EntityDetail, Repository
    from app.core.userdata.positions import GraphPositionsStore

FONT_STACK = "Noto Sans, Noto Sans Arabic, Droid Sans Fallback"
NETWORK_SIZE = (2000, 1700)  # px; with unit 2.4 the labels are about 6.3 pt at the text width
TIMELINE_WIDTH = 2000
HUBS_IN_ALT = 12


def _svg(width: int, height: int, title: str, paint: Callable[[QPainter], None]) -> str:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buffer)
    gen.setSize(QSize(width, height))
    gen.setViewBox(QRectF(0, 0, width, height))
    gen.setTitle(title)
    painter = QPainter(gen)
    try:
        paint(painter)
    finally:
        painter.end()
    raw: QByteArray = buffer.data()
    svg = bytes(raw.data()).decode("utf-8")
    # Text in our fonts whatever family Qt resolved on this machine.
    svg = re.sub(r'font-family="[^"]*"', f'font-family="{FONT_STACK}"', svg)
    return _GROUP.sub(_fixed_group, svg)


# QSvgGenerator writes flat groups: <g … stroke-width="W" … transform="matrix(a,b,c,d,e,f)">…</g>.
_GROUP = re.compile(r"(<g [^>]*>)(.*?</g>)", re.DOTALL)
_MATRIX = re.compile(r'transform="matrix\(([-\d.e]+),([-\d.e]+),([-\d.e]+),([-\d.e]+),')
_WIDTH = re.compile(r'stroke-width="([\d.e]+)"')


def _fixed_group(m: re.Match[str]) -> str:
    """A cosmetic pen (a marker's outline, drawn scaled) is written with vector-effect
    "non-scaling-stroke", which Typst's SVG reader ignores: the outline would grow with the marker
    and cover it. Divide the width by the group's scale instead."""
    head, body = m.group(1), m.group(2)
    matrix, width = _MATRIX.search(head), _WIDTH.search(head)
    if "non-scaling-stroke" not in body or matrix is None or width is None:
        return m.group(0)
    a, b, c, d = (float(v) for v in matrix.groups())
    scale = abs(a * d - b * c) ** 0.5
    if scale <= 0 or abs(scale - 1) < 1e-6:
        return m.group(0)
    head = head.replace(width.group(0), f'stroke-width="{float(width.group(1)) / scale:.4g}"', 1)
    return head + body


def network_figure(
    repo: Repository, spec: FilterSpec, positions: GraphPositionsStore | None
) -> tuple[Figure | None, str]:
    """The graph pane's drawing of the exported set, or (None, why there is none)."""
    from app.core.graph.picture import picture_from_repo
    from app.ui.graph.graph_export import paint_graph
    from app.ui.qt_app import make_application

    make_application(headless=True)
    picture = picture_from_repo(repo, spec, positions=positions, own_layout=True)
    if len(picture.ids) and not len(picture.edges):  # markers scattered on an empty page tell nothing
        return None, "The documents cite no ties among the entities in this summary, so there is no network to draw."
    width, height = NETWORK_SIZE
    svg = _svg(
        width,
        height,
        picture.title,
        lambda p: paint_graph(p, QRectF(0, 0, width, height), picture, unit=2.4),
    )
    caption = (
        "Entities in this summary (markers by kind) and the cited ties between them (member of, party to,"
        " part of, established under and the other relations the documents state; each is worded in its"
        " entity's section). "
        + ("Layout as in the Graph view." if spec.is_empty() else "Laid out for these entities alone.")
    )
    return Figure(svg=svg, alt=network_alt(picture), caption=caption), ""


def network_alt(picture: GraphPicture) -> str:
    """The network in words: how many, and the most connected with their ties."""
    nodes, ties = len(picture.ids), len(picture.edges)
    order = sorted(range(nodes), key=lambda i: (-picture.degrees[i], picture.names[i].casefold()))
    hubs = [f"{picture.names[i]} ({picture.degrees[i]} ties)" for i in order[:HUBS_IN_ALT] if picture.degrees[i]]
    alt = f"Network diagram of {nodes} entities and {ties} cited ties."
    if hubs:
        alt += " Most connected: " + ", ".join(hubs) + "."
    return alt


def timeline_figure(details: Sequence[EntityDetail]) -> Figure | None:
    dated = _timeline_entities(details)
    if not dated:
        return None
    height = timeline_height(len(dated), TIMELINE_WIDTH)
    svg = _svg(TIMELINE_WIDTH, height, "Timeline", lambda p: paint_timeline(p, dated, TIMELINE_WIDTH))
    return Figure(svg=svg, alt=timeline_alt(details), caption=timeline_caption(details))


def make_figures(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    details: Sequence[EntityDetail],
    positions: GraphPositionsStore | None,
) -> Figures:
    """Both figures for a summary (none when the options leave them out)."""
    if not options.include_graph or not details:
        return Figures()
    network, note = network_figure(repo, spec, positions)
    return Figures(network=network, network_note=note, timeline=timeline_figure(details))


# ---- the timeline painter ------------------------------------------------------------------------------
def _metrics(width: int, rows: int) -> tuple[int, int, int, int]:
    """(text px, top, bottom, row height): text about 8 pt at the text width, smaller only when that
    many rows would make the figure taller than a page can hold."""
    text_px = round(width / 60)
    top, bottom = text_px // 2, text_px * 2
    row = min(round(text_px * 1.5), (int(width * 1.15) - top - bottom) // max(1, rows))
    return min(text_px, int(row * 0.72)), top, bottom, row


def timeline_height(rows: int, width: int) -> int:
    _text, top, bottom, row = _metrics(width, rows)
    return top + bottom + row * rows


def paint_timeline(painter: QPainter, dated: Sequence[EntityDetail], width: int) -> None:
    """Horizontal bars from founding to end (open when none is stated), earliest first."""
    text_px, top, _bottom, row = _metrics(width, len(dated))
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.fillRect(QRectF(0, 0, width, timeline_height(len(dated), width)), QColor("white"))
    font = QFont()
    font.setFamilies(FONT_STACK.split(", "))
    font.setPixelSize(text_px)
    painter.setFont(font)
    fm = painter.fontMetrics()
    label_w = min(max(fm.horizontalAdvance(d.name) for d in dated) + 16, int(width * 0.42))
    lo, hi, rest = timeline_axis(dated)
    x0, x1 = label_w, width - 2 * text_px  # room for the last year's label
    # Parts of the axis: (first year, last year, left x, right x); two when the axis is broken.
    if rest is None:
        parts = [(lo, hi, float(x0), float(x1))]
    else:
        left_w, gap = (x1 - x0) * 0.1, 2.5 * text_px
        parts = [(lo, lo + 20, float(x0), x0 + left_w), (rest, hi, x0 + left_w + gap, float(x1))]

    def x(year: int, part: tuple[int, int, float, float]) -> float:
        a, b, xa, xb = part
        return xa + (max(a, min(year, b)) - a) * (xb - xa) / max(1, b - a)

    axis_y = top + row * len(dated)
    for part in parts:
        a, b = part[0], part[1]
        step = next(s for s in (5, 10, 20, 25, 50, 100) if (b - a) / s <= 10)
        years = range(a, b + 1, step) if part is parts[-1] else (a,)  # the short part: its first year
        for year in years:
            painter.setPen(QPen(QColor("#dddddd"), 1))
            painter.drawLine(QPointF(x(year, part), top), QPointF(x(year, part), axis_y))
            painter.setPen(QColor("#444444"))
            box = QRectF(x(year, part) - 2 * text_px, axis_y + text_px / 4, 4 * text_px, 1.5 * text_px)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignHCenter), str(year))
    if rest is not None:  # the break: a double slash where the axis jumps
        mid = (parts[0][3] + parts[1][2]) / 2
        painter.setPen(QPen(QColor("#444444"), max(1.0, text_px / 8)))
        for dx in (-text_px / 4, text_px / 4):
            painter.drawLine(
                QPointF(mid + dx - text_px / 4, axis_y + text_px / 3),
                QPointF(mid + dx + text_px / 4, axis_y - text_px / 3),
            )
    for i, d in enumerate(dated):
        y = top + i * row
        painter.setPen(QColor("#1a1a1a"))
        name = fm.elidedText(d.name, Qt.TextElideMode.ElideRight, label_w - 12)
        painter.drawText(
            QRectF(0, y, label_w - 10, row), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), name
        )
        # As in the Timeline view: a stated end closes a solid bar; without one the bar is drawn
        # open (hatched, dashed outline, to the edge): "no end year stated", not "still exists".
        start, end = d.founded or lo, d.ended or hi
        inset = row * 0.25
        if d.ended:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#12355b"))
        else:
            painter.setPen(QPen(QColor("#12355b"), max(1.0, text_px / 10), Qt.PenStyle.DashLine))
            painter.setBrush(QBrush(QColor("#5b7fa8"), Qt.BrushStyle.BDiagPattern))
        for part in parts:  # a bar across the break is drawn in both parts
            a, b = part[0], part[1]
            if end < a or start > b:
                continue
            left, right = x(max(start, a), part), x(min(end, b), part)
            painter.drawRoundedRect(QRectF(left, y + inset, max(6.0, right - left), row - 2 * inset), 4, 4)
