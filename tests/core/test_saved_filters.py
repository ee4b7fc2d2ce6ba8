"""Saved filters round-trip through the user database and survive a reopen."""

from __future__ import annotations

import pytest

from app.core.errors import AtlasError
from app.core.query.filters import FilterSpec
from app.core.userdata.saved_filters import delete_filter, list_filters, save_filter


def test_save_list_replace_delete(data_paths):
    db = data_paths.user_db
    spec = FilterSpec(text="intelligence", kinds=("alliance",), members=("united-states",), year_min=1940)
    save_filter(db, "  Five   eyes-ish ", spec)
    saved = list_filters(db)
    assert [s.name for s in saved] == ["Five eyes-ish"]
    assert saved[0].spec == spec
    save_filter(db, "Five eyes-ish", FilterSpec(kinds=("treaty",)))
    assert list_filters(db)[0].spec.kinds == ("treaty",)
    assert delete_filter(db, "Five eyes-ish") is True
    assert delete_filter(db, "Five eyes-ish") is False
    assert list_filters(db) == []


def test_blank_name_is_refused(data_paths):
    with pytest.raises(AtlasError, match="needs a name"):
        save_filter(data_paths.user_db, "   ", FilterSpec())


def test_unreadable_row_is_skipped(data_paths):
    import sqlite3

    save_filter(data_paths.user_db, "good", FilterSpec(text="nato"))
    con = sqlite3.connect(data_paths.user_db)
    con.execute("INSERT INTO saved_filter VALUES ('bad', '[1, 2]', 'x')")
    con.commit()
    con.close()
    assert [s.name for s in list_filters(data_paths.user_db)] == ["good"]
