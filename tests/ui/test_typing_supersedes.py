"""Typing supersedes work (issue 11): a stale list query is interrupted and never replaces newer rows;
facet counts and the passage search wait for a pause in typing, then run once, for what was typed."""

from __future__ import annotations

import threading
from dataclasses import replace

from app.core.query.filters import FilterSpec
from app.core.query.interrupt import Superseded

ENDLESS = (
    "WITH RECURSIVE c(x) AS (SELECT started() UNION ALL SELECT x + 1 FROM c WHERE x < 400000000) SELECT count(*) FROM c"
)


def test_a_stale_list_query_is_interrupted_and_the_newer_rows_are_shown(qtbot, window, settle, monkeypatch):
    repo = window.repo
    plain = repo.list_matches
    started = threading.Event()
    stale: list[str] = []

    def list_matches(spec, **kw):
        if spec.text == "nato":  # this query takes minutes, unless the next key interrupts it
            con = repo._raw_connection()  # the worker's own connection
            con.create_function("started", 0, lambda: started.set() or 0)
            try:
                repo._raw(ENDLESS)
            except Superseded:
                stale.append(spec.text)
                raise
            stale.append("ran to the end")
        return plain(spec, **kw)

    monkeypatch.setattr(repo, "list_matches", list_matches)
    search = window.filter_pane.search
    search.setText("nato")
    assert started.wait(10)
    search.setText("csto")  # supersedes the running query
    qtbot.waitUntil(lambda: not window.list_runner.busy, timeout=10000)
    settle(window)
    assert stale == ["nato"]
    want = plain(window.current_spec()).ids
    assert window.list_pane.model.matches.ids == want and "csto" in want
    assert window.count_label.text() == f"{len(want)} of 50 entities"


def test_facets_and_passages_wait_for_a_pause_then_run_once_for_the_text_typed(qtbot, window, settle, monkeypatch):
    repo = window.repo
    searched: list[str] = []
    counted: list[str] = []
    passage_search, facet_counts = repo.passage_search, repo.facet_counts
    monkeypatch.setattr(
        repo, "passage_search", lambda text, **kw: (searched.append(text), passage_search(text, **kw))[1]
    )
    monkeypatch.setattr(repo, "facet_counts", lambda spec: (counted.append(spec.text), facet_counts(spec))[1])
    search = window.filter_pane.search
    for text in ("s", "se", "sec", "secu", "secur"):  # keys faster than any pause
        search.setText(text)
    settle(window)
    assert searched == ["secur"] and counted == ["secur"]  # none for a half-typed word, one at the pause
    spec = window.current_spec()
    assert window.search_pane.query == "secur" and window.search_pane.hits
    assert [h.passage_id for h in window.search_pane.hits] == [
        h.passage_id for h in passage_search("secur", limit=50, typing=True).hits
    ]
    ranked = repo.list_entities(replace(spec, sort="rank", descending=False), limit=200)
    assert [e.id for e in window.search_pane.entities] == [e.id for e in ranked]
    kinds = {v.value: v.count for v in facet_counts(spec)["kinds"]}
    shown = window.filter_pane.facets["kinds"]
    assert kinds and all(shown.item_for(k).text().endswith(f"({n})") for k, n in kinds.items())
    assert window.list_pane.model.matches.ids == repo.list_matches(spec).ids


def test_a_pause_after_a_filter_change_still_counts_facets(qtbot, window, settle, monkeypatch):
    repo = window.repo
    counted: list[FilterSpec] = []
    facet_counts = repo.facet_counts
    monkeypatch.setattr(repo, "facet_counts", lambda spec: (counted.append(spec), facet_counts(spec))[1])
    window.filter_pane.search.setText("treaty")
    settle(window)
    window.filter_pane.search.clear()
    settle(window)
    assert [s.text for s in counted] == ["treaty", ""]
    assert window.count_label.text() == "50 of 50 entities"


def test_no_facet_count_or_passage_search_runs_beside_the_lists_query(qtbot, window, settle, monkeypatch):
    from app.ui.window_layout import TYPING_DELAY_MS

    repo = window.repo
    plain, passage_search = repo.list_matches, repo.passage_search
    gate = threading.Event()
    searched: list[str] = []
    monkeypatch.setattr(repo, "list_matches", lambda spec, **kw: (gate.wait(20), plain(spec, **kw))[1])
    monkeypatch.setattr(
        repo, "passage_search", lambda text, **kw: (searched.append(text), passage_search(text, **kw))[1]
    )
    window.filter_pane.search.setText("treaty")
    qtbot.wait(3 * TYPING_DELAY_MS)  # the pause has come, but the list's query is still running
    assert searched == [] and window.list_runner.busy
    gate.set()
    settle(window)
    assert searched == ["treaty"] and window.search_pane.query == "treaty"


def test_a_passage_search_running_for_older_text_is_interrupted(qtbot, window, settle, monkeypatch):
    repo = window.repo
    passage_search = repo.passage_search
    started = threading.Event()
    seen: list[str] = []

    def slow_search(text, **kw):
        if text == "treaty":
            con = repo._raw_connection()
            con.create_function("started", 0, lambda: started.set() or 0)
            try:
                repo._raw(ENDLESS)
            except Superseded:
                seen.append("interrupted")
                raise
        seen.append(text)
        return passage_search(text, **kw)

    monkeypatch.setattr(repo, "passage_search", slow_search)
    search = window.filter_pane.search
    search.setText("treaty")
    qtbot.waitUntil(started.is_set, timeout=10000)  # the pause came: the search for "treaty" runs
    search.setText("treaty of")
    settle(window)
    assert seen == ["interrupted", "treaty of"]
    assert window.search_pane.query == "treaty of"
