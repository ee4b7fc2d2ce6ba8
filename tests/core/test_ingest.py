"""Ingest: every document comes out with its real section headings and exact character offsets."""

from __future__ import annotations

import pytest

from app.core.reference.ingest import CLOSING_HEADING, SeedError, load_documents, split_document, strip_markdown
from tests.conftest import SEEDS

EXPECTED_HEADINGS = {
    "islamic-nation-military-relations": [
        "Security and Defense: International Military Relations of the Islamic Nation",
        "Value of International Military Relations",
        "Illustrations of Principal Military Alliances",
        "Enhancing Military Ties",
        "Conclusion",
    ],
    "joint-military-exercises": [
        "Joint Military Exercises in Defense Diplomacy",
        "Understanding Joint Military Exercises",
        "Role in Defense Diplomacy",
        "Impact on International Relations",
        "Boosting Operational Excellence",
        "(closing summary)",  # "In conclusion, ..."
    ],
    "strategic-partnerships-global-stability": [
        # The web page's title line ("... - Total Military Insight") and the heading repeating it are one section.
        "The Military’s Role in Strategic Partnerships for Global Stability",
        "Defining Strategic Partnerships in a Military Context",
        "Military’s Role in Global Defense Alliances",
        "NATO’s Influence",
        "Collective Defense Strategies",
        "Regional Security Collaborations",
        "Bilateral Military Partnerships and Their Importance",
        "Military Diplomacy: Bridging Political Relations",
        "Assessment of Military Aid in Strategic Alliances",
        "Economic and Political Implications",
        "Humanitarian Assistance and Disaster Relief",
        "The Role of Military Technology in Partnerships",
        "Military Participation in International Organizations",
        "Challenges in Military Strategic Partnerships",
        "Future Trends in Military Strategic Partnerships",
        "Evaluating the Effectiveness of Military’s Role in Strategic Partnerships",
        "(closing summary)",
    ],
    "military-diplomacy-security-partnerships": [
        "Evolution of Military Diplomacy",
        "Importance of Security Partnerships",
        "Enhancing International Relations",
        "Promoting Global Stability",
        "Role of Military in Diplomatic Engagements",
        "Strategies for Effective Security Partnerships",
        "Challenges in Military Diplomacy",
        "Case Studies in Successful Partnerships",
        "Ethics and Accountability in Military Relations",
        "Future Trends in Security Cooperation",
        "Technological Advancements",
        "Cybersecurity Collaborations",
        "Economic Implications of Military Diplomacy",
        "Arms Trade Regulations",
        "Defense Industry Cooperation",
        "Strategic Recommendations for Enhancing Security Partnerships",
        "(closing summary)",
    ],
    "military-alliances-and-partnerships": [
        "The Strategic Importance of Military Alliances and Partnerships",
        "Historical Evolution of Military Alliances",
        "Types of Military Alliances",
        "Key Factors Influencing Military Alliances and Partnerships",
        "Geopolitical Considerations",
        "Economic Interdependencies",
        "Shared Threat Perceptions",
        "Major Military Alliances Today",
        "NATO",
        "ASEAN Defense Ministers’ Meeting",
        "Collective Security Treaty Organization",
        "Benefits of Military Alliances and Partnerships",
        "Challenges Facing Military Alliances",
        "Diverse National Interests",
        "Bilateral vs. Multilateral Tensions",
        "Trust Issues",
        "Regional Military Partnerships and Their Impact",
        "Future Trends in Military Alliances and Partnerships",
        "Strengthening Global Security Through Military Alliances and Partnerships",
        "(closing summary)",
    ],
}

DOCS = {d.id: d for d in load_documents(SEEDS)}


def test_the_five_seed_documents_are_read_unchanged() -> None:
    assert set(DOCS) == set(EXPECTED_HEADINGS)
    shared = SEEDS.parent.parent / "shared" / "seeds"
    for doc in DOCS.values():
        assert (SEEDS / doc.file_name).read_text(encoding="utf-8") == doc.text
        if shared.is_dir():  # the originals, when the checkout sits beside them
            assert (shared / doc.original_name).read_bytes() == (SEEDS / doc.file_name).read_bytes()


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_HEADINGS))
def test_each_document_has_its_real_headings_and_no_sentence_as_heading(doc_id: str) -> None:
    headings = [s.heading for s in DOCS[doc_id].sections if s.heading]
    assert headings == EXPECTED_HEADINGS[doc_id]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_HEADINGS))
def test_offsets_point_into_the_original_text(doc_id: str) -> None:
    doc = DOCS[doc_id]
    previous_end = 0
    for section in doc.sections:
        assert section.start >= previous_end
        for p in section.passages:
            assert doc.text[p.start : p.end] == p.text and strip_markdown(p.text) == p.display
            assert section.start <= p.start < p.end <= section.end
            assert p.text.strip() == p.text and p.text
        previous_end = section.end
    # Every non-heading, non-marker line of text is inside some passage.
    covered = "".join(p.text for _s, p in doc.passages())
    assert len(covered) > 0.8 * len(doc.text) - sum(len(s.heading) for s in doc.sections)


def test_bullet_lists_and_title_text_items_become_passages_not_headings() -> None:
    diplomacy = DOCS["military-diplomacy-security-partnerships"]
    industry = next(s for s in diplomacy.sections if s.heading == "Defense Industry Cooperation")
    texts = [p.text for p in industry.passages]
    # "-" on its own line belongs with the "Title: text" line after it.
    assert any(t.startswith("-\nTechnology Transfer:") for t in texts)
    stability = DOCS["strategic-partnerships-global-stability"]
    orgs = next(s for s in stability.sections if s.heading == "Military Participation in International Organizations")
    bullet = next(p.text for p in orgs.passages if "•" in p.text)
    assert "Joint training exercises" in bullet and "Strategy development" in bullet


def test_markdown_headings_use_their_level() -> None:
    levels = [s.level for s in DOCS["joint-military-exercises"].sections]
    assert levels == [1, 2, 2, 2, 2, 2]


def test_markdown_markers_leave_the_passage_text_but_offsets_stay_in_the_original() -> None:
    doc = DOCS["islamic-nation-military-relations"]
    russia = next(p for _s, p in doc.passages() if "Russia:" in p.display)
    assert russia.display.startswith("2. Russia: As part of its strategic alliances")
    assert "**" not in "".join(p.display for _s, p in doc.passages())
    assert russia.text == doc.text[russia.start : russia.end] and russia.text.startswith("2. **Russia:** As part")
    assert strip_markdown("a *b* c __d__ `e` 2 * 3 snake_case_name") == "a b c d e 2 * 3 snake_case_name"


def test_a_repeated_title_line_is_one_section() -> None:
    doc = DOCS["strategic-partnerships-global-stability"]
    first = doc.sections[0]
    assert (first.heading, first.level, first.start) == (
        "The Military’s Role in Strategic Partnerships for Global Stability",
        1,
        0,
    )
    assert first.passages  # no empty title section
    text = "Page Title - Some Site\nPage Title\nBody sentence here.\nNext Heading\nMore body."
    assert [(s.heading, s.level) for s in split_document(text, "plain")] == [("Page Title", 1), ("Next Heading", 2)]


@pytest.mark.parametrize(
    ("doc_id", "first_words"),
    [
        ("strategic-partnerships-global-stability", "The military’s role in strategic partnerships is pivotal"),
        ("military-diplomacy-security-partnerships", "Military diplomacy in security partnerships is a crucial"),
        ("military-alliances-and-partnerships", "The landscape of international relations is profoundly"),
        ("joint-military-exercises", "In conclusion, joint military exercises"),
    ],
)
def test_closing_summaries_have_a_section_of_their_own(doc_id: str, first_words: str) -> None:
    doc = DOCS[doc_id]
    closing, before = doc.sections[-1], doc.sections[-2]
    assert closing.heading == CLOSING_HEADING and closing.passages[0].text.startswith(first_words)
    assert before.end == closing.start == closing.passages[0].start and closing.end == len(doc.text)
    assert [p.ordinal for p in closing.passages] == list(range(len(closing.passages)))
    assert not any(p.text.startswith(first_words) for p in before.passages)


def test_a_closing_paragraph_is_found_without_a_hint_only_by_its_own_words() -> None:
    text = "Heading\nFirst paragraph.\nSecond paragraph.\nIn summary, the end."
    sections = split_document(text, "plain")
    assert [s.heading for s in sections] == ["Heading", CLOSING_HEADING]
    assert sections[1].passages[0].text == "In summary, the end."
    plain = split_document("Heading\nFirst paragraph.\nSecond paragraph.", "plain")
    assert [s.heading for s in plain] == ["Heading"]


def test_plain_splitter_rejects_sentences_and_list_items() -> None:
    text = "Title Line\nA body sentence that ends here.\nKey factors include:\n- Short item\nNext Heading\nBody."
    sections = split_document(text, "plain")
    assert [s.heading for s in sections] == ["Title Line", "Next Heading"]


# ---- a malformed manifest: a clear SeedError naming the file and the problem ----


def _seeds(tmp_path):
    import shutil

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    return seeds


def test_a_manifest_that_is_not_utf8_is_a_clear_seed_error(tmp_path) -> None:
    seeds = _seeds(tmp_path)
    text = (seeds / "manifest.yaml").read_text(encoding="utf-8")
    (seeds / "manifest.yaml").write_bytes(text.encode("latin-1", "replace") + "\n# Genève\n".encode("latin-1"))
    with pytest.raises(SeedError, match=r"manifest\.yaml is not UTF-8 text \(byte 0xe8 at offset \d+"):
        load_documents(seeds)


@pytest.mark.parametrize("entry", ["just a file name.txt", 42, ["file", "title"]])
def test_a_manifest_entry_that_is_not_a_mapping_is_named(tmp_path, entry) -> None:
    import yaml

    seeds = _seeds(tmp_path)
    (seeds / "manifest.yaml").write_text(yaml.safe_dump({"documents": [entry]}), encoding="utf-8")
    with pytest.raises(SeedError, match=r"Manifest entry 1 in .*manifest\.yaml is not a mapping"):
        load_documents(seeds)


def test_a_seed_document_that_is_not_utf8_says_where(tmp_path) -> None:
    import yaml

    seeds = _seeds(tmp_path)
    data = yaml.safe_load((seeds / "manifest.yaml").read_text(encoding="utf-8"))
    first = data["documents"][0]
    first.pop("sha256", None)
    (seeds / "manifest.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (seeds / first["file"]).write_bytes(b"Title\n\nCaf\xe9 society.\n")
    with pytest.raises(SeedError, match=r"is not UTF-8 text \(byte 0xe9 at offset 10"):
        load_documents(seeds)
