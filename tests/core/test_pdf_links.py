"""Internal links typeset as stand-in web addresses and resolved in the finished PDF (app.core.exports.pdf_links)."""

from __future__ import annotations

import io
import logging

import pypdf
import pytest

from app.core.exports.pdf_links import PREFIX, LinkError, resolve_links
from app.core.exports.report_pdf import compile_source
from app.core.exports.typst_markup import go

SOURCE = f"""
#set document(title: "Links")
#set text(lang: "en")
= First <e0>
See #link({go("e1")})[the second] and source #link({go("s1")})[1].
#pagebreak()
= Second <e1>
Back to #link({go("e0")})[the first].
#pagebreak()
= Sources
#v(5cm)
#link({go("e1", "s1")})[*\\[1\\]*] A quoted passage.
"""


def links(reader: pypdf.PdfReader) -> list[tuple[int, int, float | None, str]]:
    """(from page, to page, top of the target or None, alternative text) for every link."""
    named = reader.named_destinations
    out = []
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            assert "/A" not in annot, annot  # no web action left
            dest = annot["/Dest"]
            if isinstance(dest, str):
                target, top = reader.get_destination_page_number(named[dest]), None
            else:
                target, top = reader.get_page_number(dest[0].get_object()), float(dest[3])
            out.append((number, target, top, str(annot.get("/Contents", ""))))
    return out


def test_links_go_to_headings_and_to_the_entry_their_anchor_marks():
    pdf = compile_source(SOURCE, {})[0]
    assert PREFIX.encode() not in pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)  # offsets still right: the file reads strictly
    found = links(reader)
    assert [(a, b) for a, b, _top, _alt in found] == [(0, 1), (0, 2), (1, 0), (2, 1)]
    alts = [alt for *_rest, alt in found]
    assert alts == ["Section, page 2", "Source 1, page 3", "Section, page 1", "Section, page 2"]
    # The source link goes to the entry (5 cm down the page), not to the top of its page.
    top = found[1][2]
    height = float(reader.pages[2].mediabox.top)
    assert top is not None and top < height - 150


def test_a_link_to_nothing_is_dead_rather_than_a_web_address(caplog):
    caplog.set_level(logging.WARNING)
    pdf = compile_source(f"= A <e0>\n#link({go('e0')})[ok] #link({go('s9')})[gone]", {})[0]
    assert "1 internal links of the summary had no target" in caplog.text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    annots = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert [("/Dest" in a, "/A" in a) for a in annots] == [(True, False), (False, False)]
    assert PREFIX.encode() not in pdf


def test_an_unexpected_pdf_layout_is_a_clear_error():
    with pytest.raises(LinkError):
        resolve_links(b"%PDF-1.7\n1 0 obj\n<</URI(" + PREFIX.encode() + b"e1)>>\nendobj\n")
    assert resolve_links(b"%PDF-1.7 no links") == b"%PDF-1.7 no links"


@pytest.mark.parametrize("where", ["memory", "file", "write-only file"])
def test_patches_land_where_they_belong_however_the_pdf_is_open(where, tmp_path):
    from app.core.exports.pdf_merge import _patch

    data = b"%PDF head " + bytes(range(256)) * 40 + b" tail"
    patches = [(5, b"AAAA"), (4000, b"BB"), (len(data) - 10, b"CCC")]
    expected = bytearray(b"lead" + data)
    for at, text in patches:
        expected[4 + at : 4 + at + len(text)] = text
    if where == "memory":
        out = io.BytesIO()
        out.write(b"lead" + data)
        _patch(out, 4, patches)
        got = out.getvalue()
    else:
        path = tmp_path / "p.pdf"
        with open(path, "w+b" if where == "file" else "wb") as fh:
            fh.write(b"lead" + data)
            _patch(fh, 4, patches)
            fh.write(b"!")  # still at the end: what follows is appended
        got = path.read_bytes()[:-1]
        assert path.read_bytes().endswith(b"tail!")
    assert got == bytes(expected)
