"""A passage chosen by the user: whole words, and the entities it mentions."""

from __future__ import annotations

from app.core.query.passages import entities_in_span, snap_to_words
from app.core.query.repository import DocumentInfo, DocumentView, MentionSpan, SectionInfo

TEXT = "The NATO defense agreement binds its members. Russia joined the CSTO."


def test_a_cut_word_is_completed_and_spaces_trimmed():
    start = TEXT.index("defense")
    end = TEXT.index("agreement") + len("agreem")
    s, e = snap_to_words(TEXT, start - 2, end)  # "O defense agreem"
    assert TEXT[s:e] == "NATO defense agreement"
    s, e = snap_to_words(TEXT, TEXT.index(" binds"), TEXT.index("binds") + 5)
    assert TEXT[s:e] == "binds"


def test_entities_of_a_span_then_of_its_section():
    doc = DocumentView(
        DocumentInfo("d", "d.txt", "D", "d.txt", "seed", ""),
        TEXT,
        (SectionInfo(1, "", 0, 0, 45), SectionInfo(2, "", 0, 45, len(TEXT))),
        (
            MentionSpan("nato", TEXT.index("NATO"), TEXT.index("NATO") + 4),
            MentionSpan("russia", TEXT.index("Russia"), TEXT.index("Russia") + 6),
            MentionSpan("csto", TEXT.index("CSTO"), TEXT.index("CSTO") + 4),
        ),
    )
    assert entities_in_span(doc, 0, 20) == ["nato"]
    assert entities_in_span(doc, TEXT.index("defense"), TEXT.index("binds")) == ["nato"]  # from its section
    assert entities_in_span(doc, TEXT.index("Russia"), len(TEXT)) == ["russia", "csto"]
