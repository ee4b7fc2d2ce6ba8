"""The filter pane: alone (real widget, saved filters in memory, counts from the repository) for the
spec it builds from its controls and what it says; in the window for driving the list, the counts
and the search view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.query.filters import FilterSpec
from app.core.userdata.saved_filters import SavedFilter
from app.ui.panes.filter_pane import SaveFilterDialog


def facet_count(window, field, value):
    item = window.filter_pane.facets[field].item_for(value)
    assert item is not None, f"{value} not in {field} facet"
    return int(item.text().rsplit("(", 1)[1].rstrip(")"))


@pytest.fixture
def alone(qtbot, repo):
    """The filter pane by itself; ``alone.recount()`` pushes the counts for its spec, as the window does."""
    from app.ui.panes.filter_pane import FilterPane

    pane = FilterPane(
        saved_filters=FakeSavedFilters(),  # type: ignore[arg-type]
        year_bounds=repo.year_bounds(),
        any_tagged=repo.any_entity_tagged,
    )
    qtbot.addWidget(pane)
    pane.recount = lambda: pane.set_facet_counts(repo.facet_counts(pane.spec()))  # type: ignore[attr-defined]
    pane.recount()
    pane.show()
    pane.finish_deferred()  # the founding-year slider, built after the window's first paint
    return pane


def test_typing_shrinks_list(qtbot, window, settle):
    assert window.list_pane.model.rowCount() == 50
    qtbot.keyClicks(window.filter_pane.search, "intelligence")
    settle(window)
    n = window.list_pane.model.rowCount()
    assert 0 < n < 50
    assert "five-eyes" in [r.id for r in window.list_pane.model.rows()]
    assert window.count_label.text() == f"{n} of 50 entities"
    assert "intelligence" in window.filter_pane.summary.text()


def test_odd_input_is_not_an_error(qtbot, repo, alone):
    for text in ('"', "NOT", "(((", "*", "a OR", "'; DROP TABLE entity; --"):
        with qtbot.waitSignal(alone.spec_changed) as sig:
            alone.search.setText(text)
        assert sig.args[0].text == text
        assert len(repo.list_entities(sig.args[0])) >= 0  # the query takes it: no error


def test_esc_clears_search(qtbot, alone):
    qtbot.keyClicks(alone.search, "nato")
    assert alone.spec().text == "nato"
    with qtbot.waitSignal(alone.spec_changed) as sig:
        qtbot.keyClick(alone.search, Qt.Key.Key_Escape)
    assert alone.search.text() == "" and sig.args[0].is_empty()


def test_down_and_enter_go_from_the_search_box_to_the_results(qtbot, window, settle):
    window.show()
    search = window.filter_pane.search
    search.setFocus()
    qtbot.keyClicks(search, "csto")
    qtbot.keyClick(search, Qt.Key.Key_Down)  # pressed before the rows arrive: acts when they do
    qtbot.waitUntil(lambda: window.list_pane.current_id() == "csto")
    assert window.list_pane.view.hasFocus()
    assert "Collective Security Treaty Organization" in window.detail_pane.browser.toPlainText()
    # Enter opens the entity named as typed (other matches sort before it), as an address bar would.
    search.setFocus()
    search.clear()
    settle(window)
    qtbot.keyClicks(search, "five eyes")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_entity_id() == "five-eyes")
    qtbot.waitUntil(lambda: window.detail_pane.hasFocus() or window.detail_pane.isAncestorOf(window.focusWidget()))
    # By name or alias ("NATO" lists Article 5 first by name), or else the best-ranked match.
    for typed, expected in (("NATO", "nato"), ("Quad", "quad"), ("U.S.", "united-states"), ("eyes", "five-eyes")):
        search.setFocus()
        search.clear()
        settle(window)
        qtbot.keyClicks(search, typed)
        qtbot.keyClick(search, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda expected=expected: window.current_entity_id() == expected)
        if typed == "NATO":  # not simply the first row
            assert window.list_pane.model.rows()[0].id != "nato"


def test_kind_facet_narrows_list_and_updates_other_counts(qtbot, window, settle):
    before = facet_count(window, "categories", "bilateral")
    item = window.filter_pane.facets["kinds"].item_for("alliance")
    item.setCheckState(Qt.CheckState.Checked)
    settle(window)
    kinds = {r.kind for r in window.list_pane.model.rows()}
    assert kinds == {"alliance"}
    assert window.list_pane.model.rowCount() == 6
    # Other dimensions now count only alliances; the checked dimension still counts its siblings.
    assert (
        window.filter_pane.facets["categories"].item_for("bilateral") is None
        or facet_count(window, "categories", "bilateral") < before
    )
    assert facet_count(window, "kinds", "country") == 21
    assert window.filter_pane.summary.text() == "Entities kind: alliance"


def test_members_all_mode(qtbot, repo, alone):
    box = alone.facets["members"]
    box.item_for("united-states").setCheckState(Qt.CheckState.Checked)
    any_n = len(repo.list_entities(alone.spec()))
    alone.recount()
    box.item_for("japan").setCheckState(Qt.CheckState.Checked)
    assert alone.spec().members == ("united-states", "japan") and alone.spec().members_mode == "any"
    assert len(repo.list_entities(alone.spec())) >= any_n
    with qtbot.waitSignal(alone.spec_changed) as sig:
        alone.members_mode.setCurrentIndex(1)
    assert sig.args[0].members_mode == "all"
    all_ids = [r.id for r in repo.list_entities(sig.args[0])]
    assert 0 < len(all_ids) < any_n + 3
    assert "United States and Japan" in alone.summary.text()


def test_year_slider_filters(qtbot, repo, alone):
    with qtbot.waitSignal(alone.spec_changed) as sig:
        alone.years.setValue((1940, 1960))
    rows = repo.list_entities(sig.args[0])
    assert rows and all(1940 <= r.founded <= 1960 for r in rows)
    assert "founded 1940–1960" in alone.summary.text()


def test_clear_all(qtbot, alone):
    alone.facets["kinds"].item_for("treaty").setCheckState(Qt.CheckState.Checked)
    alone.search.setText("treaty")
    assert alone.spec().kinds == ("treaty",) and alone.spec().text == "treaty"
    with qtbot.waitSignal(alone.spec_changed) as sig:
        qtbot.mouseClick(alone.clear_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].is_empty() and alone.spec().is_empty()
    assert (
        alone.search.text() == "" and alone.facets["kinds"].item_for("treaty").checkState() == Qt.CheckState.Unchecked
    )
    assert alone.summary.text() == "All entities"


def test_saved_filter_round_trip(qtbot, window, settle, monkeypatch):
    window.filter_pane.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    settle(window)
    monkeypatch.setattr(SaveFilterDialog, "get_value", classmethod(lambda cls, parent, default="": ("Alliances", True)))
    assert window.filter_pane.save_current() == "Alliances"
    window.filter_pane.clear()
    settle(window)
    assert window.list_pane.model.rowCount() == 50
    window.filter_pane.rebuild_saved_menu()
    recall = [a for a in window.filter_pane.saved_menu.actions() if a.text() == "Alliances"]
    assert recall
    recall[0].trigger()
    settle(window)
    assert window.list_pane.model.rowCount() == 6
    assert window.filter_pane.facets["kinds"].item_for("alliance").checkState() == Qt.CheckState.Checked


def test_saving_over_a_name_asks_and_save_is_off_for_all_entities(qtbot, window, settle, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    fp = window.filter_pane
    assert not window.act_save_filter.isEnabled()  # "All entities": nothing to save
    fp.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    settle(window)
    assert window.act_save_filter.isEnabled()
    monkeypatch.setattr(SaveFilterDialog, "get_value", classmethod(lambda cls, parent, default="": ("Lesson", True)))
    assert fp.save_current() == "Lesson"
    fp.clear()
    fp.facets["kinds"].item_for("country").setCheckState(Qt.CheckState.Checked)
    settle(window)
    asked = []

    def answer(choice):
        def question(*args, **kwargs):
            asked.append(args[2])
            return choice

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert fp.save_current() is None and "Lesson" in asked[-1]
    assert window.atlas.user_data.saved_filters.list()[0].spec.kinds == ("alliance",)  # kept
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    assert fp.save_current() == "Lesson"
    assert window.atlas.user_data.saved_filters.list()[0].spec.kinds == ("country",)  # replaced
    # Recall is in the File menu too, so it works with the filter pane hidden.
    assert fp.saved_menu.menuAction() in window.menus["file"].actions()


def test_ctrl_f_focuses_search(qtbot, window):
    window.list_pane.setFocus()
    window.act_find.trigger()
    assert window.filter_pane.search.hasFocus()


def test_typed_years_move_the_slider_and_filter(qtbot, repo, alone):
    pane = alone
    pane.year_from.setValue(1990)
    pane.year_to.setValue(2000)
    assert tuple(int(v) for v in pane.years.value()) == (1990, 2000)
    rows = repo.list_entities(pane.spec())
    assert [r.id for r in rows] == ["csto"]  # founded 1992; the ASEAN ministers' meeting (2006) is out
    assert "founded 1990–2000" in pane.summary.text()
    pane.years.setValue((1940, 1960))  # and dragging the slider updates the typed ends
    assert (pane.year_from.value(), pane.year_to.value()) == (1940, 1960)


def test_search_view_entities_follow_the_facets_like_the_list(qtbot, window, settle):
    qtbot.keyClicks(window.filter_pane.search, "security")
    settle(window)
    assert any(e.kind != "alliance" for e in window.search_pane.entities)
    window.filter_pane.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    settle(window)
    found = window.search_pane.entities
    assert found and {e.kind for e in found} == {"alliance"}
    assert {e.id for e in found} == {r.id for r in window.list_pane.model.rows()}


def test_tag_facet_says_none_among_these_when_tags_exist_elsewhere(qtbot, atlas, alone):
    """Issue 14: with tagged entities outside the filter, the Tag facet must not claim there are no tags."""
    box = alone.facets["tags"]
    assert box.empty.isVisibleTo(alone) and box.empty.text().startswith("No tags yet")
    atlas.user_data.notes.tag_entities("lesson 3", ["nato"])
    alone.recount()  # the window recounts when user data changes
    assert box.list.count() == 1
    alone.search.setText("Quadrilateral")  # NATO is not among the matches
    alone.recount()
    assert box.list.count() == 0
    assert box.empty.isVisibleTo(alone)
    assert box.empty.text() == "None among these entities"


class FakeSavedFilters:
    """A saved-filters store in memory: the filter pane alone needs nothing else."""

    def __init__(self) -> None:
        self.saved: dict[str, FilterSpec] = {}

    def list(self) -> list[SavedFilter]:
        return [SavedFilter(n, s, "") for n, s in sorted(self.saved.items())]

    def get(self, name: str) -> SavedFilter | None:
        name = " ".join(name.split())
        return SavedFilter(name, self.saved[name], "") if name in self.saved else None

    def save(self, name: str, spec: FilterSpec) -> SavedFilter:
        self.saved[" ".join(name.split())] = spec
        return SavedFilter(" ".join(name.split()), spec, "")

    def delete(self, name: str) -> bool:
        return self.saved.pop(name, None) is not None


def test_the_filter_pane_alone_saves_and_recalls_through_its_store(qtbot, repo, monkeypatch):
    from app.ui.panes.filter_pane import FilterPane

    store = FakeSavedFilters()
    pane = FilterPane(saved_filters=store, year_bounds=repo.year_bounds())  # type: ignore[arg-type]
    qtbot.addWidget(pane)
    pane.set_facet_counts(repo.facet_counts(FilterSpec()))
    with qtbot.waitSignal(pane.spec_changed) as blocker:
        pane.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    assert blocker.args[0].kinds == ("alliance",)
    monkeypatch.setattr(SaveFilterDialog, "get_value", classmethod(lambda cls, parent, default="": (" Pacts ", True)))
    assert pane.save_current() == "Pacts"
    assert store.saved == {"Pacts": pane.spec()}
    pane.clear()
    assert pane.spec().kinds == ()
    pane.rebuild_saved_menu()
    [recall] = [a for a in pane.saved_menu.actions() if a.text() == "Pacts"]
    with qtbot.waitSignal(pane.spec_changed) as blocker:
        recall.trigger()
    assert blocker.args[0].kinds == ("alliance",)
