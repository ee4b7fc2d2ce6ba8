"""Saved filters: name limits in the user's words, the order a person expects, and when each was saved."""

from __future__ import annotations

import re

import pytest

from app.core.errors import AtlasError
from app.core.query.filters import FilterSpec
from app.core.userdata.database import UserData


def test_a_name_of_at_most_120_characters_is_kept_longer_is_refused(tmp_path) -> None:
    with UserData.open(tmp_path / "user.sqlite") as user:
        store = user.saved_filters
        assert store.save("x" * 120, FilterSpec()).name == "x" * 120
        with pytest.raises(AtlasError) as err:
            store.save("y" * 121, FilterSpec())
        assert str(err.value) == "A saved filter's name can be at most 120 characters."
        with pytest.raises(AtlasError) as err:
            store.save("\t \n", FilterSpec())
        assert str(err.value) == "A saved filter needs a name."
        assert [f.name for f in store.list()] == ["x" * 120]


def test_saved_filters_are_listed_by_name_whatever_the_case_and_say_when_they_were_saved(tmp_path) -> None:
    with UserData.open(tmp_path / "user.sqlite") as user:
        store = user.saved_filters
        saved = store.save("beta", FilterSpec(text="b"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", saved.created_at)
        assert saved.spec == FilterSpec(text="b")
        store.save("Gamma", FilterSpec(text="g"))
        store.save("alpha", FilterSpec(text="a"))
        listed = store.list()
        assert [f.name for f in listed] == ["alpha", "beta", "Gamma"]
        assert listed[1].created_at == saved.created_at
        assert store.get("gamma") is None and store.get("Gamma").spec.text == "g"
