"""Your own sources: import, mentions, suggestions, curation rules, removal and rebuilds (documents written here)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.core.atlas import Atlas, open_atlas
from app.core.query.filters import FilterSpec
from app.core.reference.build import build_reference
from app.core.sources.curate import CurationRefused
from app.core.sources.extract import MAX_BYTES, ImportRefused, extract
from app.core.sources.mentions import KnownEntity, MentionMatcher
from app.core.sources.service import accept, add_entity, cite, import_paths
from app.core.sources.store import SourcesStore
from tests.conftest import SEEDS

# ruff: noqa: E501  (the test document's paragraphs are single lines, as a user's would be)

BRIEF = """# Pacific briefing

## Background

The Australia, New Zealand and United States Security Treaty (ANZUS) was signed in 1951 by Australia, New Zealand and the United States. It is usually called the ANZUS Treaty.

We use many tools. American and Japanese forces train with NATO.

## Outlook

The South Pacific Defence Council was established in 2019 by Australia and France.
"""


@pytest.fixture
def store(atlas: Atlas) -> SourcesStore:
    return atlas.user_data.sources


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def imported(atlas: Atlas, store: SourcesStore, path: Path, **kw: str) -> str:
    batch = import_paths(atlas.repo, store, [path], **kw)
    assert not batch.errors, batch.errors
    return batch.reports[0].id


# ---- mentions -------------------------------------------------------------------------------
def test_mentions_respect_word_boundaries_and_country_variants() -> None:
    m = MentionMatcher(
        [KnownEntity("united-states", "United States", "country"), KnownEntity("nato", "NATO", "alliance")]
    )
    found = {(f.matched, f.entity_id) for f in m.find("Most use it. The US, the U.S. and American troops; NATO.")}
    assert ("US", "united-states") in found
    assert ("U.S.", "united-states") in found
    assert ("American", "united-states") in found
    assert ("NATO", "nato") in found
    assert not m.find("They use it, thus causing museums to refuse.")  # "US" is never inside a word


def test_import_links_known_entities(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    doc = imported(atlas, store, write(tmp_path, "brief.md", BRIEF), origin="written by the test")
    view = atlas.repo.get_document(doc)
    assert view is not None and view.info.imported
    linked = {m.entity_id for m in view.mentions}
    assert {"united-states", "australia", "new-zealand", "nato", "japan"} <= linked
    starts = {view.text[m.start : m.end] for m in view.mentions}
    assert "use" not in starts
    nato = atlas.repo.get_entity("nato")
    assert nato is not None and any(m.document_id == doc for m in nato.mentions)
    # Indexed for search, with its own title.
    hits = atlas.repo.search_passages("South Pacific Defence Council")
    assert hits and hits[0].document_id == doc
    assert any(d.id == doc for d in atlas.repo.documents())


def test_reimport_adds_nothing(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    path = write(tmp_path, "brief.md", BRIEF)
    first = imported(atlas, store, path)
    again = import_paths(atlas.repo, store, [write(tmp_path, "copy.md", BRIEF)])
    assert again.reports[0].duplicate_of == first
    assert len(store.documents()) == 1
    assert len(store.suggestions()) == len(store.suggestions(first))


# ---- suggestions ----------------------------------------------------------------------------
def test_acronym_suggestion_with_year_and_members(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    doc = imported(atlas, store, write(tmp_path, "brief.md", BRIEF))
    by_name = {s.name: s for s in store.suggestions(doc)}
    anzus = by_name["Australia, New Zealand and United States Security Treaty"]
    assert "ANZUS" in anzus.aliases and "ANZUS Treaty" in anzus.aliases
    assert anzus.kind == "treaty"
    assert anzus.founded == 1951
    assert set(anzus.members) == {"australia", "new-zealand", "united-states"}
    assert "signed in 1951" in anzus.quote
    council = by_name["South Pacific Defence Council"]
    assert council.founded == 2019 and set(council.members) == {"australia", "france"}
    # Every suggestion carries its sentence, verbatim in the document.
    title_text = store.document_text(doc)
    assert title_text is not None
    for s in by_name.values():
        assert title_text[1][s.start : s.end] == s.quote
    # Known entities are not suggested.
    assert "NATO" not in by_name


def test_accept_makes_a_cited_user_entity(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    doc = imported(atlas, store, write(tmp_path, "brief.md", BRIEF))
    sid = next(s.id for s in store.suggestions(doc) if "ANZUS" in s.aliases)
    eid = accept(atlas.repo, store, sid)
    assert eid == "my-anzus"
    d = atlas.repo.get_entity(eid)
    assert d is not None and d.origin == "user" and d.founded == 1951
    assert {m.id for m in d.members} == {"australia", "new-zealand", "united-states"}
    assert all(c.document_id == doc and c.quote in BRIEF for f in d.facts for c in f.citations)
    rows = atlas.repo.list_entities(FilterSpec(text="ANZUS"))
    assert [r.id for r in rows] == [eid] and rows[0].origin == "user"
    assert eid in {r.id for r in atlas.repo.list_entities(FilterSpec(sources=(doc,)))}
    members = atlas.repo.list_entities(FilterSpec(members=("new-zealand",)))
    assert eid in {r.id for r in members}
    assert store.suggestions(doc, status="accepted")[0].entity_id == eid
    # The "from your documents" facet.
    assert [r.id for r in atlas.repo.list_entities(FilterSpec(origins=("user",)))] == [eid]
    origins = {f.value: (f.label, f.count) for f in atlas.repo.facet_counts(FilterSpec())["origins"]}
    assert origins["user"] == ("From your documents", 1) and origins["reference"][1] > 40
    sources = {f.value for f in atlas.repo.facet_counts(FilterSpec())["sources"]}
    assert doc in sources
    # Accepting twice is refused.
    with pytest.raises(Exception, match="No open suggestion"):
        accept(atlas.repo, store, sid)


# ---- curation rules -------------------------------------------------------------------------
def test_quote_not_verbatim_is_refused(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    doc = imported(atlas, store, write(tmp_path, "brief.md", BRIEF))
    with pytest.raises(CurationRefused, match="verbatim"):
        add_entity(
            atlas.repo, store, name="Pacific Pact", kind="treaty", document=doc, quote="The Pacific Pact was signed."
        )
    quote = "The South Pacific Defence Council was established in 2019 by Australia and France."
    with pytest.raises(CurationRefused, match="a year must appear in its quote"):
        add_entity(atlas.repo, store, name="SPDC", kind="organisation", document=doc, quote=quote, founded="2018")
    with pytest.raises(CurationRefused, match="member or party must be named"):
        add_entity(atlas.repo, store, name="SPDC", kind="organisation", document=doc, quote=quote, members=["Japan"])
    assert store.user  # nothing was written by the refusals:
    assert atlas.repo.resolve("SPDC") is None
    eid = add_entity(
        atlas.repo, store, name="SPDC", kind="organisation", document=doc, quote=quote, founded="2019",
        members=["Australia", "France"],
    )  # fmt: skip
    d = atlas.repo.get_entity(eid)
    assert d is not None and d.founded == 2019 and len(d.members) == 2


def test_cite_a_fact_on_a_reference_entity(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    doc = imported(atlas, store, write(tmp_path, "brief.md", BRIEF))
    quote = "American and Japanese forces train with NATO."
    cite(atlas.repo, store, entity="nato", field_name="partner", value="Japan", document=doc, quote=quote)
    d = atlas.repo.get_entity("nato")
    assert d is not None
    user_facts = [f for f in d.facts if f.origin == "user"]
    assert len(user_facts) == 1 and user_facts[0].citations[0].quote == quote
    with pytest.raises(CurationRefused, match="named in its quote"):
        cite(atlas.repo, store, entity="nato", field_name="partner", value="China", document=doc, quote=quote)


# ---- removal and rebuilds -------------------------------------------------------------------
def test_removal_keeps_citing_facts_marked(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    doc = imported(atlas, store, write(tmp_path, "brief.md", BRIEF))
    sid = next(s.id for s in store.suggestions(doc) if "ANZUS" in s.aliases)
    eid = accept(atlas.repo, store, sid)
    _title, cited = store.remove_document(doc)
    assert cited >= 1
    assert doc not in {d.id for d in atlas.repo.documents()}
    assert doc not in {h.document_id for h in atlas.repo.search_passages("South Pacific Defence Council")}
    d = atlas.repo.get_entity(eid)
    assert d is not None and d.founded == 1951
    c = d.facts[0].citations[0]
    assert c.document_title.endswith("(removed)") and "ANZUS" in c.quote
    assert not d.mentions


def test_rebuild_keeps_user_entities(data_paths, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    atlas = open_atlas(data_paths, seeds=SEEDS)
    store = atlas.user_data.sources
    try:
        doc = imported(atlas, store, write(tmp_path, "brief.md", BRIEF))
        eid = accept(atlas.repo, store, next(s.id for s in store.suggestions(doc) if "ANZUS" in s.aliases))
    finally:
        atlas.close()
    build_reference(SEEDS, data_paths.reference_db)
    atlas = open_atlas(data_paths, seeds=SEEDS)
    try:
        d = atlas.repo.get_entity(eid)
        assert d is not None and d.origin == "user" and len(d.members) == 3
        assert eid in {r.id for r in atlas.repo.list_entities(FilterSpec())}
    finally:
        atlas.close()


# ---- bad input ------------------------------------------------------------------------------
def _pdf(text: str | None, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    if password:
        w.encrypt(password)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "is empty"),
        ("blob.bin", bytes(range(256)) * 40, "binary file"),
        ("scan.pdf", _pdf(None), "without a text layer"),
        ("secret.pdf", _pdf(None, password="pw"), "password-protected PDF"),
        ("odd.txt", bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 300, "encoding"),
    ],
)
def test_bad_input_is_refused_in_one_line(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ImportRefused, match=message) as info:
        extract(name, data)
    assert "\n" not in str(info.value) and name in str(info.value)


def test_bad_files_leave_nothing_behind(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse)
    assert big.stat().st_size > MAX_BYTES
    gone = tmp_path / "vanished.txt"
    batch = import_paths(atlas.repo, store, [big, gone, write(tmp_path, "empty.md", "")])
    reasons = [r for _f, r in batch.errors]
    assert len(reasons) == 3
    assert "50 MB" in reasons[0] and "does not exist" in reasons[1] and "empty" in reasons[2]
    assert store.documents() == []


def test_html_is_text_only(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    html = (
        "<html><head><title>Web brief</title><style>p{color:red}</style>"
        "<script src='https://example.invalid/x.js'></script></head><body><h1>Web brief</h1>"
        "<p>The Quad Maritime Dialogue met with India.</p><script>alert('NATO')</script>"
        "<img src='https://example.invalid/a.png'></body></html>"
    )
    ex = extract("page.html", html.encode())
    assert "alert" not in ex.text and "color" not in ex.text and "example.invalid" not in ex.text
    assert ex.title == "Web brief" and "Quad Maritime Dialogue" in ex.text
    assert ex.notes and "script" in ex.notes[0]
    doc = imported(atlas, store, write(tmp_path, "page.html", html))
    view = atlas.repo.get_document(doc)
    assert view is not None and "NATO" not in view.text


def test_legacy_encoding_is_detected_and_named() -> None:
    text = "La coopération de défense entre la France et l’Allemagne fut signée à Paris. " * 20
    ex = extract("note.txt", text.encode("cp1252"))
    assert "coopération" in ex.text and ex.encoding.lower() in ("cp1252", "windows-1252", "latin_1", "iso8859_1")


def test_cancel_rolls_back_the_document_in_progress(atlas: Atlas, store: SourcesStore, tmp_path: Path) -> None:
    paths = [
        write(tmp_path, f"d{i}.txt", f"Report {i}.\n\nThe Alpha Pact number {i} was signed in 2001.\n")
        for i in range(3)
    ]
    calls = {"n": 0}

    def cancelled() -> bool:
        calls["n"] += 1
        return calls["n"] > 2  # checked before and inside the first document's commit, then cancels

    batch = import_paths(atlas.repo, store, paths, cancelled=cancelled)
    assert batch.cancelled
    assert len(store.documents()) == len(batch.imported) == 1
