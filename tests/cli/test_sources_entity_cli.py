"""``entity add`` and ``entity cite`` from the command line: what the user is told when they work."""

from __future__ import annotations

import pytest

from app.cli import main
from app.core.atlas import open_atlas
from app.core.sources.curate import CurationRefused
from app.core.sources.service import cite
from app.paths import DataPaths

DOC = "military-alliances-and-partnerships"
QUOTE = (
    "NATO, or the North Atlantic Treaty Organization, is a military alliance founded in 1949 to ensure collective "
    "security among its member states."
)


def test_adding_an_entity_by_hand_says_what_was_added(
    data_paths: DataPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "entity",
        "add",
        "--name",
        "North Atlantic Pact",
        "--kind",
        "organisation",
        "--document",
        DOC,
        "--quote",
        QUOTE,
    ]
    code = main(["--data-dir", str(data_paths.root), *args])
    out = capsys.readouterr()
    assert (code, out.err) == (0, "")
    assert out.out.startswith("Added North Atlantic Pact [organisation] as my-north-atlantic-pact, with ")
    assert out.out.endswith(" cited fact(s).\n")


def test_a_region_is_cited_only_from_a_quote_that_names_it(data_paths: DataPaths) -> None:
    with open_atlas(data_paths) as atlas:
        store = atlas.user_data.sources
        kw = {"entity": "nato", "field_name": "region", "document": DOC, "quote": QUOTE}
        with pytest.raises(CurationRefused, match="Europe is not in"):
            cite(atlas.repo, store, value="Europe", **kw)
        assert cite(atlas.repo, store, value="North Atlantic", **kw) > 0
