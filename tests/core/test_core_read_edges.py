"""Small reads the list, the graph and the filter pane rely on (before: reached only through Qt tests)."""

from __future__ import annotations

from app.core.exports.typst_markup import markdown
from app.core.query.filters import FilterSpec
from app.core.query.matches import EntityMatches
from app.core.query.repository import Repository
from app.core.vocab import kind_label


def test_the_year_slider_spans_the_first_and_last_founding_years(repo: Repository) -> None:
    founded = [r.founded for r in repo.list_entities(FilterSpec()) if r.founded is not None]
    assert repo.year_bounds() == (min(founded), max(founded))


def test_a_kind_is_shown_by_its_name_and_an_unknown_kind_as_stored() -> None:
    assert kind_label("alliance") == "Alliance"
    assert kind_label("guild") == "guild"


def test_matches_of_known_rows_hand_back_those_rows_first_to_last(repo: Repository) -> None:
    rows = repo.list_entities(FilterSpec())[:3]
    matches = EntityMatches.of_rows(rows)
    assert len(matches) == 3 and matches[0] is rows[0] and matches[-1] is rows[2]
    assert list(matches) == list(rows)


def test_every_relation_of_every_entity_is_a_named_link(repo: Repository) -> None:
    related = 0
    for row in repo.list_entities(FilterSpec()):
        detail = repo.get_entity(row.id)
        assert detail is not None
        for link in (*detail.member_of, *detail.related):
            assert link is not None and link.name
            related += 1
    assert related > 0


def test_a_note_table_has_exactly_its_header_row_as_header() -> None:
    out = markdown("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n")
    assert out == '#table(columns: 2, table.header([#"a";], [#"b";]), [#"1";], [#"2";], [#"3";], [#"4";])'


def test_the_tags_facet_lists_the_most_used_tag_first_then_by_name(atlas) -> None:
    notes = atlas.user_data.notes
    notes.tag_entities("zeta", ["nato", "csto", "quad"])
    notes.tag_entities("alpha", ["nato"])
    notes.tag_entities("beta", ["csto"])
    tags = atlas.repo.facet_counts(FilterSpec())["tags"]
    assert [(t.label, t.count) for t in tags] == [("zeta", 3), ("alpha", 1), ("beta", 1)]
