"""Small ATOP- and COW-format files written by the tests themselves (the datasets are not ours to ship).

``write_atop(folder, size=0)`` and ``write_cow(folder, size=0)`` write files with the real column
names: a few hand-made rows (NATO as ATOP 3180 with its 1949, 1952, 1955 and 1982 entries, a
bilateral United Kingdom – Portugal alliance of 1815, a member the library does not know: COW 260),
plus ``size`` synthetic alliances (the benchmark asks for the real size: ATOP about 750 alliances and
2,400 memberships, COW about 3,000 member rows). The synthetic rows are deterministic and say
nothing true about history; they only have the real shape.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

ATOP_ALLIANCE_COLUMNS = [
    "atopid", "cowid", "begyr", "begmo", "begday", "endyr", "endmo", "endday", "ineffect", "bilat",
    "defense", "offense", "neutral", "nonagg", "consul", "active", "milaid",
]  # fmt: skip
ATOP_MEMBER_COLUMNS = ["atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit", "phase"]
COW_MEMBER_COLUMNS = [
    "version4id", "ccode", "state_name", "all_st_day", "all_st_month", "all_st_year", "all_end_day",
    "all_end_month", "all_end_year", "ss_type", "mem_st_day", "mem_st_month", "mem_st_year", "mem_end_day",
    "mem_end_month", "mem_end_year", "left_censor", "right_censor", "defense", "neutrality", "nonaggression",
    "entente", "version",
]  # fmt: skip
STATES_COLUMNS = [
    "stateabb",
    "ccode",
    "statenme",
    "styear",
    "stmonth",
    "stday",
    "endyear",
    "endmonth",
    "endday",
    "version",
]

# NATO's founding members (1949), then Greece and Turkey (1952), West Germany (1955), Spain (1982).
NATO_1949 = [2, 20, 200, 210, 211, 212, 220, 235, 325, 385, 390, 395]
NATO_LATER = [(350, 1952), (640, 1952), (260, 1955), (230, 1982)]
# COW codes the library knows, for synthetic members (and 260, which it does not).
CODES = [
    2, 20, 40, 70, 90, 100, 130, 135, 140, 155, 160, 200, 205, 210, 211, 212, 220, 225, 230, 235, 240, 245,
    255, 260, 265, 290, 300, 305, 310, 315, 325, 339, 345, 350, 355, 360, 365, 375, 380, 385, 390, 395,
    432, 433, 435, 450, 475, 490, 500, 530, 600, 615, 616, 620, 625, 630, 640, 645, 651, 652, 660, 663,
    666, 670, 690, 692, 694, 696, 698, 700, 710, 712, 731, 732, 740, 750, 770, 775, 800, 811, 812, 816,
    817, 820, 840, 850, 900, 920,
]  # fmt: skip


def _write(path: Path, columns: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(rows)
    return path


def atop_rows(size: int = 0, seed: int = 16) -> tuple[list[list[object]], list[list[object]]]:
    """(alliance rows, member rows) in ATOP 5.1's columns."""
    alliances: list[list[object]] = [
        # atopid, cowid, begyr, begmo, begday, endyr, endmo, endday, ineffect, bilat, obligations..., active, milaid
        [1005, "", 1815, 1, 3, 1815, 2, 8, 0, 1, 1, 0, 0, 0, 1, 1, 0],
        [3180, 2205, 1949, 4, 4, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0],
    ]
    members: list[list[object]] = [[1005, 200, 1815, 1, 3, 1815, 2, 8, 1], [1005, 235, 1815, 1, 3, 1815, 2, 8, 1]]
    members += [[3180, code, 1949, 8, 24, 0, 0, 0, 1] for code in NATO_1949]
    members += [[3180, code, year, 2, 18, 0, 0, 0, 1] for code, year in NATO_LATER]
    rng = random.Random(seed)
    for i in range(size):
        aid = 4000 + i
        begyr = rng.randint(1816, 2015)
        ended = rng.random() < 0.6
        endyr = min(2018, begyr + rng.randint(1, 40)) if ended else 0
        obligations = [int(rng.random() < p) for p in (0.5, 0.1, 0.3, 0.3, 0.6)]
        n = rng.choice((2, 2, 2, 3, 3, 4, 5, 8))
        mo, day = (12, 31) if ended else (0, 0)
        alliances.append([aid, "", begyr, 1, 1, endyr, mo, day, int(not ended), int(n == 2), *obligations, 1, 0])
        for code in rng.sample(CODES, n):
            members.append([aid, code, begyr, 1, 1, endyr, mo, day, 1])
    return alliances, members


def write_atop(folder: Path, size: int = 0, *, version: str = "5_1") -> tuple[Path, Path]:
    """(alliance-level file, member-level file) named as ATOP's own: atop5_1a.csv, atop5_1m.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    alliances, members = atop_rows(size)
    a = _write(folder / f"atop{version}a.csv", ATOP_ALLIANCE_COLUMNS, alliances)
    m = _write(folder / f"atop{version}m.csv", ATOP_MEMBER_COLUMNS, members)
    return a, m


def cow_rows(size: int = 0, seed: int = 61) -> list[list[object]]:
    """Member rows in COW 4.1's by-member columns."""

    def row(vid: int, code: int, start: int, end: object, types: tuple[int, ...], all_end: object = "") -> list[object]:
        head = [vid, code, f"State {code}", 1, 1, start, "", "", all_end, 1]
        return [*head, 1, 1, start, "", "", end, 0, 0, *types, 4.1]

    rows = [row(2205, code, 1949, "", (1, 0, 0, 0)) for code in NATO_1949]
    # COW counts NATO's 1949 founders one fewer than ATOP here (Iceland left out): a disagreement.
    rows = [r for r in rows if r[1] != 395]
    rows += [row(1, 200, 1815, 1816, (0, 0, 0, 1), 1816), row(1, 235, 1815, 1816, (0, 0, 0, 1), 1816)]
    rng = random.Random(seed)
    vid = 3000
    while len(rows) < 12 + size:
        vid += 1
        start = rng.randint(1816, 2010)
        end: object = min(2012, start + rng.randint(1, 40)) if rng.random() < 0.6 else ""
        types = (int(rng.random() < 0.5), int(rng.random() < 0.3), int(rng.random() < 0.3), int(rng.random() < 0.5))
        for code in rng.sample(CODES, rng.choice((2, 2, 3, 4, 6))):
            rows.append(row(vid, code, start, end, types, end))
    return rows


def write_cow(folder: Path, size: int = 0) -> Path:
    """COW's by-member file, named as COW's own: alliance_v4.1_by_member.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    return _write(folder / "alliance_v4.1_by_member.csv", COW_MEMBER_COLUMNS, cow_rows(size))


def write_states(folder: Path) -> Path:
    """A piece of COW's state list naming 260, which the library does not know."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [["USA", 2, "United States of America", 1816, 1, 1, 2016, 12, 31, 2016],
            ["GFR", 260, "German Federal Republic", 1955, 5, 5, 1990, 10, 2, 2016]]  # fmt: skip
    return _write(folder / "states2016.csv", STATES_COLUMNS, rows)
