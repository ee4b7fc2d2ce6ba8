"""Reading ATOP and COW files into a plan of what an import writes (the preview), without writing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.datasets.countries import Country, read_states, resolve_countries
from app.core.datasets.formats import (
    ATOP_ALLIANCES,
    ATOP_MEMBERS,
    ATOP_OBLIGATIONS,
    COW_MEMBERS,
    COW_OBLIGATIONS,
    DatasetError,
    Header,
    ImportCancelled,
    Row,
    as_code,
    as_int,
    as_year,
    read_rows,
    version_from_name,
)

DATASETS = {"atop": "ATOP", "cow": "COW"}
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class Record:
    """One row of a dataset file, kept whole (shown without the file)."""

    file: str
    line: int
    record: str  # the record id: atopid or version4id
    fields: tuple[tuple[str, str], ...]  # (column as written, value) in file order


@dataclass(frozen=True)
class Cite:
    """A dataset citation: the record (index into the plan's records), the variable and its value."""

    record: int
    field: str
    value: str


@dataclass(frozen=True)
class PlannedFact:
    field: str  # "member", "obligation", "founded", "ended"
    value: str | None
    target_id: str | None
    start_year: int | None
    end_year: int | None
    cites: tuple[Cite, ...]


@dataclass(frozen=True)
class PlannedAlliance:
    id: str  # "atop-3180"
    record: str  # "3180"
    name: str  # "United States – Canada – United Kingdom and 9 others (1949)"
    founded: int | None
    ended: int | None
    members: tuple[str, ...]  # distinct member entity ids, in order of entry
    facts: tuple[PlannedFact, ...]


@dataclass(frozen=True)
class Skipped:
    row: int  # line in the file
    reason: str  # names the file


@dataclass
class DatasetPlan:
    """What importing these files would write; :meth:`report` is the import report."""

    dataset: str  # "atop" / "cow"
    label: str  # "ATOP" / "COW"
    version: str
    files: tuple[str, ...]
    records: list[Record] = field(default_factory=list)
    alliances: list[PlannedAlliance] = field(default_factory=list)
    countries: dict[int, Country] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def memberships(self) -> int:
        return sum(1 for a in self.alliances for f in a.facts if f.field == "member")

    @property
    def unknown_codes(self) -> list[int]:
        return sorted(c.code for c in self.countries.values() if not c.named_by)

    @property
    def new_countries(self) -> list[Country]:
        return [c for c in self.countries.values() if not c.known]

    def report(self) -> dict[str, Any]:
        """The import report, as ``--json`` prints it."""
        return {
            "dataset": self.label,
            "version": self.version,
            "alliances": len(self.alliances),
            "memberships": self.memberships,
            "countries": len(self.countries),
            "unknown_codes": self.unknown_codes,
            "skipped": [{"row": s.row, "reason": s.reason} for s in self.skipped],
        }


def alliance_name(member_names: list[str], year: int | None) -> str:
    """A name from the members and year, for a dataset that names none: "United Kingdom – Portugal (1815)"."""
    shown = " – ".join(member_names[:3]) if member_names else "No members listed"
    if len(member_names) > 3:
        shown += f" and {len(member_names) - 3} others"
    return f"{shown} ({year})" if year is not None else shown


class _Builder:
    """Collects records and facts while the files are read."""

    def __init__(self, plan: DatasetPlan, cancelled: Cancelled | None) -> None:
        self.plan = plan
        self.cancelled = cancelled

    def record(self, path: Path, header: Header, row: Row, record_id: str) -> int:
        if self.cancelled is not None and row.line % 500 == 0 and self.cancelled():
            raise ImportCancelled("The import was cancelled; nothing was imported.")
        self.plan.records.append(
            Record(path.name, row.line, record_id, tuple(zip(header.columns, row.values, strict=True)))
        )
        return len(self.plan.records) - 1


def _own_fact(field: str, value: str, rec: int, header: Header, row: Row, column: str) -> PlannedFact:
    """A fact about the alliance itself (a year, an obligation), cited to one variable of its record."""
    cite = Cite(rec, header.columns[header.index[column]], row.get(header, column))
    return PlannedFact(field, value, None, None, None, (cite,))


def _membership(
    rec: int, header: Header, row: Row, code_col: str, start_col: str, end_col: str, target: str, span: tuple[Any, Any]
) -> PlannedFact:
    cites = tuple(
        Cite(rec, header.columns[header.index[c]], row.get(header, c)) for c in (code_col, start_col, end_col)
    )
    return PlannedFact("member", None, target, span[0], span[1], cites)


def _finish(
    plan: DatasetPlan, drafts: dict[str, dict[str, Any]], catalogue: Mapping[str, str], states: Path | None
) -> None:
    """Name the countries, then the alliances from their members."""
    codes = {m[0] for d in drafts.values() for m in d["members"]}
    plan.countries = resolve_countries(codes, catalogue, read_states(states) if states else None)
    for rid, d in drafts.items():
        facts: list[PlannedFact] = list(d["facts"])
        order = sorted(range(len(d["members"])), key=lambda i: (d["members"][i][2] or 0, i))
        ids: list[str] = []
        names: list[str] = []
        for i in order:
            code, rec_fact, _start = d["members"][i]
            country = plan.countries[code]
            facts.append(
                PlannedFact("member", None, country.entity_id, rec_fact.start_year, rec_fact.end_year, rec_fact.cites)
            )
            if country.entity_id not in ids:
                ids.append(country.entity_id)
                names.append(country.name)
        founded = d["founded"]
        plan.alliances.append(
            PlannedAlliance(
                f"{plan.dataset}-{rid}",
                rid,
                alliance_name(names, founded),
                founded,
                d["ended"],
                tuple(ids),
                tuple(facts),
            )
        )


def _byte_progress(progress: Progress | None, *paths: Path) -> list[Callable[[int], None] | None]:
    """One "bytes read so far" callback per file, reporting progress(done, total) over all of them."""
    if progress is None:
        return [None] * len(paths)
    report = progress
    sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
    total = max(sum(sizes), 1)

    def make(offset: int) -> Callable[[int], None]:
        return lambda done: report(min(offset + done, total), total)

    return [make(sum(sizes[:i])) for i in range(len(paths))]


def plan_atop(
    alliances: Path,
    members: Path,
    catalogue: Mapping[str, str],
    *,
    states: Path | None = None,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> DatasetPlan:
    version = version_from_name(alliances, "atop") or version_from_name(members, "atop")
    on_bytes = _byte_progress(progress, alliances, members)
    plan = DatasetPlan("atop", "ATOP", version, (alliances.name, members.name))
    b = _Builder(plan, cancelled)
    drafts: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    header, rows = read_rows(alliances, ATOP_ALLIANCES, on_bytes=on_bytes[0])
    for row in rows:
        aid = as_int(alliances, row, header, "atopid")
        if aid is None:
            raise DatasetError(f"{alliances.name}, line {row.line}: atopid is empty.")
        rid = str(aid)
        if rid in first_line:
            plan.skipped.append(
                Skipped(row.line, f"{alliances.name}: atopid {rid} again (first on line {first_line[rid]})")
            )
            continue
        first_line[rid] = row.line
        begyr = as_year(alliances, row, header, "begyr")
        endyr = as_year(alliances, row, header, "endyr", zero_is_none=True)
        rec = b.record(alliances, header, row, rid)
        facts: list[PlannedFact] = []
        if begyr is not None:
            facts.append(_own_fact("founded", str(begyr), rec, header, row, "begyr"))
        if endyr is not None:
            facts.append(_own_fact("ended", str(endyr), rec, header, row, "endyr"))
        for ob in ATOP_OBLIGATIONS:
            if row.get(header, ob) == "1":
                facts.append(_own_fact("obligation", ob, rec, header, row, ob))
        drafts[rid] = {"founded": begyr, "ended": endyr, "facts": facts, "members": []}
    if not drafts:
        raise DatasetError(f"{alliances.name} has a header but no alliances.")
    header, rows = read_rows(members, ATOP_MEMBERS, on_bytes=on_bytes[1])
    seen: dict[tuple[str, int, int | None], int] = {}
    n_rows = 0
    for row in rows:
        n_rows += 1
        aid = as_int(members, row, header, "atopid")
        code = as_code(members, row, header, "member")
        start = as_year(members, row, header, "yrent")
        if start is None:
            raise DatasetError(f"{members.name}, line {row.line}: yrent is empty; every membership has an entry year.")
        end = as_year(members, row, header, "yrexit", zero_is_none=True)
        rid = str(aid)
        if rid not in drafts:
            plan.skipped.append(Skipped(row.line, f"{members.name}: atopid {rid} is not in {alliances.name}"))
            continue
        key = (rid, code, start)
        if key in seen:
            plan.skipped.append(Skipped(row.line, f"{members.name}: the same membership as line {seen[key]}"))
            continue
        seen[key] = row.line
        rec = b.record(members, header, row, rid)
        fact = _membership(rec, header, row, "member", "yrent", "yrexit", "", (start, end))
        drafts[rid]["members"].append((code, fact, start))
    if n_rows == 0:
        raise DatasetError(f"{members.name} has a header but no memberships.")
    _finish(plan, drafts, catalogue, states)
    return plan


def plan_cow(
    members: Path,
    catalogue: Mapping[str, str],
    *,
    states: Path | None = None,
    cancelled: Cancelled | None = None,
    progress: Progress | None = None,
) -> DatasetPlan:
    plan = DatasetPlan("cow", "COW", version_from_name(members, "cow"), (members.name,))
    b = _Builder(plan, cancelled)
    header, rows = read_rows(members, COW_MEMBERS, on_bytes=_byte_progress(progress, members)[0])
    drafts: dict[str, dict[str, Any]] = {}
    seen: dict[tuple[str, int, int], int] = {}
    has_all_start = "all_st_year" in header.index
    has_all_end = "all_end_year" in header.index
    has_version = "version" in header.index
    for row in rows:
        vid = as_int(members, row, header, "version4id")
        if vid is None:
            raise DatasetError(f"{members.name}, line {row.line}: version4id is empty.")
        code = as_code(members, row, header, "ccode")
        start = as_year(members, row, header, "mem_st_year")
        if start is None:
            raise DatasetError(f"{members.name}, line {row.line}: mem_st_year is empty; every membership has a start.")
        end = as_year(members, row, header, "mem_end_year")
        rid = str(vid)
        key = (rid, code, start)
        if key in seen:
            plan.skipped.append(Skipped(row.line, f"{members.name}: the same membership as line {seen[key]}"))
            continue
        seen[key] = row.line
        if not plan.version and has_version:
            plan.version = row.get(header, "version")
        rec = b.record(members, header, row, rid)
        d = drafts.setdefault(rid, {"founded": None, "ended": None, "facts": [], "members": [], "obligations": set()})
        if not d["facts"]:
            # The alliance's own dates, from its first row (the same on every row of the alliance).
            all_start = as_year(members, row, header, "all_st_year") if has_all_start else None
            all_end = as_year(members, row, header, "all_end_year") if has_all_end else None
            if all_start is not None:
                d["founded"] = all_start
                d["facts"].append(_own_fact("founded", str(all_start), rec, header, row, "all_st_year"))
            if all_end is not None:
                d["ended"] = all_end
                d["facts"].append(_own_fact("ended", str(all_end), rec, header, row, "all_end_year"))
        # Without the alliance's own dates, it is in force from its first membership (cited there).
        if not has_all_start and (d["founded"] is None or start < d["founded"]):
            d["founded"] = start
        for ob in COW_OBLIGATIONS:
            if ob not in d["obligations"] and row.get(header, ob) == "1":
                d["obligations"].add(ob)
                d["facts"].append(_own_fact("obligation", ob, rec, header, row, ob))
        fact = _membership(rec, header, row, "ccode", "mem_st_year", "mem_end_year", "", (start, end))
        d["members"].append((code, fact, start))
    if not drafts:
        raise DatasetError(f"{members.name} has a header but no memberships.")
    _finish(plan, drafts, catalogue, states)
    return plan
