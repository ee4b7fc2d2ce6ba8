"""PDF summaries read back with pypdf: pages, names, citations, the filter, Unicode, options, atomic writes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdf
import pytest

from app.core.exports.data import Cancelled
from app.core.query.filters import FilterSpec
from app.core.userdata.database import UserData
from app.ui.report.report import ExportOptions, build_html, collect_report, load_fonts, note_html, write_pdf

ARABIC = "حلف شمال الأطلسي"
CYRILLIC = "Организация Договора о коллективной безопасности"
CHINESE = "北大西洋公约组织"


def pdf_text(path: Path) -> tuple[int, list[str]]:
    reader = pypdf.PdfReader(str(path))
    pages = [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in reader.pages]
    return len(reader.pages), pages


def make_pdf(qapp, atlas, spec: FilterSpec, path: Path, **opts) -> tuple[int, list[str]]:
    load_fonts()
    options = ExportOptions(**opts)
    data = collect_report(atlas.repo, spec, options, user_data=atlas.user_data)
    write_pdf(data, options, path)
    return pdf_text(path)


def test_seed_summary_has_every_entity_and_citation(qapp, atlas, tmp_path):
    spec = FilterSpec(kinds=("alliance", "partnership"))
    pages, text = make_pdf(qapp, atlas, spec, tmp_path / "s.pdf", title="Alliances and partnerships")
    rows = atlas.repo.list_entities(spec)
    assert len(rows) == 13 and pages >= 5
    body = " ".join(text)
    for row in rows:
        assert row.name in body, row.name
        detail = atlas.repo.get_entity(row.id, mention_limit=0)
        quote = " ".join(detail.citations[0].quote.split())
        assert quote[:60] in body, (row.id, quote)
    # The title page states the title and the filter in words, and the data's identity.
    assert "Alliances and partnerships" in text[0]
    assert "Entities kind: alliance or partnership" in text[0]
    assert atlas.repo.meta()["seed_hash"][:12] in text[0]
    # Running header with the title and page numbers on the later pages.
    assert "Alliances and partnerships" in text[3] and f"Page 4 of {pages}" in text[3]
    # The contents list each entity with a page number, and that page holds the entity.
    assert "Contents" in text[1]


def test_contents_page_numbers_point_at_the_entity(qapp, atlas, tmp_path):
    _pages, text = make_pdf(qapp, atlas, FilterSpec(ids=("nato", "csto", "quad")), tmp_path / "c.pdf", handout=True)
    toc = text[1]
    import re

    for name in ("NATO", "Quadrilateral Security Dialogue", "Collective Security Treaty Organization"):
        page = int(re.search(re.escape(name) + r" (\d+)", toc).group(1))
        assert text[page - 1].split("Page ")[0].count(name) >= 1
        assert "Sources" in text[page - 1] or "Sources" in text[page]  # handout: sources with each entity


def test_unicode_note_renders_and_raw_html_stays_text(qapp, atlas, tmp_path):

    UserData.open(atlas.paths.user_db).notes.create_note(
        "nato",
        title="Scripts",
        body=f"Arabic: {ARABIC}\n\nCyrillic: {CYRILLIC}\n\nChinese: {CHINESE}\n\n<b>bold?</b> ![x](file:///etc/passwd)",
        tags=["review"],
    )
    _pages, text = make_pdf(qapp, atlas, FilterSpec(ids=("nato",)), tmp_path / "u.pdf", include_notes=True)
    body = " ".join(text)
    assert CYRILLIC in body and CHINESE in body
    # Arabic comes back as shaped glyphs in visual (right-to-left) order, and a lam-alef ligature
    # keeps its own order: after NFKC each word's letters must all be there (no boxes, nothing lost).
    tokens = {"".join(sorted(t)) for t in body.split()}
    for word in ARABIC.split():
        assert "".join(sorted(word)) in tokens, word
    assert "<b>bold?</b>" in body  # raw HTML off: the tag is shown as text, not applied
    assert "[image: x]" in body and "passwd" not in body  # no local file is loaded
    assert "Your notes" in body and "review" in body


def test_notes_left_out_unless_asked(qapp, atlas, tmp_path):

    UserData.open(atlas.paths.user_db).notes.create_note("nato", title="Private thought", body="secret words")
    _pages, text = make_pdf(qapp, atlas, FilterSpec(ids=("nato",)), tmp_path / "n.pdf")
    assert "secret words" not in " ".join(text)


def test_handout_puts_each_entity_on_its_own_page_and_letter_size(qapp, atlas, tmp_path):
    ids = ("nato", "csto", "five-eyes")
    path = tmp_path / "h.pdf"
    make_pdf(qapp, atlas, FilterSpec(ids=ids), path, handout=True, page_size="Letter", include_graph=False)
    reader = pypdf.PdfReader(str(path))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 612 and round(float(box.height)) == 792  # US Letter in points
    _n, text = pdf_text(path)
    # Each entity opens a page of its own (the page text starts with its heading; pypdf may split
    # a large heading's first glyph off, so compare without spaces).
    squashed = [t.replace(" ", "") for t in text]
    starts = {name: [i for i, t in enumerate(squashed) if t.startswith(name.replace(" ", "") + "Alliance")]
              for name in ("NATO", "Five Eyes")}  # fmt: skip
    assert all(len(v) == 1 for v in starts.values()), starts
    assert starts["NATO"] != starts["Five Eyes"]


def test_continuous_is_shorter_than_handout_and_graph_adds_a_figure(qapp, atlas, tmp_path):
    spec = FilterSpec(kinds=("alliance", "country"))  # the documents cite ties among these
    n_cont, cont = make_pdf(qapp, atlas, spec, tmp_path / "a.pdf", include_graph=True)
    n_hand, _ = make_pdf(qapp, atlas, spec, tmp_path / "b.pdf", handout=True, include_graph=False)
    assert n_cont < n_hand
    assert "Network" in " ".join(cont) and "Timeline" in " ".join(cont)


def test_empty_selection_still_makes_a_pdf(qapp, atlas, tmp_path):
    pages, text = make_pdf(qapp, atlas, FilterSpec(text="zzzznothing"), tmp_path / "e.pdf")
    assert pages >= 2 and "No entities match" in " ".join(text)


def test_cancel_and_failure_leave_no_file(qapp, atlas, tmp_path):
    load_fonts()
    options = ExportOptions()
    data = collect_report(atlas.repo, FilterSpec(), options, user_data=atlas.user_data)
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.pdf").write_bytes(b"old")
    with pytest.raises(Cancelled):
        write_pdf(data, options, out / "old.pdf", progress=lambda p, _m: p < 70)  # cancel mid-way
    assert [p.name for p in out.iterdir()] == ["old.pdf"] and (out / "old.pdf").read_bytes() == b"old"
    from app.core.errors import AtlasError

    with pytest.raises(AtlasError, match="does not exist"):
        write_pdf(data, options, out / "missing" / "x.pdf")
    assert [p.name for p in out.iterdir()] == ["old.pdf"]


def test_user_text_is_escaped(qapp, atlas):
    options = ExportOptions(title="<script>alert(1)</script> & co")
    data = collect_report(atlas.repo, FilterSpec(ids=("nato",)), options)
    html_text, toc = build_html(data, options)
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert toc[0] == "Overview" and "NATO" in toc


def test_note_markdown_keeps_structure_but_no_headings_or_local_links(qapp):
    out = note_html("# Big\n\n- one\n- two\n\n[local](file:///etc/passwd) [web](https://example.org)")
    assert "<h1" not in out and "one" in out and "two" in out
    assert "file:///etc/passwd" not in out and 'href="https://example.org"' in out


def test_full_disk_is_a_clear_error_and_leaves_nothing(qapp, atlas, tmp_path, monkeypatch):
    import errno
    import os

    from app.core import fileio
    from app.core.errors import DiskFull

    load_fonts()
    options = ExportOptions(include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(ids=("nato",)), options)

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", full)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DiskFull, match="disk is full"):
        write_pdf(data, options, out / "x.pdf")
    assert list(out.iterdir()) == []


def test_printing_paints_the_same_document_on_a_printer(qapp, atlas, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from app.ui.report.printing import make_printer, paint_report

    load_fonts()
    options = ExportOptions(title="Printed", page_size="Letter")
    data = collect_report(atlas.repo, FilterSpec(ids=("nato", "quad")), options)
    printer = make_printer(options)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a "printer" we can read back
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    pages = paint_report(data, options, printer)
    n, text = pdf_text(tmp_path / "printed.pdf")
    assert n == pages and "Printed" in text[0] and "Quadrilateral Security Dialogue" in " ".join(text)
    assert f"Page 2 of {pages}" in text[1]


def test_no_source_is_split_across_pages(qapp, atlas, tmp_path):
    # Qt breaks paragraphs anywhere; a source cut in two ("[56] “NATO, or …" at a page foot, the rest
    # overleaf) is hard to read. Each numbered source must end, with its file name, on its own page.
    import re

    _pages, text = make_pdf(qapp, atlas, FilterSpec(), tmp_path / "s.pdf", include_graph=False)
    first = next(i for i, t in enumerate(text) if t.startswith("Sources [1] “"))
    numbers: list[int] = []
    for page in text[first:]:
        for chunk in re.split(r"(?=\[\d+\] “)", page)[1:]:
            numbers.append(int(chunk[1 : chunk.index("]")]))
            assert re.search(r"\.(txt|md)\)", chunk), chunk[:120]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 50


def running_heads(path: Path, title: str = "Alliance Atlas summary") -> list[str]:
    """The right-hand running header of each page (painted after the page's text, under the title)."""
    heads = []
    for page in pypdf.PdfReader(str(path)).pages:
        lines = [" ".join(line.split()) for line in page.extract_text().split("\n")]
        heads.append(lines[len(lines) - 1 - lines[::-1].index(title) + 1] if title in lines else "")
    return heads


def test_running_header_names_the_entity_a_page_belongs_to(qapp, atlas, tmp_path):
    path = tmp_path / "h.pdf"
    names = {"nato": "NATO", "csto": "Collective Security Treaty Organization", "five-eyes": "Five Eyes"}
    make_pdf(qapp, atlas, FilterSpec(ids=tuple(names)), path, handout=True, include_graph=False)
    _n, text = pdf_text(path)
    heads = running_heads(path)
    assert heads[1].startswith("Contents")  # a small summary's overview follows on that page
    squashed = [t.replace(" ", "") for t in text]
    opened = None
    for i, t in enumerate(squashed[2:], start=2):
        starting = [name for name in names.values() if t.startswith(name.replace(" ", "") + "Alliance")]
        if starting:
            opened = starting[0]
        if opened:  # a page that opens an entity, or continues it, is headed with its name
            assert heads[i] == opened, (i, heads[i], opened)
    assert set(names.values()) <= set(heads)
    # NATO's sources run onto a page of their own: that page still says whose they are.
    nato_pages = [i for i, h in enumerate(heads) if h == "NATO"]
    assert len(nato_pages) >= 2 and not squashed[nato_pages[-1]].startswith("NATOAlliance")

    # Continuous: a page that opens with an entity (moved there whole by the page-break rules) is
    # headed with that entity, not the one before it.
    path = tmp_path / "c.pdf"
    make_pdf(qapp, atlas, FilterSpec(), path, include_graph=False)
    _n, text = pdf_text(path)
    heads = running_heads(path)
    all_names = [r.name for r in atlas.repo.list_entities(FilterSpec())]
    opened_pages = 0
    for i, page in enumerate(text[3:], start=3):
        squashed_page = page.replace(" ", "")
        starting = [n for n in all_names if squashed_page.startswith(n.replace(" ", ""))]
        if starting and not page.startswith("["):  # not a Sources page beginning with an endnote
            opened_pages += 1
            assert heads[i].split(" … ")[0] == max(starting, key=len), (i, heads[i], starting)
    assert opened_pages >= 5
    # As in a dictionary, a page on which further entities start names the last one too.
    ranged = [h for h in heads if " … " in h]
    assert ranged and all(h.split(" … ")[1] in all_names for h in ranged)


def test_network_figure_only_when_the_documents_cite_ties_among_the_entities(qapp, atlas, tmp_path):
    _n, apart = make_pdf(qapp, atlas, FilterSpec(ids=("csto", "five-eyes")), tmp_path / "a.pdf", include_graph=True)
    assert "cite no ties among the entities" in " ".join(apart)
    tied = FilterSpec(ids=("nato", "north-atlantic-treaty"))
    _n, joined = make_pdf(qapp, atlas, tied, tmp_path / "b.pdf", include_graph=True)
    assert "cite no ties" not in " ".join(joined)
    assert "the cited ties between them" in " ".join(joined)
    reader = pypdf.PdfReader(str(tmp_path / "b.pdf"))
    assert any(page.images for page in reader.pages)  # the drawing is embedded


def test_title_page_counts_what_the_sources_list(qapp, atlas, tmp_path):
    import re

    spec = FilterSpec(ids=("nato", "csto", "five-eyes"))
    _n, text = make_pdf(qapp, atlas, spec, tmp_path / "c.pdf", include_graph=False)
    cover = re.search(r"(\d+) cited passages? from (\d+) documents?", text[0])
    assert cover is not None, text[0]
    first = next(i for i, t in enumerate(text) if t.startswith("Sources"))
    sources = re.sub(r"-\s+", "-", " ".join(text[first:]))  # file names wrap at their hyphens
    numbers = {int(n) for n in re.findall(r"\[(\d+)\] “", sources)}
    files = set(re.findall(r"\(([a-z0-9-]+\.(?:txt|md))\)", sources))
    assert int(cover.group(1)) == len(numbers) == max(numbers)
    assert int(cover.group(2)) == len(files) < 5  # the documents these three are cited from, not all five


def test_a_note_title_is_never_left_alone_at_the_foot_of_a_page(qapp, atlas, tmp_path):

    store = UserData.open(atlas.paths.user_db).notes
    paragraph = "A long line of classroom commentary about collective defence and its history. " * 4
    for k in range(8):
        store.create_note("nato", title=f"Lesson note {k}", body="\n\n".join([paragraph] * (3 + k % 3)))
    path = tmp_path / "n.pdf"
    make_pdf(qapp, atlas, FilterSpec(ids=("nato",)), path, include_notes=True, include_graph=False)
    for page in pypdf.PdfReader(str(path)).pages:
        lines = [" ".join(line.split()) for line in page.extract_text().split("\n") if line.strip()]
        title_at = lines.index("Alliance Atlas summary") if "Alliance Atlas summary" in lines else len(lines)
        content = lines[:title_at]  # the running header and footer are painted after the text
        tail = " ".join(content[-2:])
        assert "Lesson note" not in tail or "commentary" in tail, content[-3:]
        assert not (content and content[-1] == "Your notes")


def test_timeline_axis_breaks_around_a_lone_early_year(qapp, atlas, tmp_path):
    """The Treaty of Westphalia (1648) would squeeze the modern bars into slivers: the axis breaks."""
    _n, everything = make_pdf(qapp, atlas, FilterSpec(), tmp_path / "a.pdf", include_graph=True)
    assert "The year axis is broken between 1660 and 1940" in " ".join(everything)
    _n, modern = make_pdf(qapp, atlas, FilterSpec(ids=("nato", "csto")), tmp_path / "b.pdf", include_graph=True)
    assert "Timeline" in " ".join(modern) and "axis is broken" not in " ".join(modern)
