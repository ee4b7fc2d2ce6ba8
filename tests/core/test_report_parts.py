"""A summary typeset in parts and joined (report_pdf, pdf_merge): one document, read back whole.

The seed summary is cut into parts far smaller than a real one's (a few entities each), so every
boundary the 1,000-entity summary has is here: between entities, between sources, before the
Sources list. Across them the page numbers continue, the bookmarks nest, the citation links go
both ways, the tags form one tree, and user text survives the renumbering of the PDF objects.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from itertools import pairwise
from pathlib import Path
from typing import ClassVar

import pypdf
import pytest

from app.core.atlas import Atlas
from app.core.exports import pdf_merge
from app.core.exports.report_data import ExportOptions, collect_report
from app.core.exports.report_pdf import render_pdf
from app.core.exports.report_typst import Figures, build_parts, running_heads
from app.core.query.filters import FilterSpec

SMALL = 2_500  # characters of Typst source per part: an entity or two
TRICKY = "Bracket (12 0 R) and \\( unbalanced ( and /StructParent 3 and (U2x0y0)"


def _text(reader: pypdf.PdfReader) -> list[str]:
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in reader.pages]


def _targets(reader: pypdf.PdfReader, page_no: int) -> list[int]:
    named = reader.named_destinations
    out = []
    for annot in reader.pages[page_no].get("/Annots") or []:
        dest = annot.get_object().get("/Dest")
        if dest is None:
            continue
        dest = dest.get_object() if hasattr(dest, "get_object") else dest
        if isinstance(dest, str):
            out.append(reader.get_destination_page_number(named[dest]))
        else:
            out.append(reader.get_page_number(dest[0].get_object()))
    return out


@pytest.fixture
def parts_pdf(atlas: Atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str], list[str]]:
    from app.core.exports import report_typst

    monkeypatch.setattr(report_typst, "MARGINAL_PAGES", 5)  # the headers and footers in parts too
    atlas.user_data.notes.create_note("nato", title=TRICKY, body=f"{TRICKY}\n\nSee [the CSTO](entity:csto).")
    options = ExportOptions(title=f"Parts {TRICKY}", include_notes=True, include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(kinds=("alliance",)), options, user_data=atlas.user_data)
    source = build_parts(data, options, Figures(), part_chars=SMALL)
    assert len(source.body) >= 5  # really in parts
    path = tmp_path / "parts.pdf"
    path.write_bytes(render_pdf(data, options, Figures(), part_chars=SMALL))
    return path, [d.name for d in data.details], source.body


def test_parts_join_into_one_numbered_document_with_nested_bookmarks(parts_pdf) -> None:  # type: ignore[no-untyped-def]
    path, names, _body = parts_pdf
    reader = pypdf.PdfReader(str(path), strict=True)
    text = _text(reader)
    total = len(text)
    for i, page in enumerate(text):  # the page numbers continue across the parts
        assert f"Page {i + 1} of {total}" in page, (i, page[-120:])
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["Contents", "Overview", "Entities", "Sources"]
    entities = reader.outline[titles.index("Entities") + 1]
    assert [item.title for item in entities] == names  # every entity, in order, whatever part it is in
    order = ["Entities", *names]
    for i, item in enumerate(entities):
        page = reader.get_destination_page_number(item)
        assert item.title in text[page]
        # The running header (the title, then the section) spans the entity on its first page, as a
        # dictionary's does: it alone, or the first and the last heading there ("Entities … NATO").
        assert text[page].startswith(f"Parts {TRICKY} ")
        head = text[page][len(f"Parts {TRICKY} ") :]
        spans = [(a, b) for a in order for b in order if head.startswith(f"{a} ... {b} ")]
        first, last = spans[0] if spans else next((a, a) for a in order if head.startswith(a))
        assert order.index(first) <= i + 1 <= order.index(last), head[:80]


def test_citation_links_cross_the_parts_both_ways(parts_pdf) -> None:  # type: ignore[no-untyped-def]
    path, names, body = parts_pdf
    reader = pypdf.PdfReader(str(path))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    entities = reader.outline[titles.index("Entities") + 1]
    sources_page = next(reader.get_destination_page_number(i) for i in reader.outline if i == reader.outline[-1])
    pages = [reader.get_destination_page_number(i) for i in entities]
    # The last entity of the first entities part, and the last of all: their citations reach the
    # Sources list, typeset in other parts, and the sources link back to them.
    first_part = next(part for part in body if "<e0>" in part)
    last_in_first = max(i for i, _name in enumerate(names) if f"<e{i}>" in first_part)
    assert last_in_first < len(names) - 1
    for i in (last_in_first, len(names) - 1):
        targets = set(_targets(reader, pages[i]))
        assert any(t >= sources_page for t in targets), (names[i], targets, sources_page)
    back = {t for p in range(sources_page, len(reader.pages)) for t in _targets(reader, p)}
    assert {pages[last_in_first], pages[-1]} <= back
    # The contents (page 2) link to every entity's page.
    assert set(pages) <= set(_targets(reader, 1))


def _contents_lines(reader: pypdf.PdfReader) -> list[tuple[int, int]]:
    """Each contents line: (the page number printed at its end, the page its link goes to, from 1).
    The numbers are read where they are drawn, on the line's baseline at its right end."""
    named = reader.named_destinations
    lines: list[tuple[int, int]] = []
    for page_no in range(1, len(reader.pages)):
        page = reader.pages[page_no]
        links = []
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            x1, y1, x2, _y2 = (float(v) for v in a["/Rect"])
            if x2 - x1 > 300 and isinstance(a.get("/Dest"), str):  # a whole line: the contents
                links.append((y1, x2, reader.get_destination_page_number(named[a["/Dest"]]) + 1))
        if not links:
            break
        numbers: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, _font, _size):  # type: ignore[no-untyped-def]
            if text.strip().isdigit():
                x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                numbers.append((y, x, text.strip()))

        page.extract_text(visitor_text=visit)
        for y1, x2, target in links:
            near = [int(t) for y, x, t in numbers if abs(y - y1) < 1.5 and x2 - 40 < x < x2]
            assert len(near) == 1, (page_no, y1, near)
            lines.append((near[0], target))
    return lines


def test_the_contents_print_the_page_each_line_links_to(parts_pdf) -> None:  # type: ignore[no-untyped-def]
    path, names, _body = parts_pdf
    reader = pypdf.PdfReader(str(path))
    lines = _contents_lines(reader)
    assert len(lines) == 3 + len(names)  # Overview, Entities, each entity, Sources
    assert all(printed == target for printed, target in lines), lines
    assert len({target for _printed, target in lines}) > 3  # the entities are on several pages


def test_parts_keep_one_tag_tree_and_the_user_text(parts_pdf) -> None:  # type: ignore[no-untyped-def]
    path, names, _body = parts_pdf
    reader = pypdf.PdfReader(str(path))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "en"
    tree = root["/StructTreeRoot"]
    assert len(tree["/K"]) == 1 and tree["/K"][0].get_object()["/S"] == "/Document"
    kinds: list[str] = []

    def walk(node, depth=0):  # type: ignore[no-untyped-def]
        node = node.get_object()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                kinds.append(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None and depth < 60:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid, depth + 1)

    walk(tree)
    assert kinds.count("/H1") == 4 and kinds.count("/H2") == len(names) and "/Table" in kinds
    # Each page's marked content is found from its key in the one parent tree.
    nums = tree["/ParentTree"]["/Nums"]
    keys = [int(k) for k in nums[0::2]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(int(p["/StructParents"]) in set(keys) for p in reader.pages)
    assert reader.metadata.title == f"Parts {TRICKY}"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    plain = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    assert " ".join(plain.stdout.decode().split()).count(TRICKY) >= 3  # title page, note title and body
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Tagged:\s+yes", info)


def test_handouts_in_parts_have_the_pages_of_one_document(atlas: Atlas) -> None:
    """Each entity of a handout begins a page anyway: cutting between them changes nothing."""
    options = ExportOptions(handout=True, include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(kinds=("alliance",)), options)
    whole = pypdf.PdfReader(io.BytesIO(render_pdf(data, options, Figures())))
    split = pypdf.PdfReader(io.BytesIO(render_pdf(data, options, Figures(), part_chars=SMALL)))
    assert _text(whole) == _text(split)


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_continuous_parts_flow_on_as_one_document(atlas: Atlas, page_size: str) -> None:
    """Cut between entities and between sources, where no page break falls, the parts still flow
    on: the same pages as one document, each with the same text (no page begun early)."""
    options = ExportOptions(include_graph=False, include_notes=True, page_size=page_size)
    data = collect_report(atlas.repo, FilterSpec(), options, user_data=atlas.user_data)
    assert len(build_parts(data, options, Figures(), part_chars=SMALL).plan()) >= 8  # really in parts
    whole = _text(pypdf.PdfReader(io.BytesIO(render_pdf(data, options, Figures()))))
    split = _text(pypdf.PdfReader(io.BytesIO(render_pdf(data, options, Figures(), part_chars=SMALL))))
    assert len(split) == len(whole) and split == whole


def test_parts_cut_only_where_a_page_may_begin(atlas: Atlas) -> None:
    """The plan: a stretch between page breaks larger than a part is a chain whose later parts
    begin softly (where a page opens, found once the part before is set); a page break always
    begins a part of its own; a summary of up to two parts' size is one part."""
    options = ExportOptions(include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(), options)
    source = build_parts(data, options, Figures(), part_chars=SMALL)
    plan = source.plan()
    assert plan[0].start == 0 and plan[-1].end == len(source.pieces)
    assert all(a.end == b.start for a, b in pairwise(plan))  # every piece once, in order
    assert any(p.soft for p in plan) and not plan[0].soft
    for part in plan:
        assert part.soft == source.pieces[part.start].soft  # begins softly only inside a chain
    # Every soft piece carries the label that shows in the PDF whether a page opens with it.
    assert all(p.anchor is not None for p in source.pieces if p.soft)
    assert [(p.start, p.end) for p in build_parts(data, options, Figures()).plan()] == [(0, len(source.pieces))]


def test_running_heads_follow_the_headings() -> None:
    h = pdf_merge.Heading
    headings = [h(1, "Contents", "c"), h(1, "Entities", "x"), h(2, "A", "a"), h(2, "B", "b"), h(2, "C", "k")]
    where = {"c": (1, 80.0), "x": (3, 80.0), "a": (3, 120.0), "b": (3, 500.0), "k": (5, 400.0)}
    assert running_heads(headings, where, 7) == [None, "Contents", "Contents", "Entities … B", "B", "B … C", "C"]


def test_cancel_while_the_parts_are_typeset_stops_and_leaves_nothing(atlas: Atlas, tmp_path: Path) -> None:
    from app.core.exports.data import Cancelled
    from app.core.exports.report_pdf import write_pdf

    options = ExportOptions(include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(kinds=("alliance",)), options)
    seen: list[int] = []

    def progress(percent: int, _message: str) -> bool:
        seen.append(percent)
        return percent < 65  # the first parts are done: cancel while the next one is typeset

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled):
        write_pdf(data, options, out / "x.pdf", Figures(), progress, part_chars=SMALL)
    assert max(seen) >= 65 and list(out.iterdir()) == []


class _InProcess:
    """report_pdf's Pool made to typeset here, in order (deterministic), recording what it is given."""

    log: ClassVar[list[tuple[str, list[str]]]] = []  # (a source, the sources pending when it was submitted)
    worker = 0.0  # the worker's memory it reports, MB

    def __new__(cls, inputs, *, isolated, progress=None, parallel=2):  # type: ignore[no-untyped-def]
        from app.core.exports import typst_pool

        class Recording(typst_pool.Pool):
            def submit(self, source: str, job):  # type: ignore[no-untyped-def]
                cls.log.append((source, [s for s, _job in self.pending.values()]))
                return super().submit(source, job)

            def worker_mb(self) -> float:
                return cls.worker

        return Recording(inputs, isolated=False, progress=progress, parallel=parallel)


def test_never_two_overview_tables_are_set_at_once(atlas: Atlas, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table takes Typst the memory of two parts of text: two side by side made the peak memory
    of a 1,000-entity export. The other typesetter sets text meanwhile, and the pages are the same."""
    from app.core.exports import report_pdf, report_typst

    monkeypatch.setattr(report_typst, "OVERVIEW_ROWS", 12)  # the seed's overview in several tables
    options = ExportOptions(include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(), options)
    whole = _text(pypdf.PdfReader(io.BytesIO(render_pdf(data, options, Figures()))))
    monkeypatch.setattr(report_pdf, "Pool", _InProcess)
    monkeypatch.setattr(_InProcess, "log", [])
    split = _text(pypdf.PdfReader(io.BytesIO(render_pdf(data, options, Figures(), part_chars=SMALL))))
    tables = [(s, pending) for s, pending in _InProcess.log if "table.header(" in s]
    assert len(tables) >= 3
    assert all(not any("table.header(" in p for p in pending) for _s, pending in tables)
    assert any(pending for _s, pending in tables)  # but beside other parts
    assert split == whole


def test_the_headers_and_footers_wait_their_turn_when_the_worker_is_large(
    atlas: Atlas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The budget counts the worker as large as it is: when it already holds most of it, the
    title page and the headers and footers are set one at a time, not side by side."""
    from app.core.exports import report_pdf, report_typst

    monkeypatch.setattr(report_typst, "MARGINAL_PAGES", 5)  # the headers and footers in several parts
    monkeypatch.setattr(report_pdf, "Pool", _InProcess)
    options = ExportOptions(include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(), options)

    def tail(worker_mb: float) -> list[int]:
        monkeypatch.setattr(_InProcess, "log", [])
        monkeypatch.setattr(_InProcess, "worker", worker_mb)
        render_pdf(data, options, Figures(), part_chars=SMALL)
        return [len(pending) for source, pending in _InProcess.log if "#mp(" in source]

    roomy, tight = tail(0.0), tail(report_pdf.MEMORY_MB)
    assert len(tight) >= 3 and max(roomy) >= 1  # side by side while there is room
    assert max(tight) == 0  # one at a time when there is none
