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

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator

from app.core.exports.report_data import ExportOptions, timeline_alt, timeline_caption
from app.core.exports.report_data import timeline_entities as _timeline_entities
from app.core.exports.report_typst import Figure, Figures
from app.core.query.filters import FilterSpec
from app.ui.timeline.timeline_figure import paint_timeline, timeline_height

if TYPE_CHECKING:
    from pathlib import Path

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
    repo: Repository, spec: FilterSpec, positions: GraphPositionsStore | None, cache: Path | None = None
) -> tuple[Figure | None, str]:
    """The graph pane's drawing of the exported set, or (None, why there is none)."""
    from app.core.graph.picture import picture_from_repo
    from app.ui.graph.graph_export import paint_graph
    from app.ui.qt_app import make_application

    make_application(headless=True)
    picture = picture_from_repo(repo, spec, positions=positions, own_layout=True, cache=cache)
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
    families = FONT_STACK.split(", ")
    svg = _svg(TIMELINE_WIDTH, height, "Timeline", lambda p: paint_timeline(p, dated, TIMELINE_WIDTH, families))
    return Figure(svg=svg, alt=timeline_alt(details), caption=timeline_caption(details))


def make_figures(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    details: Sequence[EntityDetail],
    positions: GraphPositionsStore | None,
    cache: Path | None = None,
) -> Figures:
    """Both figures for a summary (none when the options leave them out)."""
    if not options.include_graph or not details:
        return Figures()
    network, note = network_figure(repo, spec, positions, cache)
    return Figures(network=network, network_note=note, timeline=timeline_figure(details))
