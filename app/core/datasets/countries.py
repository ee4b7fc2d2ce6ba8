"""COW country codes to countries: names from the ``countrycode`` package (or the user's COW state
list), matched to the catalogue's countries by name; unknown codes kept as "COW 260"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.core.datasets.formats import COW_STATES, DatasetError, as_code, read_rows


@dataclass(frozen=True)
class Country:
    """What one COW code became."""

    code: int
    name: str  # the name shown ("United States", "Bavaria", "COW 260")
    entity_id: str  # an existing catalogue country ("united-states") or a new one ("ccode-260")
    known: bool  # the catalogue already has it (matched by name)
    named_by: str  # "countrycode", "states file" or "" (unknown code)


def library_names(codes: Iterable[int]) -> dict[int, str]:
    """Names the countrycode package gives COW codes (``cown`` to English names); unknown codes left out."""
    import countrycode  # imported here: it loads its code table (~0.3 s) only when a dataset is read

    wanted = sorted(set(codes))
    if not wanted:
        return {}
    names = countrycode.countrycode(wanted, origin="cown", destination="country.name.en")
    return {code: str(name) for code, name in zip(wanted, names, strict=True) if name}


def read_states(path: Path) -> dict[int, str]:
    """COW's state list (``states2016.csv``: ccode, statenme, ...): code -> name."""
    header, rows = read_rows(path, COW_STATES)
    out: dict[int, str] = {}
    for row in rows:
        code = as_code(path, row, header, "ccode")
        name = row.get(header, "statenme")
        if not name:
            raise DatasetError(f"{path.name}, line {row.line}: statenme is empty.")
        out.setdefault(code, name)
    return out


def resolve_countries(
    codes: Iterable[int],
    catalogue: Mapping[str, str],
    states: Mapping[int, str] | None = None,
) -> dict[int, Country]:
    """Each code's country. ``catalogue`` maps casefolded names and aliases of the catalogue's
    countries to their ids; a name found there is that country, otherwise a new ``ccode-N`` one."""
    wanted = sorted(set(codes))
    named = library_names(wanted)
    out: dict[int, Country] = {}
    for code in wanted:
        name, by = named.get(code), "countrycode"
        if name is None and states and code in states:
            name, by = states[code], "states file"
        if name is None:
            out[code] = Country(code, f"COW {code}", f"ccode-{code}", False, "")
            continue
        eid = catalogue.get(name.casefold())
        out[code] = Country(code, name, eid or f"ccode-{code}", eid is not None, by)
    return out
