"""The detail pane for imported datasets: record citations, membership years, disagreements side by side,
same-as Confirm / Remove (recorded by the window) and record links."""

from __future__ import annotations

from pathlib import Path

from app.core.datasets import import_dataset
from app.ui.panes.detail_pane import DetailPane
from tests.datasets_fixtures import write_atop


def _import(atlas, folder: Path) -> None:
    a, m = write_atop(folder)
    import_dataset(atlas.repo, atlas.user_data, "atop", alliances=a, members=m)


def test_dataset_alliance_shows_record_citations_years_and_disagreement(qtbot, atlas, tmp_path):
    _import(atlas, tmp_path)
    pane = DetailPane()
    qtbot.addWidget(pane)
    detail = atlas.repo.get_entity("atop-3180")
    pane.show_entity(detail)
    text = pane.browser.toPlainText()
    assert "from ATOP 5.1" in text and "ATOP 3180, defense = 1" in text and "ATOP 3180, begyr = 1949" in text
    assert "Spain 1982–" in text and "COW 260 1955–" in text
    assert "Same as NATO — proposed (founded 1949 in both" in text and "Confirm" in text
    assert "Where the sources disagree (1)" in text and "31 the documents" in text
    # The documents' "It includes 31 countries" is about now: compared at the dataset's end, years said.
    assert "Members now (documents, no year given) / at ATOP 5.1's end (2018)" in text
    assert "16 ATOP 5.1, in force at its end (2018)" in text and "31 the documents, now (no year given)" in text
    assert "Dataset records" in text and "The documents state no facts" not in text
    record_id = next(r.record_id for r in detail.records if r.field == "defense")
    with qtbot.waitSignal(pane.open_record_requested) as sig:
        pane.follow_link(f"record:{record_id}")
    assert sig.args == [record_id]
    with qtbot.waitSignal(pane.same_as_decided) as sig:
        pane.follow_link("sameas:nato:atop-3180:confirmed")
    assert sig.args == ["nato", "atop-3180", "confirmed"]


def test_confirm_in_the_window_records_the_link(qtbot, window, tmp_path):
    _import(window.atlas, tmp_path)
    window.select_entity("nato")
    qtbot.waitUntil(lambda: "Same as" in window.detail_pane.browser.toPlainText())
    window.detail_pane.follow_link("sameas:nato:atop-3180:confirmed")
    assert [s.status for s in window.atlas.user_data.datasets.same_as()] == ["confirmed"]
    text = window.detail_pane.browser.toPlainText()
    assert "— confirmed" in text and "Confirm ·" not in text
    window.detail_pane.follow_link("sameas:nato:atop-3180:removed")
    assert "Same as" not in window.detail_pane.browser.toPlainText()


def test_atop_and_cow_side_by_side_with_the_link_named_by_dataset(qtbot, atlas, tmp_path):
    from tests.datasets_fixtures import write_cow

    _import(atlas, tmp_path / "atop")
    import_dataset(atlas.repo, atlas.user_data, "cow", members=write_cow(tmp_path / "cow"))
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_entity(atlas.repo.get_entity("cow-2205"))
    text = pane.browser.toPlainText()
    # Which dataset the linked alliance is from, and its disagreements with this one, both sides cited.
    assert "(ATOP 3180) — proposed (founded 1949 in both; 11 of their 16 members in common)" in text
    assert "Members in 1949 (the first year both record it)" in text
    assert "12 ATOP 5.1" in text and "11 COW 4.1" in text
    assert "11 members of COW 2205 with mem_st_year ≤ 1949" in text
    # Confirming from COW's page records the one link, ATOP first.
    html = pane.browser.toHtml()
    assert "sameas:atop-3180:cow-2205:confirmed" in html and "sameas:cow-2205:atop-3180" not in html
