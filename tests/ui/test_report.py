"""PDF summaries read back: pages, names, citations, scripts, outline, links, tags, figures, hostile text, options."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import unicodedata
from pathlib import Path

import pypdf
import pytest

from app.core.exports.data import Cancelled
from app.core.exports.report_data import ExportOptions, collect_report
from app.core.exports.report_pdf import write_pdf
from app.core.exports.report_typst import Figures, build_source
from app.core.query.filters import FilterSpec
from app.ui.report.report import export_pdf, load_fonts

ARABIC = "حلف شمال الأطلسي"
CYRILLIC = "Организация Договора о коллективной безопасности"
CHINESE = "北大西洋公约组织"
HOSTILE = '# $x$ *bold* @nato <e0> ] [ \\ \\" #read("/etc/passwd") `#eval("1")` // not a comment /* nor */ _u_ = h'


def pdf_text(path: Path) -> tuple[int, list[str]]:
    reader = pypdf.PdfReader(str(path))
    pages = [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in reader.pages]
    return len(reader.pages), pages


def make_pdf(qapp, atlas, spec: FilterSpec, path: Path, **opts) -> tuple[int, list[str]]:
    load_fonts()
    export_pdf(atlas.repo, spec, ExportOptions(**opts), path, user_data=atlas.user_data)
    return pdf_text(path)


def link_targets(reader: pypdf.PdfReader, page_no: int) -> list[int]:
    """The pages the internal links on a page go to (named or explicit destinations)."""
    named = reader.named_destinations
    out = []
    for annot in reader.pages[page_no].get("/Annots") or []:
        a = annot.get_object()
        dest = a.get("/Dest") or (a.get("/A") or {}).get("/D")
        if dest is None:
            continue
        dest = dest.get_object() if hasattr(dest, "get_object") else dest
        if isinstance(dest, str):
            if dest in named:
                out.append(reader.get_destination_page_number(named[dest]))
        else:
            out.append(reader.get_page_number(dest[0].get_object()))
    return out


def pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


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
    assert "reference database schema" in text[0]
    # Running header with the title, and page numbers, on the later pages.
    assert "Alliances and partnerships" in text[3] and f"Page 4 of {pages}" in text[3]
    assert "Contents" in text[1]


def test_outline_links_and_contents(qapp, atlas, tmp_path):
    path = tmp_path / "c.pdf"
    make_pdf(qapp, atlas, FilterSpec(ids=("nato", "csto", "quad")), path, include_graph=False)
    reader = pypdf.PdfReader(str(path))
    # Bookmarks: every section, and every entity under "Entities".
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    assert {"Contents", "Overview", "Entities", "Sources"} <= set(titles)
    nested = reader.outline[titles.index("Entities") + 1]
    assert isinstance(nested, list)
    names = {"NATO", "Collective Security Treaty Organization", "Quadrilateral Security Dialogue"}
    assert {item.title for item in nested} == names
    nato_page = next(reader.get_destination_page_number(i) for i in nested if i.title == "NATO")
    assert "Alliance" in reader.pages[nato_page].extract_text()

    def internal_links(page_no: int) -> list[int]:
        return link_targets(reader, page_no)

    # The contents (page 2) and the overview link to the entity's page.
    assert nato_page in internal_links(1)
    overview_page = next(reader.get_destination_page_number(i) for i in top if i.title == "Overview")
    assert nato_page in internal_links(overview_page)
    # Each citation number links to the Sources, and each source back to where it was cited.
    sources_page = next(reader.get_destination_page_number(i) for i in top if i.title == "Sources")
    assert sources_page in internal_links(nato_page)
    assert nato_page in internal_links(sources_page)


def test_every_script_is_real_text_and_arabic_in_logical_order(qapp, atlas, tmp_path):
    atlas.user_data.notes.create_note(
        "nato",
        title="Scripts",
        body=f"Arabic: {ARABIC}\n\nCyrillic: {CYRILLIC}\n\nChinese: {CHINESE}\n\n<b>bold?</b> ![x](https://e.org/x.png)",
        tags=["review"],
    )
    path = tmp_path / "u.pdf"
    _pages, text = make_pdf(qapp, atlas, FilterSpec(ids=("nato",)), path, include_notes=True)
    body = " ".join(text)
    assert CYRILLIC in body and CHINESE in body
    for word in ARABIC.split():  # pypdf: every Arabic word, letters in reading order
        assert word in body, word
    assert "<b>bold?</b>" in body  # raw HTML off: the tag is shown as text, not applied
    assert "[image: x]" in body  # nothing is loaded
    assert "Your notes" in body and "review" in body
    plain = " ".join(pdftotext(path).split())
    assert "حلف شمال" in plain  # logical order, as typed (Qt's writer gave visual order)
    assert CYRILLIC in plain and CHINESE in plain
    # Fonts embedded, subset, and only ours.
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "NotoSans-Regular" in fonts and "NotoSansArabic" in fonts and "DroidSansFallback" in fonts


def test_hostile_note_text_prints_verbatim_and_runs_nothing(qapp, atlas, tmp_path):
    atlas.user_data.notes.create_note("nato", title=HOSTILE, body=f"{HOSTILE}\n\n    {HOSTILE}")
    options = ExportOptions(title=HOSTILE, include_notes=True, include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(ids=("nato",)), options, user_data=atlas.user_data)
    data.details[0] = data.details[0].__class__(**{**data.details[0].__dict__, "aliases": (HOSTILE,)})
    source = build_source(data, options, Figures())
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', source)  # the source without its string literals
    assert "read(" not in code and "eval(" not in code and "/etc/passwd" not in code
    path = write_pdf(data, options, tmp_path / "h.pdf", Figures())
    plain = " ".join(pdftotext(path).split())
    squashed = " ".join(HOSTILE.split())
    assert plain.count(squashed) >= 3  # title page, note title and code block; alias in the facts table
    assert "root:" not in plain  # /etc/passwd was never read
    reader = pypdf.PdfReader(str(path))
    assert reader.metadata.title == HOSTILE


def test_tagged_pdf_with_title_language_and_figure_alt_text(qapp, atlas, tmp_path):
    path = tmp_path / "t.pdf"
    make_pdf(qapp, atlas, FilterSpec(ids=("nato", "north-atlantic-treaty")), path, title="Tagged")
    reader = pypdf.PdfReader(str(path))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == "en" and reader.metadata.title == "Tagged"
    assert b"pdfuaid:part" in path.read_bytes()  # it claims PDF/UA-1, which Typst checked
    kinds: set[str] = set()
    alts: list[str] = []

    def walk(node, depth=0):
        node = node.get_object()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                kinds.add(str(node["/S"]))
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None and depth < 60:
                for kid in kids if isinstance(kids, list) else [kids]:
                    walk(kid, depth + 1)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/Figure", "/L"} <= kinds or {"/H1", "/H2", "/Table", "/Figure"} <= kinds
    assert any(a.startswith("Network diagram of 2 entities") for a in alts), alts
    assert any(a.startswith("Timeline of founding") and "NATO" in a for a in alts), alts


def test_figures_are_vectors_with_real_text(qapp, atlas, tmp_path):
    path = tmp_path / "v.pdf"
    make_pdf(qapp, atlas, FilterSpec(ids=("nato", "north-atlantic-treaty")), path, include_graph=True)
    reader = pypdf.PdfReader(str(path))
    assert not any(page.images for page in reader.pages)  # no bitmap anywhere
    figure_page = next(t for t in pdf_text(path)[1] if "the cited ties between them" in t)
    assert "North Atlantic Treaty" in figure_page and "1949" in figure_page  # labels and years are text


def test_notes_left_out_unless_asked(qapp, atlas, tmp_path):
    atlas.user_data.notes.create_note("nato", title="Private thought", body="secret words")
    _pages, text = make_pdf(qapp, atlas, FilterSpec(ids=("nato",)), tmp_path / "n.pdf")
    assert "secret words" not in " ".join(text)


def test_note_links_to_an_entity_in_the_summary(qapp, atlas, tmp_path):
    atlas.user_data.notes.create_note("nato", title="See", body="Compare [the CSTO](entity:csto) now.")
    path = tmp_path / "l.pdf"
    make_pdf(qapp, atlas, FilterSpec(ids=("nato", "csto")), path, include_notes=True, include_graph=False)
    reader = pypdf.PdfReader(str(path))
    entities = next(i for i in reader.outline if isinstance(i, list))
    csto_page = next(reader.get_destination_page_number(i) for i in entities if i.title.startswith("Collective"))
    note_page = next(
        i for i, p in enumerate(reader.pages) if "Compare the CSTO now" in " ".join(p.extract_text().split())
    )
    targets = link_targets(reader, note_page)
    assert csto_page in targets


def test_handout_puts_each_entity_on_its_own_page_and_letter_size(qapp, atlas, tmp_path):
    ids = ("nato", "csto", "five-eyes")
    path = tmp_path / "h.pdf"
    make_pdf(qapp, atlas, FilterSpec(ids=ids), path, handout=True, page_size="Letter", include_graph=False)
    reader = pypdf.PdfReader(str(path))
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 612 and round(float(box.height)) == 792  # US Letter in points
    entities = next(i for i in reader.outline if isinstance(i, list))
    pages = [reader.get_destination_page_number(i) for i in entities]
    assert len(set(pages)) == 3
    # Each entity numbers its own sources from 1 and lists them before the next entity's page.
    _n, text = pdf_text(path)
    for start, end in zip(pages, [*pages[1:], len(text)], strict=True):
        chunk = " ".join(text[start:end])
        assert "Sources" in chunk and "[1] “" in chunk


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
    options = ExportOptions()
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.pdf").write_bytes(b"old")
    with pytest.raises(Cancelled):  # cancel mid-way, during the typesetting
        export_pdf(atlas.repo, FilterSpec(), options, out / "old.pdf", progress=lambda p, _m: p < 70)
    assert [p.name for p in out.iterdir()] == ["old.pdf"] and (out / "old.pdf").read_bytes() == b"old"
    from app.core.errors import AtlasError

    with pytest.raises(AtlasError, match="does not exist"):
        export_pdf(atlas.repo, FilterSpec(), options, out / "missing" / "x.pdf")
    assert [p.name for p in out.iterdir()] == ["old.pdf"]


def test_full_disk_is_a_clear_error_and_leaves_nothing(qapp, atlas, tmp_path, monkeypatch):
    import errno
    import os

    from app.core import fileio
    from app.core.errors import DiskFull

    options = ExportOptions(include_graph=False)
    data = collect_report(atlas.repo, FilterSpec(ids=("nato",)), options)

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", full)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DiskFull, match="disk is full"):
        write_pdf(data, options, out / "x.pdf", Figures())
    assert list(out.iterdir()) == []


def test_printing_paints_the_typeset_pages_on_a_printer(qapp, atlas, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from app.core.exports.report_pdf import render_pages_svg
    from app.ui.report.printing import make_printer, paint_pages
    from app.ui.report.report import prepare

    options = ExportOptions(title="Printed", page_size="Letter")
    data, figures = prepare(atlas.repo, FilterSpec(ids=("nato", "quad")), options)
    svgs = render_pages_svg(data, options, figures)
    printer = make_printer(options)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a "printer" we can read back
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    pages = paint_pages(svgs, printer)
    reader = pypdf.PdfReader(str(tmp_path / "printed.pdf"))
    assert len(reader.pages) == pages == len(svgs)
    assert round(float(reader.pages[0].mediabox.width)) == 612  # Letter, as asked
    # The printed pages are the typeset pages: paint one on an image and compare with Typst's PNG.
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(612, 792, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for layer in svgs[0]:  # the header, the page, the footer
        QSvgRenderer(QByteArray(layer)).render(painter)
    painter.end()
    dark = sum(1 for y in range(0, 792, 2) for x in range(0, 612, 2) if image.pixelColor(x, y).lightness() < 128)
    assert dark > 200  # the title page's text, drawn
    assert all(len(page.get_contents().get_data()) > 2000 for page in reader.pages)  # every page painted


def running_heads(path: Path, title: str = "Alliance Atlas summary") -> list[str]:
    """The right-hand running header of each page (the first line: the title, then the section)."""
    heads = []
    for page in pypdf.PdfReader(str(path)).pages:
        first = " ".join(page.extract_text().split("\n")[0].split())
        heads.append(first[len(title) :].strip() if first.startswith(title + " ") else "")
    return heads


def test_running_header_names_the_entity_a_page_belongs_to(qapp, atlas, tmp_path):
    path = tmp_path / "h.pdf"
    names = {"nato": "NATO", "csto": "Collective Security Treaty Organization", "five-eyes": "Five Eyes"}
    atlas.user_data.notes.create_note("nato", title="Long", body="\n\n".join(["Words of a note. " * 30] * 12))
    make_pdf(qapp, atlas, FilterSpec(ids=tuple(names)), path, handout=True, include_graph=False, include_notes=True)
    heads = running_heads(path)
    assert heads[0] == "" and heads[1].startswith("Contents")
    reader = pypdf.PdfReader(str(path))
    entities = next(i for i in reader.outline if isinstance(i, list))
    starts = {i.title: reader.get_destination_page_number(i) for i in entities}
    assert heads[starts["NATO"]] in ("NATO", "Entities … NATO")
    assert heads[starts["NATO"] + 1] == "NATO"  # NATO's long note runs onto a page of its own
    assert heads[starts["Five Eyes"]] == "Five Eyes"


def test_network_figure_only_when_the_documents_cite_ties_among_the_entities(qapp, atlas, tmp_path):
    _n, apart = make_pdf(qapp, atlas, FilterSpec(ids=("csto", "five-eyes")), tmp_path / "a.pdf", include_graph=True)
    assert "cite no ties among the entities" in " ".join(apart)
    tied = FilterSpec(ids=("nato", "north-atlantic-treaty"))
    _n, joined = make_pdf(qapp, atlas, tied, tmp_path / "b.pdf", include_graph=True)
    assert "cite no ties" not in " ".join(joined)
    assert "the cited ties between them" in " ".join(joined)


def test_title_page_counts_what_the_sources_list(qapp, atlas, tmp_path):
    spec = FilterSpec(ids=("nato", "csto", "five-eyes"))
    _n, text = make_pdf(qapp, atlas, spec, tmp_path / "c.pdf", include_graph=False)
    cover = re.search(r"(\d+) cited passages? from (\d+) documents?", text[0])
    assert cover is not None, text[0]
    first = max(i for i, t in enumerate(text) if "Sources [1]" in t)
    sources = re.sub(r"-\s+", "-", " ".join(text[first:]))  # file names wrap at their hyphens
    numbers = {int(n) for n in re.findall(r"\[(\d+)\] “", sources)}
    files = set(re.findall(r"\(([a-z0-9-]+\.(?:txt|md))\)", sources))
    assert int(cover.group(1)) == len(numbers) == max(numbers)
    assert int(cover.group(2)) == len(files) < 5  # the documents these three are cited from, not all five


def test_timeline_axis_breaks_around_a_lone_early_year(qapp, atlas, tmp_path):
    """The Treaty of Westphalia (1648) would squeeze the modern bars into slivers: the axis breaks."""
    _n, everything = make_pdf(qapp, atlas, FilterSpec(), tmp_path / "a.pdf", include_graph=True)
    assert "The year axis is broken between 1660 and 1940" in " ".join(everything)
    _n, modern = make_pdf(qapp, atlas, FilterSpec(ids=("nato", "csto")), tmp_path / "b.pdf", include_graph=True)
    assert "Timeline" in " ".join(modern) and "axis is broken" not in " ".join(modern)


@pytest.mark.slow
def test_many_notes_on_one_entity_take_linear_time(qapp, atlas, tmp_path):
    """Qt's writer grew with the square of the notes on one entity (600 notes: 21 s)."""
    store = atlas.user_data.notes
    options = ExportOptions(include_notes=True, include_graph=False)
    spec = FilterSpec(ids=("nato",))

    def timed(total: int) -> float:
        while len(store.list_notes(entity_id="nato")) < total:
            store.create_note("nato", title="Lesson", body="A paragraph of commentary on collective defence. " * 6)
        data = collect_report(atlas.repo, spec, options, user_data=atlas.user_data)
        t0 = time.perf_counter()
        write_pdf(data, options, tmp_path / f"{total}.pdf", Figures())
        return time.perf_counter() - t0

    timed(20)  # warm-up
    small, large = timed(100), timed(600)
    assert large < 12 * small + 1.0, (small, large)  # linear: about 6x; quadratic would be 36x
    assert large < 10.0


def test_the_window_typesets_in_a_child_process_that_cancel_stops(qapp, atlas, tmp_path):
    """Typst keeps its caches for the life of a process: the window typesets in a child that ends."""
    spec = FilterSpec(ids=("nato", "csto"))
    path = export_pdf(atlas.repo, spec, ExportOptions(), tmp_path / "iso.pdf", isolated=True)
    assert "Collective Security Treaty Organization" in " ".join(pdf_text(path)[1])
    seen: list[str] = []

    def cancel_while_typesetting(percent: int, message: str) -> bool:
        seen.append(message)
        return percent < 75  # the child reports 75 while it runs: cancel then

    with pytest.raises(Cancelled):
        export_pdf(atlas.repo, spec, ExportOptions(), tmp_path / "c.pdf", isolated=True,
                   progress=cancel_while_typesetting)  # fmt: skip
    assert "Typesetting pages…" in seen and not (tmp_path / "c.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["iso.pdf"]  # no part left


def test_a_typesetting_failure_is_one_clear_error(monkeypatch):
    from app.core.errors import AtlasError
    from app.core.exports import report_pdf

    with pytest.raises(AtlasError, match="Could not typeset the summary"):
        report_pdf.compile_isolated("#let x = (", {})


@pytest.mark.parametrize("cancel", [False, True])
def test_a_worker_started_early_never_outlives_the_export(qapp, atlas, tmp_path, monkeypatch, cancel):
    """A summary large enough starts its typesetting worker while the data is read; one that turns
    out to be set in the process (or is cancelled before it is set) ends that worker with it."""
    from app.core.exports import typst_pool
    from app.ui.report import report

    monkeypatch.setattr(report, "PRESTART_ENTITIES", 1)  # the seed summary: one part, set in the process
    started = []
    spawn = typst_pool._spawn
    monkeypatch.setattr(typst_pool, "_spawn", lambda *a: started.append(spawn(*a)) or started[-1])
    load_fonts()
    path = tmp_path / "early.pdf"

    def progress(percent: int, _message: str) -> bool:
        return not (cancel and percent >= 35)

    if cancel:
        with pytest.raises(Cancelled):
            export_pdf(atlas.repo, FilterSpec(), ExportOptions(), path, user_data=atlas.user_data, progress=progress)
        assert not path.exists()
    else:
        export_pdf(atlas.repo, FilterSpec(), ExportOptions(), path, user_data=atlas.user_data, progress=progress)
        assert pypdf.PdfReader(str(path)).pages
    assert len(started) == 1 and not typst_pool._spare
    assert started[0].proc.poll() is not None and not Path(started[0].folder.name).exists()
