"""Saved filters round-trip through the user database and survive a reopen."""

from __future__ import annotations

import sqlite3

import pytest

from app.core.errors import AtlasError
from app.core.query.filters import FilterSpec
from app.core.userdata.database import UserData


def test_save_list_replace_delete(data_paths):
    with UserData.open(data_paths.user_db) as user:
        store = user.saved_filters
        spec = FilterSpec(text="intelligence", kinds=("alliance",), members=("united-states",), year_min=1940)
        store.save("  Five   eyes-ish ", spec)
        saved = store.list()
        assert [s.name for s in saved] == ["Five eyes-ish"]
        assert saved[0].spec == spec
        store.save("Five eyes-ish", FilterSpec(kinds=("treaty",)))
    with UserData.open(data_paths.user_db) as user:  # survives a reopen
        store = user.saved_filters
        assert store.list()[0].spec.kinds == ("treaty",)
        assert store.get(" Five eyes-ish") is not None
        assert store.delete("Five eyes-ish") is True
        assert store.delete("Five eyes-ish") is False
        assert store.list() == []


def test_blank_name_is_refused(data_paths):
    with UserData.open(data_paths.user_db) as user, pytest.raises(AtlasError, match="needs a name"):
        user.saved_filters.save("   ", FilterSpec())


def test_unreadable_row_is_skipped(data_paths):
    with UserData.open(data_paths.user_db) as user:
        user.saved_filters.save("good", FilterSpec(text="nato"))
        con = sqlite3.connect(data_paths.user_db)
        con.execute("INSERT INTO saved_filter VALUES ('bad', '[1, 2]', 'x')")
        con.commit()
        con.close()
        assert [s.name for s in user.saved_filters.list()] == ["good"]
