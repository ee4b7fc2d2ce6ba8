"""`alliance-atlas export` end to end: pdf, json, csv, md and graphml files; bad paths fail cleanly."""

from __future__ import annotations

import json

import pypdf

from app.cli import main
from app.core.userdata.database import UserData


def run(data_paths, *argv: str) -> int:
    return main(["--data-dir", str(data_paths.root), "export", *argv])


def test_pdf_export_with_select_and_options(data_paths, tmp_path, capsys):
    out = tmp_path / "s.pdf"
    code = run(data_paths, "--format", "pdf", "--select", "nato", "--select", "CSTO", "--handout",
               "--title", "Two alliances", "--page-size", "Letter", "-o", str(out))  # fmt: skip
    assert code == 0 and f"Wrote {out}" in capsys.readouterr().out
    reader = pypdf.PdfReader(str(out))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Two alliances" in text and "Entities selected: NATO and Collective Security Treaty Organization" in text
    assert "North Atlantic Treaty Organization" in text and "Collective Security Treaty Organization" in text
    assert round(float(reader.pages[0].mediabox.width)) == 612


def test_pdf_export_of_a_query(data_paths, tmp_path):
    out = tmp_path / "q.pdf"
    assert run(data_paths, "--format", "pdf", "--query", "Five Eyes", "--no-graph", "-o", str(out)) == 0
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages)
    assert "matching “Five Eyes”" in " ".join(text.split())


def test_data_formats(data_paths, tmp_path):
    assert run(data_paths, "--format", "json", "--kind", "alliance", "-o", str(tmp_path / "a.json")) == 0
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["filter"] == "Entities kind: alliance" and len(data["entities"]) == 6
    assert run(data_paths, "--format", "csv", "--kind", "alliance", "-o", str(tmp_path / "a.csv")) == 0
    assert (tmp_path / "a-citations.csv").exists() and (tmp_path / "a-members.csv").exists()
    assert run(data_paths, "--format", "md", "--select", "quad", "-o", str(tmp_path / "a.md")) == 0
    assert "Quadrilateral Security Dialogue" in (tmp_path / "a.md").read_text(encoding="utf-8")
    assert run(data_paths, "--format", "graphml", "--kind", "alliance", "-o", str(tmp_path / "a.graphml")) == 0
    import networkx as nx

    assert nx.read_graphml(tmp_path / "a.graphml").number_of_nodes() == 6


def test_bad_paths_give_a_clear_error_and_no_file(data_paths, tmp_path, capsys):
    missing = tmp_path / "no-such-folder" / "out.pdf"
    assert run(data_paths, "--format", "pdf", "-o", str(missing)) != 0
    assert "does not exist" in capsys.readouterr().err
    assert run(data_paths, "--format", "json", "-o", str(tmp_path)) != 0
    assert "is a folder" in capsys.readouterr().err
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        code = run(data_paths, "--format", "pdf", "--select", "nato", "-o", str(ro / "x.pdf"))
        import os

        if os.geteuid() != 0:  # root ignores folder permissions
            assert code == 1 and "Cannot write" in capsys.readouterr().err
        assert [p.name for p in ro.iterdir() if p.name != "x.pdf"] == []  # no temp file left behind
    finally:
        ro.chmod(0o700)


def test_unknown_selection_is_a_usage_error(data_paths, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert run(data_paths, "--format", "pdf", "--select", "atlantis", "-o", str(out)) == 2
    assert "No entity called 'atlantis'" in capsys.readouterr().err and not out.exists()


def test_json_notes_flag_and_notes_filters(data_paths, tmp_path):

    UserData.open(data_paths.user_db).notes.create_note("nato", title="Remember", body="Article 5")
    base = ["--data-dir", str(data_paths.root), "export", "-f", "json"]
    assert main([*base, "--notes", "--select", "nato", "-o", str(tmp_path / "a.json")]) == 0
    entity = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["entities"][0]
    assert [n["title"] for n in entity["notes"]] == ["Remember"]
    assert main([*base, "--has-notes", "-o", str(tmp_path / "b.json")]) == 0
    assert [e["id"] for e in json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["entities"]] == ["nato"]
    assert main([*base, "--without-notes", "-o", str(tmp_path / "c.json")]) == 0
    ids = [e["id"] for e in json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["entities"]]
    assert "nato" not in ids and len(ids) == 49
