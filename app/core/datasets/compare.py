"""Where linked sources disagree, both values kept side by side: the documents against a dataset
alliance (founding year, a member count at the year the documents' count is about, members the
documents list that the dataset never records), and ATOP against COW for the same alliance
(founding year, member counts at the same years, the defense obligation). Every value carries its
evidence: the quote, or the dataset records ("ATOP 3180, begyr = 1949")."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.datasets.timing import count_time
from app.core.query.views import DatasetCitation, Disagreement, EntityDetail, FactView, Link, Side

Raw = Callable[[str, "dict[str, Any] | None"], Sequence[Sequence[Any]]]
Fetch = Callable[[list[str]], list[EntityDetail]]

# The last year each release covers: ATOP 5.1 codes an alliance still in force on 31 December 2018 with
# yrexit = 0 (coverage 1815-2018, as public projects that use the 5.1 files quote its codebook); COW 4.1
# leaves the end empty for an alliance "still in effect as of 12/31/2012" (the variable descriptions of
# the 4.1 data in the dyadr R package). Another release: the latest year its records give, said so.
RELEASE_END: dict[tuple[str, str], int] = {("ATOP", "5.1"): 2018, ("COW", "4.1"): 2012}

# Obligations compared between ATOP and COW: defense (ATOP "defense", COW "defense"). The other types
# are shown with their records but not set against each other: ATOP's offense and consul and COW's
# entente have no namesake in the other dataset, and whether ATOP's neutral / nonagg and COW's
# neutrality / nonaggression are coded alike was not checked against both codebooks.
COMPARABLE_OBLIGATIONS = (("defense", "defense"),)


@dataclass(frozen=True)
class DatasetEnd:
    year: int
    said: str  # "its end (2018)" / "the latest year in its records (1982)"


def is_dataset_id(entity_id: str) -> bool:
    return entity_id.startswith(("atop-", "cow-"))


def link_pair(a: str, b: str) -> tuple[str, str]:
    """The (entity_id, dataset_id) a same-as row stores for two linked entities: the catalogue
    entity first; of two dataset alliances, the ATOP one first."""
    if is_dataset_id(a) and is_dataset_id(b):
        return (a, b) if a.startswith("atop-") else (b, a)
    return (b, a) if is_dataset_id(a) else (a, b)


# ---- evidence ------------------------------------------------------------------------------------
def _first(detail: EntityDetail, field: str) -> FactView | None:
    return next((f for f in detail.facts if f.field == field and f.value), None)


def _quote(f: FactView) -> str:
    if f.records:
        return "; ".join(r.label for r in f.records)
    if f.citations:
        return f"“{f.citations[0].quote}” ({f.citations[0].document_title})"
    return ""


def _label(detail: EntityDetail) -> str:
    """ "ATOP 5.1": the dataset and release of a dataset alliance's records."""
    for r in detail.records:
        return f"{r.dataset} {r.version}".strip()
    return detail.origin


def _documents(detail: EntityDetail) -> str:
    return "your documents" if detail.origin == "user" else "the documents"


def _record_name(detail: EntityDetail) -> str:
    """ "ATOP 3180": the dataset alliance's citation name."""
    for r in detail.records:
        return f"{r.dataset} {r.record}"
    return detail.id


def _span(link: Link) -> tuple[DatasetCitation | None, DatasetCitation | None]:
    """A membership's entry and exit variables (the second and third it cites: code, entry, exit)."""
    rs = link.records
    return (rs[1] if len(rs) > 1 else None, rs[2] if len(rs) > 2 else None)


def _in_force(d: EntityDetail, year: int) -> set[str]:
    return {
        m.id
        for m in d.members
        if m.start_year is not None and m.start_year <= year and (m.end_year is None or m.end_year >= year)
    }


def _count_at(d: EntityDetail, year: int) -> tuple[int, str]:
    """(members in force in ``year``, the evidence: which variables of which record say so)."""
    n = len(_in_force(d, year))
    spans = [_span(m) for m in d.members if m.start_year is not None]
    start = next((s.field for s, _e in spans if s is not None), "entry year")
    end = next((e.field for _s, e in spans if e is not None), "exit year")
    return n, f"{n} members of {_record_name(d)} with {start} ≤ {year} and no {end} before {year}"


def _count_at_end(d: EntityDetail) -> tuple[int, str]:
    """(members with no exit year: in force at the dataset's end, the evidence)."""
    current = [m for m in d.members if m.start_year is not None and m.end_year is None]
    n = len({m.id for m in current})
    end = next((e for m in current for _s, e in [_span(m)] if e is not None), None)
    how = f"{end.field} = {end.value}" if end is not None and end.value else f"{end.field} empty" if end else ""
    return n, f"{n} members of {_record_name(d)} with no exit year" + (f" ({how})" if how else "")


def _founded(d: EntityDetail) -> tuple[str, str] | None:
    """(the founding year, its evidence): the alliance's own start variable, else its earliest entry."""
    f = _first(d, "founded")
    if f is not None:
        return f.value or "", _quote(f)
    firsts = [m for m in d.members if m.start_year is not None]
    if not firsts:
        return None
    m = min(firsts, key=lambda x: x.start_year or 0)
    start, _end = _span(m)
    return str(m.start_year), start.label if start is not None else ""


# ---- the documents against a dataset --------------------------------------------------------------
def disagreements(catalogue: EntityDetail, dataset: EntityDetail, end: DatasetEnd | None = None) -> list[Disagreement]:
    """The values a catalogue entity and a dataset alliance linked to it as the same give differently."""
    out: list[Disagreement] = []
    label = _label(dataset)
    ours, theirs = _first(catalogue, "founded"), _founded(dataset)
    if ours is not None and theirs is not None and ours.value != theirs[0]:
        out.append(
            Disagreement(
                "Founded",
                dataset.id,
                Side(ours.value or "", _documents(catalogue), _quote(ours)),
                Side(theirs[0], label, theirs[1]),
            )
        )
    stated = _first(catalogue, "member_count")
    if stated is not None:
        out += _count_disagreement(catalogue, dataset, stated, end)
    out += _listed_not_members(catalogue, dataset)
    return out


def _count_disagreement(
    catalogue: EntityDetail, dataset: EntityDetail, stated: FactView, end: DatasetEnd | None
) -> list[Disagreement]:
    """The documents' stated count against the dataset's at the year the quote is about."""
    label = _label(dataset)
    for c in stated.citations or ():
        when = count_time(c.quote)
        if when is not None:
            break
    else:
        return []  # no quote says when the count holds: nothing to compare it with
    ours = Side(stated.value or "", f"{_documents(catalogue)}, {_when_words(when.kind, when.year)}", _quote(stated))
    if when.kind == "now":
        if end is None:
            return []
        n, evidence = _count_at_end(dataset)
        what = f"Members now (documents, no year given) / at {label}'s end ({end.year})"
        theirs = Side(str(n), f"{label}, in force at {end.said}", f"{evidence}; {when.why}")
    else:
        year = when.year
        if when.kind == "founding" and year is None:
            f = _first(catalogue, "founded")
            year = int(f.value) if f is not None and f.value and f.value.isdigit() else dataset.founded
        if year is None:
            return []
        n, evidence = _count_at(dataset, year)
        what = f"Founding members ({year})" if when.kind == "founding" else f"Members in {year}"
        theirs = Side(str(n), f"{label}, in force in {year}", f"{evidence}; {when.why}")
    if str(n) == (stated.value or ""):
        return []
    return [Disagreement(what, dataset.id, ours, theirs)]


def _when_words(kind: str, year: int | None) -> str:
    if kind == "now":
        return "now (no year given)"
    if kind == "founding":
        return f"at founding ({year})" if year else "at founding"
    return f"in {year}"


def _listed_not_members(catalogue: EntityDetail, dataset: EntityDetail) -> list[Disagreement]:
    """Members the documents list that the dataset records in no year (a shorter list is no
    disagreement: the documents may name only some members)."""
    theirs = {m.id for m in dataset.members}
    missing = [m for m in catalogue.members if m.role in ("member", "party") and m.id not in theirs]
    if not missing or not theirs:
        return []
    names = ", ".join(m.name for m in missing)
    first = next((m.citations[0] for m in missing if m.citations), None)
    evidence = f"“{first.quote}” ({first.document_title})" if first is not None else ""
    return [
        Disagreement(
            "Members listed",
            dataset.id,
            Side(names, f"{_documents(catalogue)} list {'it' if len(missing) == 1 else 'them'} as members", evidence),
            Side(
                "not members",
                f"{_label(dataset)}, in no year",
                f"no member row of {_record_name(dataset)} names {'it' if len(missing) == 1 else 'them'}",
            ),
        )
    ]


# ---- ATOP against COW --------------------------------------------------------------------------------
def between_datasets(
    a: EntityDetail,
    b: EntityDetail,
    ends: Mapping[str, DatasetEnd],
    record_value: Callable[[int, str], str | None],
) -> list[Disagreement]:
    """What two dataset alliances linked as the same (ATOP ``a``, COW ``b``) record differently."""
    out: list[Disagreement] = []
    la, lb = _label(a), _label(b)
    fa, fb = _founded(a), _founded(b)
    if fa is not None and fb is not None and fa[0] != fb[0]:
        out.append(Disagreement("Founded", b.id, Side(fa[0], la, fa[1]), Side(fb[0], lb, fb[1])))
    years: dict[int, str] = {}
    if a.founded is not None and b.founded is not None:
        years[max(a.founded, b.founded)] = "the first year both record it"
    end_a, end_b = ends.get(a.id.split("-")[0]), ends.get(b.id.split("-")[0])
    if end_a is not None and end_b is not None:
        last = min(end_a.year, end_b.year)
        if last not in years and _in_force(a, last) and _in_force(b, last):
            years[last] = "the last year both datasets cover"
    for year, why in years.items():
        na, ea = _count_at(a, year)
        nb, eb = _count_at(b, year)
        if na != nb:
            out.append(
                Disagreement(f"Members in {year} ({why})", b.id, Side(str(na), la, ea), Side(str(nb), lb, eb)),
            )
    for ob_a, ob_b in COMPARABLE_OBLIGATIONS:
        va, ca = _obligation(a, ob_a, record_value)
        vb, cb = _obligation(b, ob_b, record_value)
        if va is not None and vb is not None and (va == "1") != (vb == "1"):
            out.append(
                Disagreement(f"Obligation: {ob_a}", b.id, Side(va, la, ca), Side(vb, lb, cb)),
            )
    return out


def _obligation(d: EntityDetail, name: str, record_value: Callable[[int, str], str | None]) -> tuple[str | None, str]:
    """(the value of obligation ``name`` and its citation): the fact when the record says 1, else the
    variable as the alliance's record (or, for COW, its first member row) has it."""
    for f in d.facts:
        if f.field == "obligation" and f.value == name and f.records:
            return f.records[0].value, f.records[0].label
    own = ("founded", "ended", "obligation")
    rows: list[DatasetCitation] = [r for f in d.facts if f.field in own for r in f.records]
    rows += [r for m in d.members for r in m.records[:1]]
    for r in rows:
        value = record_value(r.record_id, name)
        if value is not None:
            return value, f"{r.dataset} {r.record}, {name} = {value}"
    return None, ""


# ---- the repository's entry point ------------------------------------------------------------------
def dataset_ends(raw: Raw, details: Iterable[EntityDetail]) -> dict[str, DatasetEnd]:
    """The last year each imported dataset covers ("atop" -> 2018), for the datasets ``details`` cite."""
    releases: dict[str, tuple[str, str]] = {}
    for d in details:
        for r in d.records:
            releases.setdefault(r.dataset.lower(), (r.dataset, r.version))
    out: dict[str, DatasetEnd] = {}
    for name, release in releases.items():
        known = RELEASE_END.get(release)
        if known is not None:
            out[name] = DatasetEnd(known, f"its end ({known})")
            continue
        row = raw(
            "SELECT max(max(coalesce(founded, 0), coalesce(ended, 0))) FROM user.dataset_entity WHERE dataset = :d",
            {"d": name},
        )
        spans = raw(
            "SELECT max(max(start_year, coalesce(end_year, 0))) FROM user.dataset_fact"
            " WHERE dataset = :d AND start_year IS NOT NULL",
            {"d": name},
        )
        year = max(int(row[0][0] or 0) if row else 0, int(spans[0][0] or 0) if spans else 0)
        if year:
            out[name] = DatasetEnd(year, f"the latest year in its records ({year})")
    return out


def _record_reader(raw: Raw) -> Callable[[int, str], str | None]:
    cache: dict[int, dict[str, str]] = {}

    def value(record_id: int, column: str) -> str | None:
        if record_id not in cache:
            rows = raw("SELECT fields FROM user.dataset_record WHERE id = :id", {"id": record_id})
            cache[record_id] = {str(c).strip().casefold(): str(v) for c, v in json.loads(rows[0][0])} if rows else {}
        return cache[record_id].get(column)

    return value


def with_disagreements(details: list[EntityDetail], *, fetch: Fetch, raw: Raw, as_of: int | None) -> list[EntityDetail]:
    """Each detail with what it and the entities linked to it as the same say differently (and, on a
    catalogue entity linked to an ATOP and a COW alliance that are linked too, what those two say
    differently). Compared on the whole records, whatever As of year the details were read for."""
    linked = {s.id for d in details for s in d.same_as}
    wanted = sorted(linked | ({d.id for d in details} if as_of is not None else set()))
    full = {o.id: o for o in fetch(wanted)}
    ends = dataset_ends(raw, [*full.values(), *details])
    record_value = _record_reader(raw)
    out = []
    for d in details:
        whole = full.get(d.id, d)
        found: list[Disagreement] = []
        pairs: list[tuple[str, str]] = []
        mine = {s.id for s in d.same_as}
        for link in d.same_as:
            pairs.append(link_pair(d.id, link.id))
            if not is_dataset_id(d.id):  # an ATOP and a COW alliance both linked to it, and to each other
                other = full.get(link.id)
                pairs += [link_pair(link.id, s.id) for s in (other.same_as if other else ()) if s.id in mine]
        for first, second in dict.fromkeys(pairs):
            one = whole if first == d.id else full.get(first)
            two = whole if second == d.id else full.get(second)
            if one is None or two is None:
                continue
            if is_dataset_id(first):
                found += between_datasets(one, two, ends, record_value)
            else:
                found += disagreements(one, two, ends.get(second.split("-")[0]))
        out.append(_replace(d, found) if found else d)
    return out


def _replace(d: EntityDetail, found: list[Disagreement]) -> EntityDetail:
    from dataclasses import replace

    return replace(d, disagreements=tuple(found))
