"""The command line for your own sources: import, documents, suggestions, accept, reject, entity add, removal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.paths import DataPaths

BRIEF = (
    "# Pacific briefing\n\n"
    "The Australia, New Zealand and United States Security Treaty (ANZUS) was signed in 1951 by Australia, "
    "New Zealand and the United States.\n\n"
    "The Five Power Defence Arrangements (FPDA) link the United Kingdom and Australia.\n"
)


def cli(capsys: pytest.CaptureFixture[str], paths: DataPaths, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(paths.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_suggest_accept_export(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "brief.md"
    path.write_text(BRIEF, encoding="utf-8")
    code, out, err = cli(capsys, data_paths, "import", str(path), "--origin", "Test notes", "--json")
    assert code == 0, err
    doc = json.loads(out)["documents"][0]
    assert {"id", "file", "title", "sha256", "sections", "passages", "mentions", "suggestions"} <= set(doc)
    assert doc["file"] == "brief.md" and doc["title"] == "Pacific briefing" and doc["suggestions"] == 2
    assert {"entity": "united-states", "count": 2} in doc["mentions"]

    code, out, _ = cli(capsys, data_paths, "import", str(path))
    assert code == 0 and "Already imported" in out and "nothing added" in out

    code, out, _ = cli(capsys, data_paths, "documents", "--json")
    kinds = {d["id"]: d["kind"] for d in json.loads(out)["documents"]}
    assert kinds[doc["id"]] == "imported" and list(kinds.values()).count("seed") == 5

    code, out, _ = cli(capsys, data_paths, "suggestions", "--document", doc["id"], "--json")
    items = json.loads(out)["suggestions"]
    assert all({"id", "name", "aliases", "kind", "founded", "members", "document", "quote"} <= set(s) for s in items)
    anzus = next(s for s in items if "ANZUS" in s["aliases"])
    fpda = next(s for s in items if "FPDA" in s["aliases"])
    assert anzus["founded"] == 1951 and set(anzus["members"]) == {"australia", "new-zealand", "united-states"}

    code, out, err = cli(capsys, data_paths, "accept", str(anzus["id"]), "--name", "ANZUS Treaty")
    assert code == 0, err
    assert "my-anzus" in out
    code, out, _ = cli(capsys, data_paths, "reject", str(fpda["id"]))
    assert code == 0 and "Rejected" in out
    code, out, _ = cli(capsys, data_paths, "suggestions", "--json")
    assert json.loads(out)["suggestions"] == []

    target = tmp_path / "atlas.json"
    code, _, err = cli(capsys, data_paths, "export", "-f", "json", "-o", str(target), "--source", doc["id"])
    assert code == 0, err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [e["id"] for e in data["entities"]] == ["my-anzus"]
    assert data["entities"][0]["origin"] == "user"
    assert all(c["document"] == "brief.md" for c in data["entities"][0]["citations"])

    code, out, _ = cli(capsys, data_paths, "remove-document", doc["id"])
    assert code == 0 and "kept" in out
    code, out, _ = cli(capsys, data_paths, "search", "ANZUS", "--json")
    found = json.loads(out)
    assert [(e["id"], e["origin"]) for e in found["entities"]] == [("my-anzus", "user")]  # the entity stays
    assert not [p for p in found["passages"] if p["document"] == "brief.md"]  # the document is gone


def test_entity_add_by_hand_and_its_rules(data_paths: DataPaths, capsys: pytest.CaptureFixture[str]) -> None:
    quote = "The African Union has created the African Standby Force to respond to crises on the continent."
    doc = "military-alliances-and-partnerships"
    code, _, err = cli(
        capsys, data_paths, "entity", "add", "--name", "Crisis Force", "--kind", "organisation",
        "--document", doc, "--quote", "This sentence is not in the document.",
    )  # fmt: skip
    assert code == 1 and "verbatim" in err and err.count("\n") == 1
    code, _, err = cli(
        capsys, data_paths, "entity", "add", "--name", "Crisis Force", "--kind", "organisation",
        "--document", doc, "--quote", quote, "--founded", "1999",
    )  # fmt: skip
    assert code == 1 and ("a year must appear in its quote" in err or "verbatim" in err)


def test_bad_files_exit_1_with_one_line_each(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 10)
    code, out, err = cli(capsys, data_paths, "import", str(empty), str(blob), str(tmp_path / "missing.txt"))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3 and "empty" in lines[0] and "binary" in lines[1] and "does not exist" in lines[2]
    code, out, _ = cli(capsys, data_paths, "documents", "--json")
    assert all(d["kind"] == "seed" for d in json.loads(out)["documents"])
    code, _, err = cli(capsys, data_paths, "remove-document", "doc-nothing")
    assert code == 1 and "No imported document" in err


def test_notes_exchange_carries_your_entities(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "brief.md"
    path.write_text(BRIEF, encoding="utf-8")
    assert cli(capsys, data_paths, "import", str(path))[0] == 0
    _, out, _ = cli(capsys, data_paths, "suggestions", "--json")
    sid = next(s["id"] for s in json.loads(out)["suggestions"] if "ANZUS" in s["aliases"])
    assert cli(capsys, data_paths, "accept", str(sid))[0] == 0
    code, _, err = cli(capsys, data_paths, "notes", "add", "--entity", "ANZUS", "--title", "Check the 1951 text")
    assert code == 0, err
    exported = tmp_path / "notes.json"
    assert cli(capsys, data_paths, "notes", "export", "-o", str(exported))[0] == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert [e["id"] for e in data["sources"]["entities"]] == ["my-anzus"]
    assert data["sources"]["documents"][0]["text"].startswith("# Pacific briefing")

    colleague = DataPaths(tmp_path / "colleague")
    code, out, err = cli(capsys, colleague, "notes", "import", str(exported))
    assert code == 0, err
    assert "1 entity added" in out and "detached" not in out
    _, out, _ = cli(capsys, colleague, "notes", "list", "--json")
    assert json.loads(out)[0]["entity_id"] == "my-anzus"
    _, out, _ = cli(capsys, colleague, "export", "-f", "json", "-o", str(tmp_path / "c.json"), "--origin", "user")
    ent = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["entities"][0]
    assert ent["id"] == "my-anzus" and ent["founded"] == 1951 and len(ent["members"]) == 3

    # A tampered quote is left out by the rules, never trusted.
    data["sources"]["entities"][0]["facts"][1]["quote"] = "The treaty was signed in 1950 by nobody."
    data["sources"]["entities"][0]["id"] = "my-anzus-copy"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data), encoding="utf-8")
    code, out, _ = cli(capsys, colleague, "notes", "import", str(tampered))
    assert code == 0 and "left out" in out and "verbatim" in out
