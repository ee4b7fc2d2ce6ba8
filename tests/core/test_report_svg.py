"""The pages a print sends to the printer (render_pages_svg) are the PDF's pages, as SVG: as many,
each with its running header, the page and its footer, and the same words."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pypdf

from app.core.atlas import Atlas
from app.core.exports.report_data import ExportOptions, collect_report
from app.core.exports.report_pdf import render_pages_svg, render_pdf
from app.core.exports.report_typst import Figures
from app.core.query.filters import FilterSpec


def test_the_printed_pages_are_the_pdfs_pages_as_svg(atlas: Atlas) -> None:
    options = ExportOptions(title="Printed handout", page_size="Letter")
    data = collect_report(atlas.repo, FilterSpec(ids=("nato", "quad")), options)
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(data, options, Figures())))
    pages = render_pages_svg(data, options, Figures())
    assert len(pages) == len(pdf.pages) > 1
    for layers in pages:
        assert len(layers) == 3  # the header (none on the title page), the page, the footer
        roots = [ElementTree.fromstring(layer) for layer in layers]
        assert all(r.tag.endswith("svg") and r.get("viewBox") == "0 0 612 792" for r in roots)  # Letter, as asked
        assert len(layers[1]) > 5_000  # the page itself: its text, drawn as glyph outlines
