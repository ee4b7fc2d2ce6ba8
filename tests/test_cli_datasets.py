"""The command line for alliance datasets: import-dataset, remove-dataset and --as-of on exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.paths import DataPaths
from tests.datasets_fixtures import write_atop, write_cow


def cli(capsys: pytest.CaptureFixture[str], paths: DataPaths, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(paths.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_atop_json_report_and_export_as_of(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, m = write_atop(tmp_path / "files")
    code, out, err = cli(
        capsys, data_paths, "import-dataset", "atop", "--alliances", str(a), "--members", str(m), "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert list(report) == ["dataset", "version", "alliances", "memberships", "countries", "unknown_codes", "skipped"]
    assert report["unknown_codes"] == [260] and report["alliances"] == 2
    target = tmp_path / "nato-1960.json"
    code, _, err = cli(
        capsys, data_paths, "export", "--format", "json", "--select", "atop-3180", "--as-of", "1960", "-o", str(target)
    )
    assert code == 0, err
    (nato,) = json.loads(target.read_text(encoding="utf-8"))["entities"]
    assert len(nato["members"]) == 15 and "Spain" not in nato["members"] and "COW 260" in nato["members"]
    code, _, _ = cli(capsys, data_paths, "export", "--format", "json", "--select", "atop-3180", "-o", str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))["entities"][0]["members"]) == 16
    code, out, _ = cli(capsys, data_paths, "import-dataset", "cow", "--members", str(write_cow(tmp_path / "cow")))
    assert code == 0 and out.startswith("Imported COW 4.1: 2 alliances")
    code, out, _ = cli(capsys, data_paths, "remove-dataset", "atop")
    assert code == 0 and "Removed ATOP: 2 alliances" in out
    code, _, err = cli(capsys, data_paths, "remove-dataset", "atop")
    assert code == 1 and "not imported" in err


def test_bad_arguments_exit_2_and_bad_files_exit_1(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, m = write_atop(tmp_path)
    code, _, err = cli(capsys, data_paths, "import-dataset", "atop", "--members", str(m))
    assert code == 2 and "needs --alliances" in err
    code, _, err = cli(
        capsys, data_paths, "export", "--format", "json", "--as-of", "99999", "-o", str(tmp_path / "x.json")
    )
    assert code == 2 and "--as-of" in err
    m.write_text("atopid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase\n3180,2,19x9,1,1,0,0,0,1\n")
    code, out, err = cli(capsys, data_paths, "import-dataset", "atop", "--alliances", str(a), "--members", str(m))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "atop5_1m.csv, line 2: yrent is '19x9', not a whole number" in err
    code, _, err = cli(capsys, data_paths, "import-dataset", "atop", "--alliances", str(m), "--members", str(a))
    assert code == 1 and "Check which file goes with --alliances" in err


def test_same_as_list_confirm_remove_and_obligation_filter(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, m = write_atop(tmp_path / "files")
    assert cli(capsys, data_paths, "import-dataset", "atop", "--alliances", str(a), "--members", str(m))[0] == 0
    code, out, _ = cli(capsys, data_paths, "same-as", "list", "--json")
    assert code == 0
    assert [(s["entity"], s["dataset_alliance"], s["status"]) for s in json.loads(out)["same_as"]] == [
        ("nato", "atop-3180", "proposed")
    ]
    code, out, _ = cli(capsys, data_paths, "same-as", "confirm", "NATO", "atop-3180")
    assert code == 0 and out.strip() == "nato = atop-3180: confirmed."
    target = tmp_path / "nato.json"
    cli(capsys, data_paths, "export", "--format", "json", "--select", "nato", "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["entities"][0]["same_as"] == ["atop-3180"]
    code, _, err = cli(capsys, data_paths, "same-as", "remove", "nato", "nowhere-99")
    assert code == 2 and "not an imported dataset alliance" in err
    assert cli(capsys, data_paths, "same-as", "remove", "nato", "atop-3180")[0] == 0
    code, out, _ = cli(capsys, data_paths, "same-as", "list")
    assert "No links" in out
    code, out, _ = cli(capsys, data_paths, "same-as", "list", "--all")
    assert "nato (NATO) = atop-3180: removed" in out
    cli(
        capsys,
        data_paths,
        "export",
        "--format",
        "json",
        "--obligation",
        "consul",
        "--origin",
        "dataset",
        "-o",
        str(target),
    )
    assert [e["id"] for e in json.loads(target.read_text(encoding="utf-8"))["entities"]] == ["atop-1005", "atop-3180"]
    code, _, err = cli(capsys, data_paths, "export", "--format", "json", "--obligation", "bribery", "-o", str(target))
    assert code == 2 and "No obligation called 'bribery'" in err


def test_select_by_citation_name_and_link_atop_to_cow(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, m = write_atop(tmp_path / "atop")
    assert cli(capsys, data_paths, "import-dataset", "atop", "--alliances", str(a), "--members", str(m))[0] == 0
    assert cli(capsys, data_paths, "import-dataset", "cow", "--members", str(write_cow(tmp_path / "cow")))[0] == 0
    target = tmp_path / "two.json"
    code, _, err = cli(
        capsys, data_paths, "export", "--format", "json", "--select", "ATOP 3180", "--select", "cow 2205",
        "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert [e["id"] for e in json.loads(target.read_text(encoding="utf-8"))["entities"]] == ["atop-3180", "cow-2205"]
    # An ATOP and a COW alliance can be linked either way round; the link is stored ATOP first.
    code, out, err = cli(capsys, data_paths, "same-as", "confirm", "COW 2205", "ATOP 3180")
    assert code == 0, err
    assert out.strip() == "atop-3180 = cow-2205: confirmed."
    code, out, _ = cli(capsys, data_paths, "same-as", "list", "--json")
    rows = {(r["entity"], r["dataset_alliance"]): r["status"] for r in json.loads(out)["same_as"]}
    assert rows[("atop-3180", "cow-2205")] == "confirmed" and ("cow-2205", "atop-3180") not in rows
    code, _, err = cli(capsys, data_paths, "same-as", "confirm", "atop-3180", "atop-1005")
    assert code == 2 and "itself from a dataset" in err  # a bad argument
