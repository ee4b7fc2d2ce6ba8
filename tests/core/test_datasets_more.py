"""Dataset files edge by edge (issue 19, mutation testing of datasets/formats): each wrong file or value
is refused with one message naming the file, the line and the column, and nothing else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.datasets.formats import (
    ATOP_ALLIANCES,
    ATOP_MEMBERS,
    COW_MEMBERS,
    COW_STATES,
    MAX_BYTES,
    DatasetError,
    Header,
    Row,
    as_code,
    as_int,
    as_year,
    check_file,
    looks_like,
    normalise,
    read_rows,
    recognise,
    version_from_name,
)

P = Path("/data/atop5_1m.csv")


def test_a_file_is_checked_before_it_is_read(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"^/\S+/nope\.csv does not exist\.$"):
        check_file(tmp_path / "nope.csv")
    with pytest.raises(DatasetError, match=r"^/\S+ is a folder, not a dataset file\.$"):
        check_file(tmp_path)
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(DatasetError, match=r"^e\.csv is empty \(0 bytes\)\.$"):
        check_file(empty)
    one = tmp_path / "one.csv"
    one.write_bytes(b"x")
    assert check_file(one) == 1
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(DatasetError, match=r"^big\.csv is 50 MB; the ATOP and COW files are a few MB at most"):
        check_file(big)
    edge = tmp_path / "edge.csv"
    with edge.open("wb") as fh:
        fh.truncate(MAX_BYTES)
    assert check_file(edge) == MAX_BYTES == 50 * 1024 * 1024


def _members(tmp_path: Path, body: str, name: str = "atop5_1m.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_rows_are_read_with_their_line_numbers_and_blank_lines_passed_over(tmp_path: Path) -> None:
    path = _members(tmp_path, "\ufeff Atopid ,CCODE,yrent,yrexit\n1001,2,1950,0\n\n , , , \n1001,200,1951,1960\n")
    header, rows = read_rows(path, ATOP_MEMBERS)
    assert header.columns == ("Atopid", "CCODE", "yrent", "yrexit")
    assert header.index == {"atopid": 0, "member": 1, "yrent": 2, "yrexit": 3}
    got = list(rows)
    assert [(r.line, r.values) for r in got] == [(2, ("1001", "2", "1950", "0")), (5, ("1001", "200", "1951", "1960"))]
    assert got[1].get(header, "member") == "200"


def test_progress_is_told_every_200_lines(tmp_path: Path) -> None:
    body = "atopid,member,yrent,yrexit\n" + "".join(f"{i},2,1950,0\n" for i in range(450))
    path = _members(tmp_path, body)
    told: list[int] = []
    _header, rows = read_rows(path, ATOP_MEMBERS, on_bytes=told.append)
    assert len(list(rows)) == 450
    assert len(told) == 2 and all(0 < t <= path.stat().st_size for t in told)


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "atopid,member,yrent,yrexit\n1,2,1950\n",
            r"^atop5_1m\.csv, line 2: 3 values for 4 columns \(a truncated row\?\)\.$",
        ),
        (
            "atopid,member,yrent,yrexit\n1,2,1950,0\n1,2,1950,0,9\n",
            r"^atop5_1m\.csv, line 3: 5 values for 4 columns\.$",
        ),
        ("\n1,2\n", r"^atop5_1m\.csv has no header row \(the first line is empty\)\.$"),
        (" , \n1,2\n", r"^atop5_1m\.csv has no header row"),
        ('atopid,member,yrent,yrexit\n1,"2\n', r"^atop5_1m\.csv, line \d+: .*\.$"),
    ],
)
def test_a_wrong_row_names_its_line(tmp_path: Path, body: str, message: str) -> None:
    path = _members(tmp_path, body)
    with pytest.raises(DatasetError, match=message):
        _header, rows = read_rows(path, ATOP_MEMBERS)
        list(rows)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "atop.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00atopid")
    with pytest.raises(DatasetError, match=r"^atop\.xlsx is not a text \(CSV\) file\.$"):
        read_rows(path, ATOP_MEMBERS)


def test_missing_and_foreign_columns_are_named() -> None:
    with pytest.raises(DatasetError) as one:
        recognise(ATOP_MEMBERS, ["atopid", "member", "yrent"], P)
    assert str(one.value) == (
        "atop5_1m.csv is not ATOP's member-level file (atop5_1m.csv): the column yrexit is missing"
        " (found: atopid, member, yrent)."
    )
    many = [f"c{i}" for i in range(13)]
    with pytest.raises(DatasetError) as two:
        recognise(ATOP_MEMBERS, ["atopid", *many], P)
    assert (
        "the columns member, yrent, yrexit are missing (found: atopid, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, …)."
        in str(two.value)
    )
    with pytest.raises(DatasetError) as twelve:
        recognise(ATOP_MEMBERS, ["atopid", *many[:11]], P)
    assert str(twelve.value).endswith("c10).")
    with pytest.raises(DatasetError) as swapped:
        recognise(ATOP_MEMBERS, ["atopid", "begyr", "endyr", "defense"], P)
    assert str(swapped.value) == (
        "atop5_1m.csv is not ATOP's member-level file (atop5_1m.csv): it has the columns begyr, endyr, which "
        "ATOP's alliance-level file (atop5_1a.csv) has, and lacks member, yrent, yrexit. Check which file goes "
        "with --members."
    )
    with pytest.raises(DatasetError) as extra:
        recognise(ATOP_MEMBERS, ["atopid", "member", "yrent", "yrexit", "ccode1", "ccode2"], P)
    assert str(extra.value) == (
        "atop5_1m.csv has unexpected columns for ATOP's member-level file (atop5_1m.csv): ccode1, ccode2 "
        "(columns of COW's dyad-level file (use alliance_v4.1_by_member.csv instead))."
    )


def test_the_first_of_two_same_columns_counts_and_an_alias_never_shadows_a_real_name() -> None:
    header = recognise(ATOP_MEMBERS, ["atopid", "member", "ccode", "yrent", "yrexit", "atopid"], P)
    assert header.index["member"] == 1 and header.index["atopid"] == 0
    states = recognise(COW_STATES, ['"StateName"', "ccode"], Path("states2016.csv"))
    assert states.index == {"statenme": 0, "ccode": 1}
    assert recognise(COW_MEMBERS, list(COW_MEMBERS.required), P).index["entente"] == 7
    assert recognise(ATOP_ALLIANCES, list(ATOP_ALLIANCES.required), P).index["consul"] == 7


def test_which_file_a_header_looks_like() -> None:
    assert looks_like({"begyr"}) == "atop-alliances"
    assert looks_like({"member", "yrent", "begyr"}) == "atop-members"
    assert looks_like({"ccode1", "ccode2", "dyad_st_year", "version4id"}) == "cow-dyads"
    assert looks_like({"stateabb"}) == "cow-states"
    assert looks_like({"mem_st_year"}) == "cow-members"
    assert looks_like({"nothing"}) is None
    assert normalise(' \ufeff "Atopid" ') == "atopid"


def _one(value: str, name: str = "yrent") -> tuple[Row, Header]:
    return Row(7, (value,)), Header((name,), {name: 0})


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", None),
        (" NA ", None),
        ("na", None),
        (".", None),
        ("12", 12),
        ("+3", 3),
        ("-9", -9),
        ("1950.0", 1950),
        ("7.", 7),
    ],
)
def test_whole_numbers_and_the_missing_value_codes(value: str, expected: int | None) -> None:
    row, header = _one(value)
    assert as_int(P, row, header, "yrent") == expected


@pytest.mark.parametrize("value", ["1950.5", "x", "1e3", "1 950", "--1"])
def test_a_value_that_is_not_a_whole_number_names_line_and_column(value: str) -> None:
    row, header = _one(value)
    with pytest.raises(DatasetError, match=rf"^atop5_1m\.csv, line 7: yrent is '{value}', not a whole number\.$"):
        as_int(P, row, header, "yrent")


def test_a_long_wrong_value_is_cut_in_the_message() -> None:
    row, header = _one("y" * 60)
    with pytest.raises(DatasetError) as err:
        as_int(P, row, header, "yrent")
    assert f"'{'y' * 40}'," in str(err.value)


def test_years_their_bounds_and_the_end_year_codes() -> None:
    for value, expected in (("1500", 1500), ("2200", 2200), ("", None)):
        row, header = _one(value)
        assert as_year(P, row, header, "yrent") == expected
    for value in ("1499", "2201", "0", "-9"):
        row, header = _one(value)
        with pytest.raises(
            DatasetError,
            match=rf"^atop5_1m\.csv, line 7: yrent is {value}, not a year \(a value in the wrong column\?\)\.$",
        ):
            as_year(P, row, header, "yrent")
    row, header = _one("0")
    assert as_year(P, row, header, "yrent", zero_is_none=True) is None
    for name in ("yrexit", "mem_end_year", "endyr", "all_end_year"):
        row, header = _one("-9", name)
        assert as_year(P, row, header, name) is None
    row, header = _one("0", "yrexit")
    with pytest.raises(DatasetError):
        as_year(P, row, header, "yrexit")


def test_country_codes() -> None:
    for value, expected in (("1", 1), ("999", 999), ("2", 2)):
        row, header = _one(value, "ccode")
        assert as_code(P, row, header, "ccode") == expected
    row, header = _one("", "ccode")
    with pytest.raises(DatasetError, match=r"^atop5_1m\.csv, line 7: ccode is empty; a COW country code is needed\.$"):
        as_code(P, row, header, "ccode")
    for value in ("0", "1000", "-2"):
        row, header = _one(value, "ccode")
        with pytest.raises(
            DatasetError, match=rf"^atop5_1m\.csv, line 7: ccode is {value}, not a COW country code \(1–999; a year"
        ):
            as_code(P, row, header, "ccode")


@pytest.mark.parametrize(
    "name, dataset, version",
    [
        ("atop5_1m.csv", "atop", "5.1"),
        ("ATOP_v5.0_A.csv", "atop", "5.0"),
        ("atop-4_01m.csv", "atop", "4.01"),
        ("alliance_v4.1_by_member.csv", "cow", "4.1"),
        ("alliance_V3_03.csv", "cow", "3.03"),
        ("my-alliances.csv", "atop", ""),
        ("atop5_1m.csv", "cow", ""),
    ],
)
def test_the_release_a_file_name_says(name: str, dataset: str, version: str) -> None:
    assert version_from_name(Path("/x") / name, dataset) == version
