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
    ImportCancelled,
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
from app.core.datasets.plan import alliance_name, plan_atop, plan_cow

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
        recognise(ATOP_MEMBERS, ["atopid", "version4id", "mem_st_year", "defense"], P)
    assert str(swapped.value) == (
        "atop5_1m.csv is not ATOP's member-level file (atop5_1m.csv): it has the columns version4id, mem_st_year,"
        " which COW's alliances-by-member file (alliance_v4.1_by_member.csv) has, and lacks member, yrent, yrexit."
        " Check which file goes with --members."
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


# ---- the plan an import writes (datasets/plan) ----------------------------------------------------
A_COLS = "atopid,begyr,endyr,defense,offense,neutral,nonagg,consul\n"
M_COLS = "atopid,member,yrent,yrexit\n"
CAT = {"united states": "united-states", "canada": "canada"}


def _files(tmp_path: Path, alliances: str, members: str) -> tuple[Path, Path]:
    a = tmp_path / "atop5_1a.csv"
    m = tmp_path / "atop5_1m.csv"
    a.write_text(A_COLS + alliances, encoding="utf-8")
    m.write_text(M_COLS + members, encoding="utf-8")
    return a, m


def test_an_alliance_without_a_name_is_named_by_its_members_and_year() -> None:
    assert alliance_name([], None) == "No members listed"
    assert alliance_name([], 1815) == "No members listed (1815)"
    assert alliance_name(["A", "B", "C"], 1949) == "A – B – C (1949)"
    assert alliance_name(["A", "B", "C", "D"], 1949) == "A – B – C and 1 others (1949)"
    assert alliance_name(["A", "B", "C", "D", "E"], None) == "A – B – C and 2 others"


def test_an_atop_plan_cites_every_fact_and_skips_repeated_rows_naming_them(tmp_path: Path) -> None:
    a, m = _files(
        tmp_path,
        "7,1949,0,1,0,0,0,1\n7,1950,0,0,0,0,0,0\n8,1815,1816,0,1,1,1,0\n",
        "7,20,1955,0\n7,2,1949,1991\n7,2,1949,1991\n9,2,1949,0\n8,20,1815,1816\n7,20,1960,0\n",
    )
    plan = plan_atop(a, m, CAT)
    assert (plan.dataset, plan.label, plan.version, plan.files) == ("atop", "ATOP", "5.1", (a.name, m.name))
    nato, other = plan.alliances
    assert (nato.id, nato.record, nato.founded, nato.ended) == ("atop-7", "7", 1949, None)
    assert nato.members == ("united-states", "canada")  # by entry year, each once
    assert nato.name == "United States – Canada (1949)"
    own = [(f.field, f.value) for f in nato.facts if f.field != "member"]
    assert own == [("founded", "1949"), ("obligation", "defense"), ("obligation", "consul")]
    founded = nato.facts[0]
    assert [(c.field, c.value) for c in founded.cites] == [("begyr", "1949")]
    assert plan.records[founded.cites[0].record].line == 2
    members = [(f.target_id, f.start_year, f.end_year) for f in nato.facts if f.field == "member"]
    assert members == [("united-states", 1949, 1991), ("canada", 1955, None), ("canada", 1960, None)]
    first = next(f for f in nato.facts if f.field == "member")
    assert [(c.field, c.value) for c in first.cites] == [("member", "2"), ("yrent", "1949"), ("yrexit", "1991")]
    assert (other.founded, other.ended) == (1815, 1816)
    assert [f.value for f in other.facts if f.field == "obligation"] == ["offense", "neutral", "nonagg"]
    assert [f.value for f in other.facts if f.field == "ended"] == ["1816"]
    assert plan.memberships == 4
    assert plan.report() == {
        "dataset": "ATOP",
        "version": "5.1",
        "alliances": 2,
        "memberships": 4,
        "countries": 2,
        "unknown_codes": [],
        "skipped": [
            {"row": 3, "reason": "atop5_1a.csv: atopid 7 again (first on line 2)"},
            {"row": 4, "reason": "atop5_1m.csv: the same membership as line 3"},
            {"row": 5, "reason": "atop5_1m.csv: atopid 9 is not in atop5_1a.csv"},
        ],
    }
    assert [r.record for r in plan.records] == ["7", "8", "7", "7", "8", "7"]
    assert plan.records[0].fields[:3] == (("atopid", "7"), ("begyr", "1949"), ("endyr", "0"))


def test_an_unknown_code_is_kept_as_a_new_country(tmp_path: Path) -> None:
    a, m = _files(tmp_path, "7,1949,0,1,0,0,0,0\n", "7,260,1955,0\n7,2,1949,0\n7,999,1950,0\n")
    plan = plan_atop(a, m, CAT)
    assert plan.unknown_codes == [260, 999]
    assert [(c.code, c.name, c.entity_id) for c in plan.new_countries] == [
        (260, "COW 260", "ccode-260"),
        (999, "COW 999", "ccode-999"),
    ]
    assert plan.alliances[0].members == ("united-states", "ccode-999", "ccode-260")
    assert plan.alliances[0].name == "United States – COW 999 – COW 260 (1949)"


@pytest.mark.parametrize(
    "alliances, members, message",
    [
        (",1949,0,1,0,0,0,0\n", "7,2,1949,0\n", r"^atop5_1a\.csv, line 2: atopid is empty\.$"),
        ("", "7,2,1949,0\n", r"^atop5_1a\.csv has a header but no alliances\.$"),
        ("7,1949,0,1,0,0,0,0\n", "", r"^atop5_1m\.csv has a header but no memberships\.$"),
        (
            "7,1949,0,1,0,0,0,0\n",
            "7,2,,0\n",
            r"^atop5_1m\.csv, line 2: yrent is empty; every membership has an entry year\.$",
        ),
    ],
)
def test_an_atop_file_that_cannot_be_planned_says_why(
    tmp_path: Path, alliances: str, members: str, message: str
) -> None:
    a, m = _files(tmp_path, alliances, members)
    with pytest.raises(DatasetError, match=message):
        plan_atop(a, m, CAT)


def test_a_plan_can_be_cancelled_every_500_rows_and_reports_bytes(tmp_path: Path) -> None:
    a, m = _files(tmp_path, "7,1949,0,1,0,0,0,0\n", "".join(f"7,2,{1500 + i},0\n" for i in range(600)))
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= 1

    with pytest.raises(ImportCancelled, match=r"^The import was cancelled; nothing was imported\.$"):
        plan_atop(a, m, CAT, cancelled=cancelled)
    assert len(asked) == 1
    seen: list[tuple[int, int]] = []
    plan = plan_atop(a, m, CAT, cancelled=lambda: False, progress=lambda done, total: seen.append((done, total)))
    assert plan.memberships == 600
    total = a.stat().st_size + m.stat().st_size
    assert seen and all(t == total and 0 < d <= total for d, t in seen)
    assert seen[-1][0] > a.stat().st_size  # the member file counts after the alliance file


C_COLS = "version4id,ccode,mem_st_year,mem_end_year,defense,neutrality,nonaggression,entente"


def _cow(tmp_path: Path, extra: str, rows: str) -> Path:
    path = tmp_path / "alliance_v4.1_by_member.csv"
    path.write_text(C_COLS + extra + "\n" + rows, encoding="utf-8")
    return path


def test_a_cow_plan_dates_alliances_from_their_own_years_or_first_membership(tmp_path: Path) -> None:
    path = _cow(
        tmp_path,
        ",all_st_year,all_end_year,version",
        "5,2,1950,1960,1,0,0,1,1949,1960,4.1\n5,20,1949,,0,1,0,1,1949,1960,4.1\n5,20,1949,,0,1,0,1,1949,1960,4.1\n",
    )
    plan = plan_cow(path, CAT)
    assert (plan.version, plan.files) == ("4.1", (path.name,))
    (a,) = plan.alliances
    assert (a.id, a.founded, a.ended) == ("cow-5", 1949, 1960)
    own = [(f.field, f.value, f.cites[0].field) for f in a.facts if f.field != "member"]
    assert own == [
        ("founded", "1949", "all_st_year"),
        ("ended", "1960", "all_end_year"),
        ("obligation", "defense", "defense"),
        ("obligation", "entente", "entente"),
        ("obligation", "neutrality", "neutrality"),
    ]
    assert a.members == ("canada", "united-states")  # by start year
    assert plan.report()["skipped"] == [
        {"row": 4, "reason": "alliance_v4.1_by_member.csv: the same membership as line 3"}
    ]
    bare = _cow(tmp_path, "", "6,2,1950,,0,0,0,0\n6,20,1949,,0,0,0,0\n6,20,1955,,0,0,0,0\n")
    plan = plan_cow(bare, CAT)
    (b,) = plan.alliances
    assert (plan.version, b.founded, b.ended) == ("4.1", 1949, None)
    assert [f.field for f in b.facts] == ["member", "member", "member"]


@pytest.mark.parametrize(
    "rows, message",
    [
        (",2,1950,,0,0,0,0\n", r"^alliance_v4\.1_by_member\.csv, line 2: version4id is empty\.$"),
        (
            "6,2,,,0,0,0,0\n",
            r"^alliance_v4\.1_by_member\.csv, line 2: mem_st_year is empty; every membership has a start\.$",
        ),
        ("", r"^alliance_v4\.1_by_member\.csv has a header but no memberships\.$"),
    ],
)
def test_a_cow_file_that_cannot_be_planned_says_why(tmp_path: Path, rows: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        plan_cow(_cow(tmp_path, "", rows), CAT)


def test_the_version_column_names_the_release_when_the_file_name_does_not(tmp_path: Path) -> None:
    path = tmp_path / "cow.csv"
    path.write_text(C_COLS + ",version\n6,2,1950,,0,0,0,0,4.2\n6,20,1950,,0,0,0,0,9.9\n", encoding="utf-8")
    assert plan_cow(path, CAT).version == "4.2"


def test_a_cow_plan_can_be_cancelled_too(tmp_path: Path) -> None:
    path = _cow(tmp_path, "", "".join(f"{i},2,1950,,0,0,0,0\n" for i in range(600)))
    with pytest.raises(ImportCancelled):
        plan_cow(path, CAT, cancelled=lambda: True)
    assert len(plan_cow(path, CAT, cancelled=lambda: False).alliances) == 600


def test_a_path_through_a_file_cannot_be_read_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("x", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^/\S+/f\.csv/inner\.csv cannot be read: Not a directory\.$"):
        check_file(tmp_path / "f.csv" / "inner.csv")


def test_a_file_that_cannot_be_opened_gives_the_reason_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _members(tmp_path, "atopid,member,yrent,yrexit\n1,2,1950,0\n")

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DatasetError, match=r"^atop5_1m\.csv cannot be read: Permission denied\.$"):
        read_rows(path, ATOP_MEMBERS)


def test_bytes_that_are_not_utf8_are_read_as_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "states2016.csv"
    path.write_bytes(b"ccode,statenme\n2,United States\n220,Fran\xe7e\n")
    _header, rows = read_rows(path, COW_STATES)
    assert [r.values for r in rows] == [("2", "United States"), ("220", "Fran\ufffde")]
