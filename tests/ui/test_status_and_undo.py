"""Status messages that do not go stale, summaries and chains that read well, and Edit > Undo for
filter and tag changes (issue 14, item 16)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.ui.notes.tag_dialog import TagDialog


def test_a_status_message_about_one_entity_goes_when_another_is_selected(qtbot, window):
    window.select_entity("csto")
    window.show_status("Collective Security Treaty Organization and Russia: 2 cited steps.")
    assert "Collective Security" in window.statusBar().currentMessage()
    window.select_entity("nato")
    assert "Collective Security" not in window.statusBar().currentMessage()
    window.show_status("No entities match this search.")
    window.filter_pane.search.setText("alliance")
    assert window.statusBar().currentMessage() == ""  # about the filter before: gone


def test_a_lasting_warning_survives_a_change_of_selection(qtbot, window):
    window.show_status("The notes database is read-only.", 15000)
    window.select_entity("nato")
    assert window.statusBar().currentMessage() == "The notes database is read-only."


def test_filter_summary_does_not_nest_quotes(qtbot, window, settle):
    window.filter_pane.search.setText('"collective defense"')
    settle(window)
    text = window.filter_pane.summary.text()
    assert "“collective defense”" in text and '"' not in text


@pytest.fixture
def graph(qtbot, window):
    qtbot.waitUntil(lambda: getattr(window, "graph_pane", None) is not None, timeout=5000)
    return window.graph_pane


def test_why_connected_offers_countries_and_its_steps_start_with_a_capital(qtbot, window, graph):
    kinds = {r.id: r.kind for r in window.repo.list_entities(window.current_spec())}
    choices = [eid for eid, _name in graph.country_choices()]
    assert choices and all(kinds[eid] == "country" for eid in choices)
    assert "greece" not in choices and "mesopotamia" not in choices  # actors, not countries
    with qtbot.waitSignal(graph.connection_found) as got:
        graph.show_connection("pakistan", "china")
    steps = got.args[0]
    assert any(s.text.startswith("The Islamic Nation") for s in steps)
    assert all(s.text[:1].isupper() for s in steps)


def _undo(window) -> None:
    assert window.act_undo.isEnabled()
    window.act_undo.trigger()


def test_undo_and_redo_a_facet_and_a_typed_search(qtbot, window, settle):
    fp = window.filter_pane
    assert not window.act_undo.isEnabled()  # nothing done yet
    settle(window)
    fp.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    settle(window)
    assert fp.spec().kinds == ("alliance",)
    qtbot.keyClicks(fp.search, "nato")
    settle(window)
    assert window.act_undo.text() == "&Undo search"
    _undo(window)  # the whole word, not one letter
    settle(window)
    assert fp.search.text() == "" and fp.spec().kinds == ("alliance",)
    assert window.act_undo.text() == "&Undo filter change"
    _undo(window)
    settle(window)
    assert fp.spec().is_empty()
    assert fp.facets["kinds"].item_for("alliance").checkState() == Qt.CheckState.Unchecked
    qtbot.waitUntil(lambda: window.list_pane.model.rowCount() == 50, timeout=5000)
    window.act_redo.trigger()
    window.act_redo.trigger()
    settle(window)
    assert fp.spec().kinds == ("alliance",) and fp.search.text() == "nato"
    fp.clear()
    assert window.act_undo.text() == "&Undo clear filters"
    _undo(window)
    assert fp.spec().kinds == ("alliance",) and fp.search.text() == "nato"


def test_undo_and_redo_tagging_from_the_list(qtbot, window, settle, monkeypatch):
    store = window.atlas.user_data.notes
    qtbot.waitUntil(lambda: getattr(window, "notes_feature", None) is not None, timeout=5000)
    monkeypatch.setattr(TagDialog, "get_tags", classmethod(lambda cls, parent, st, **kw: (["lesson 3"], True)))
    window.notes_feature.tag_selected(["nato", "quad"])
    assert store.entities_for_tag("lesson 3") == ["nato", "quad"]
    assert window.act_undo.text() == "&Undo tag change"
    box = window.filter_pane.facets["tags"]
    qtbot.waitUntil(lambda: box.list.count() == 1, timeout=5000)
    _undo(window)
    assert store.entities_for_tag("lesson 3") == []
    qtbot.waitUntil(lambda: box.list.count() == 0, timeout=5000)  # the facet follows
    window.act_redo.trigger()
    assert store.entities_for_tag("lesson 3") == ["nato", "quad"]
    # A tag deleted in the tag dialog comes back with its entities.
    store.apply_tag_changes(delete=["lesson 3"])
    window.data_changed.emit()
    _undo(window)
    assert store.entities_for_tag("lesson 3") == ["nato", "quad"]
