"""The dataset files: which columns each holds, how they are recognised by name, and reading their rows.

Three files are understood (the names of the current releases in brackets):

* ATOP alliance level (``atop5_1a.csv``): one row per alliance, ``atopid``, ``begyr``, ``endyr`` and
  the obligations ``defense``, ``offense``, ``neutral``, ``nonagg``, ``consul``;
* ATOP member level (``atop5_1m.csv``): one row per member and phase, ``atopid``, ``member`` (a COW
  country code), ``yrent``, ``yrexit`` (0: still a member at the dataset's end);
* COW formal alliances by member (``alliance_v4.1_by_member.csv``): ``version4id``, ``ccode``,
  ``mem_st_year``, ``mem_end_year`` (empty: in force at the dataset's end) and the types
  ``defense``, ``neutrality``, ``nonaggression``, ``entente``.

Column names are matched ignoring case and surrounding spaces (the Stata releases write some in
capitals). Missing required columns are refused, naming them. The real files carry many more
variables (ATOP has over a hundred provisions): those are kept in the stored record, untouched. A
column that belongs to another of these files (the two ATOP files swapped, a COW file given as ATOP,
COW's dyad-level file) is refused, naming it and saying which file it looks like.

Supported releases: ATOP 5.1 and COW Formal Alliances 4.1 (another release is read when it has
these columns). Where the names were checked against the releases (see each format below), and what is
accepted besides: the names this module accepted before the check (``ccode`` for ATOP's ``member``,
``statename``/``state_name`` for the state list's ``statenme``) are still accepted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import AtlasError

# The real files are a few MB at most (ATOP's member file about 1 MB); anything far larger is not one
# of them, and reading it would only keep the user waiting.
MAX_BYTES = 50 * 1024 * 1024
FIRST_YEAR, LAST_YEAR = 1500, 2200


class DatasetError(AtlasError):
    """A dataset file cannot be imported; the message names the file, and the row where there is one."""


class ImportCancelled(DatasetError):
    """The user cancelled the import; nothing was written."""


@dataclass(frozen=True)
class FileFormat:
    """What one kind of dataset file holds."""

    key: str  # "atop-alliances", "atop-members", "cow-members"
    title: str  # for messages: "ATOP's alliance-level file (atop5_1a.csv)"
    option: str  # the command-line option that takes it
    required: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()  # (variant name, name used here)
    tolerated: tuple[str, ...] = ()  # columns another file has too, which this one may also carry


# ATOP's obligations: defense, offense, neutral, nonagg, consul are ATOP 5.1's own names (the
# peacesciencer package's data-raw/atop_alliance.R reads them from ATOP 5.1's dyad-year file, and
# scripts that read atop5_1m.csv select "defense" from it). COW's: defense, neutrality, nonaggression,
# entente are COW 4.1's (peacesciencer data-raw/cow_alliance.R, "defense:entente" of the 4.1 files).
ATOP_OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
COW_OBLIGATIONS = ("defense", "neutrality", "nonaggression", "entente")

# ATOP 5.1 alliance level (atop5_1a.csv): atopid, begyr, endyr. A public importer of the 5.1 CSV release
# on GitHub reads atopid, cowid, begyr, begmo, begday, endyr, endmo, endday, ineffect, bilat and the
# obligations from it; no second independent public source was found for begyr/endyr, so if a release
# names them otherwise the refusal names the missing column (and nothing is imported).
ATOP_ALLIANCES = FileFormat(
    "atop-alliances",
    "ATOP's alliance-level file (atop5_1a.csv)",
    "--alliances",
    ("atopid", "begyr", "endyr", *ATOP_OBLIGATIONS),
)
# ATOP 5.1 member level (atop5_1m.csv): atopid, member, yrent, moent, dayent, yrexit, moexit, dayexit,
# phase, and each member's obligations: confirmed by public scripts that download ATOP 5.1's CSV zip
# and read atop5_1m.csv (selecting member, yrent, moent, dayent, yrexit, moexit, dayexit, defense; and
# atopid, member, yrent, yrexit), which also note that yrexit = 0 means "still valid on 31 December
# 2018". ``ccode`` (what was accepted before the check) is still read as ``member``. The member-level
# file may repeat alliance-level variables (begyr, endyr): tolerated, not taken for a swapped file.
ATOP_MEMBERS = FileFormat(
    "atop-members",
    "ATOP's member-level file (atop5_1m.csv)",
    "--members",
    ("atopid", "member", "yrent", "yrexit"),
    aliases=(("ccode", "member"),),
    tolerated=("begyr", "endyr"),
)
# COW Formal Alliances 4.1 by member (alliance_v4.1_by_member.csv): version4id, ccode, state_name,
# all_st_day, all_st_month, all_st_year, all_end_day, all_end_month, all_end_year, ss_type, mem_st_day,
# mem_st_month, mem_st_year, mem_end_day, mem_end_month, mem_end_year, left_censor, right_censor,
# defense, neutrality, nonaggression, entente, version: the header as two independent public projects
# load it (an SQL schema for the 4.1 files and a Python importer of version4.1_csv.zip). The codebook:
# an empty end means "still in effect as of 12/31/2012". The dyad-level file (dyad_st_year, ccode1,
# ccode2) is refused with a pointer to the by-member file.
COW_MEMBERS = FileFormat(
    "cow-members",
    "COW's alliances-by-member file (alliance_v4.1_by_member.csv)",
    "--members",
    ("version4id", "ccode", "mem_st_year", "mem_end_year", *COW_OBLIGATIONS),
)
# COW's state list (states2016.csv): stateabb, ccode, statenme, styear, ... (the COW state system
# membership list); statename / state_name are accepted too.
COW_STATES = FileFormat(
    "cow-states",
    "COW's state list (states2016.csv)",
    "--states",
    ("ccode", "statenme"),
    aliases=(("statename", "statenme"), ("state_name", "statenme")),
)

# Columns that only another file has: seeing one means the wrong file was given.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "atop-alliances": ("begyr", "endyr"),
    "atop-members": ("member", "yrent", "yrexit"),
    "cow-members": ("version4id", "mem_st_year", "mem_end_year"),
    "cow-dyads": ("ccode1", "ccode2", "dyad_st_year"),
    "cow-states": ("statenme", "stateabb"),
}
_FILE_TITLES = {
    "atop-alliances": ATOP_ALLIANCES.title,
    "atop-members": ATOP_MEMBERS.title,
    "cow-members": COW_MEMBERS.title,
    "cow-dyads": "COW's dyad-level file (use alliance_v4.1_by_member.csv instead)",
    "cow-states": COW_STATES.title,
}


def looks_like(columns: set[str]) -> str | None:
    """Which known file a set of (normalised) column names belongs to, if any."""
    best, hits = None, 0
    for key, sig in _SIGNATURES.items():
        n = sum(1 for c in sig if c in columns)
        if n > hits:
            best, hits = key, n
    return best


def normalise(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().strip('"').casefold()


@dataclass(frozen=True)
class Header:
    """A file's columns as written and where each needed column is."""

    columns: tuple[str, ...]  # as written in the file
    index: dict[str, int]  # needed name -> position


def recognise(fmt: FileFormat, raw: list[str], path: Path) -> Header:
    """Match the header row against ``fmt``: refuse a file from another format or one missing columns."""
    names = [normalise(c) for c in raw]
    aliases = dict(fmt.aliases)
    index: dict[str, int] = {}
    for i, n in enumerate(names):
        key = n if n in fmt.required else aliases.get(n, n)
        index.setdefault(key, i)
    present = set(index)
    foreign = [
        c
        for key, sig in _SIGNATURES.items()
        if key != fmt.key
        for c in sig
        if c in present and c not in fmt.required and c not in fmt.tolerated
    ]
    missing = [c for c in fmt.required if c not in index]
    if foreign and missing:
        other = looks_like(present)
        title = _FILE_TITLES.get(other or "", "another file")
        raise DatasetError(
            f"{path.name} is not {fmt.title}: it has the columns {', '.join(dict.fromkeys(foreign))}, "
            f"which {title} has, and lacks {', '.join(missing)}. Check which file goes with {fmt.option}."
        )
    if missing:
        raise DatasetError(
            f"{path.name} is not {fmt.title}: the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} {'are' if len(missing) > 1 else 'is'} missing (found: {', '.join(raw[:12])}"
            f"{', …' if len(raw) > 12 else ''})."
        )
    if foreign:
        raise DatasetError(
            f"{path.name} has unexpected columns for {fmt.title}: {', '.join(dict.fromkeys(foreign))} "
            f"(columns of {_FILE_TITLES.get(looks_like(set(foreign)) or '', 'another file')})."
        )
    return Header(tuple(c.strip().lstrip("\ufeff") for c in raw), index)


@dataclass(frozen=True)
class Row:
    """One data row: its line number in the file and its values (as many as the header has columns)."""

    line: int
    values: tuple[str, ...]

    def get(self, header: Header, name: str) -> str:
        return self.values[header.index[name]].strip()


def check_file(path: Path) -> int:
    """The file's size, or a DatasetError saying why it cannot be a dataset file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DatasetError(f"{path} does not exist.") from None
    except OSError as exc:
        raise DatasetError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if path.is_dir():
        raise DatasetError(f"{path} is a folder, not a dataset file.")
    if size == 0:
        raise DatasetError(f"{path.name} is empty (0 bytes).")
    if size > MAX_BYTES:
        raise DatasetError(
            f"{path.name} is {size / 1024 / 1024:.0f} MB; the ATOP and COW files are a few MB at most, "
            "so this is not one of them (nothing was read)."
        )
    return size


def read_rows(
    path: Path,
    fmt: FileFormat,
    *,
    on_bytes: Callable[[int], None] | None = None,
) -> tuple[Header, Iterator[Row]]:
    """The header (recognised against ``fmt``) and an iterator over the data rows, streamed.

    A row with fewer or more values than the header has columns raises a DatasetError naming its
    line; blank lines are passed over. ``on_bytes`` is told how far into the file reading is."""
    check_file(path)
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise DatasetError(f"{path.name} cannot be read: {exc.strerror or exc}.") from None
    head = raw.read(4096)
    if b"\x00" in head:
        raw.close()
        raise DatasetError(f"{path.name} is not a text (CSV) file.")
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        text.close()
        raise DatasetError(f"{path.name}, line 1: {exc}.") from None
    if first is None or not any(c.strip() for c in first):
        text.close()
        raise DatasetError(f"{path.name} has no header row (the first line is empty).")
    header = recognise(fmt, first, path)
    width = len(first)

    def rows() -> Iterator[Row]:
        try:
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise DatasetError(f"{path.name}, line {reader.line_num}: {exc}.") from None
                line = reader.line_num
                if not values or not any(v.strip() for v in values):
                    continue
                if len(values) < width:
                    raise DatasetError(
                        f"{path.name}, line {line}: {len(values)} values for {width} columns (a truncated row?)."
                    )
                if len(values) > width:
                    raise DatasetError(f"{path.name}, line {line}: {len(values)} values for {width} columns.")
                if on_bytes is not None and line % 200 == 0:
                    on_bytes(raw.tell())
                yield Row(line, tuple(values))
        finally:
            text.close()

    return header, rows()


_INT = re.compile(r"^[+-]?\d+(\.0*)?$")


def as_int(path: Path, row: Row, header: Header, name: str) -> int | None:
    """The integer in column ``name`` (empty -> None); anything else is a DatasetError naming the row."""
    value = row.get(header, name)
    if value == "" or value.upper() in ("NA", "."):
        return None
    if not _INT.match(value):
        raise DatasetError(f"{path.name}, line {row.line}: {name} is '{value[:40]}', not a whole number.")
    return int(float(value))


def as_year(path: Path, row: Row, header: Header, name: str, *, zero_is_none: bool = False) -> int | None:
    """A year in column ``name``; empty (or 0 where the codebook says so) -> None."""
    value = as_int(path, row, header, name)
    if value is None or (zero_is_none and value == 0):
        return None
    if value < 0 and name in ("yrexit", "mem_end_year", "endyr", "all_end_year"):
        return None  # the codebooks' missing-value codes (-9) on an end year: no end recorded
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise DatasetError(
            f"{path.name}, line {row.line}: {name} is {value}, not a year (a value in the wrong column?)."
        )
    return value


def as_code(path: Path, row: Row, header: Header, name: str) -> int:
    """A COW country code (2..999) in column ``name``."""
    value = as_int(path, row, header, name)
    if value is None:
        raise DatasetError(f"{path.name}, line {row.line}: {name} is empty; a COW country code is needed.")
    if not 1 <= value <= 999:
        raise DatasetError(
            f"{path.name}, line {row.line}: {name} is {value}, not a COW country code (1–999; "
            "a year or an id in the wrong column?)."
        )
    return value


def version_from_name(path: Path, dataset: str) -> str:
    """The release a file's name says ("atop5_1m.csv" -> "5.1", "alliance_v4.1_by_member.csv" -> "4.1")."""
    name = path.name.casefold()
    pattern = r"atop[ _-]?v?(\d+)[._](\d+)" if dataset == "atop" else r"v(\d+)[._](\d+)"
    m = re.search(pattern, name)
    return f"{m.group(1)}.{m.group(2)}" if m else ""
