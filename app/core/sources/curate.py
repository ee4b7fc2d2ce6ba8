"""The catalogue's rules, applied to the user's own facts: a quote is verbatim in its document, a
year appears in its quote, a member or party is named in its quote. A breach is refused with a
message naming the rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.errors import AtlasError
from app.core.reference.catalog import name_pattern, quote_pattern
from app.core.sources.mentions import country_variants

USER_FIELDS = (
    "description",
    "founded",
    "ended",
    "member",
    "party",
    "partner",
    "part_of",
    "activity",
    "category",
    "region",
)
RELATIONS = ("member", "party", "partner", "part_of")
RULE_VERBATIM = "a quote must be verbatim in its document"
RULE_YEAR = "a year must appear in its quote"
RULE_MEMBER = "a member or party must be named in its quote"
RULE_VALUE = "a region must be named in its quote"


class CurationRefused(AtlasError):
    """A user fact that breaks one of the catalogue's rules (the message names the rule)."""


@dataclass(frozen=True)
class Located:
    start: int
    end: int
    quote: str  # the document's own text over the span


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def locate(doc_text: str, quote: str, doc_title: str, *, near: int | None = None) -> Located:
    """Where ``quote`` is in the document (typographic quotes and whitespace may differ); refused
    when it is not there or spans two paragraphs. ``near``: prefer the occurrence at that offset."""
    if not quote.strip():
        raise CurationRefused(f"Refused ({RULE_VERBATIM}): the quote is empty.")
    matches = list(quote_pattern(quote.strip()).finditer(doc_text))
    if not matches:
        raise CurationRefused(f"Refused ({RULE_VERBATIM}): “{_short(quote)}” is not in {doc_title}.")
    m = min(matches, key=lambda x: abs(x.start() - near)) if near is not None else matches[0]
    found = m.group(0)
    if "\n\n" in found or re.search(r"\n\s*\n", found):
        raise CurationRefused(f"Refused ({RULE_VERBATIM}): the quote spans two paragraphs of {doc_title}.")
    return Located(m.start(), m.end(), found)


def check_year(year: str, quote: str) -> None:
    if not re.fullmatch(r"\d{1,4}", year or ""):
        raise CurationRefused(f"Refused: '{year}' is not a year (give four digits, e.g. 1951).")
    if not re.search(rf"(?<!\d){re.escape(year)}(?!\d)", quote):
        raise CurationRefused(f"Refused ({RULE_YEAR}): {year} is not in “{_short(quote)}”.")


def names_for(name: str, aliases: tuple[str, ...] | list[str], kind: str) -> list[str]:
    names = [name, *aliases]
    if kind == "country":
        names += list(country_variants(name))
    return names


def check_named(target_name: str, names: list[str], quote: str, field: str = "member") -> None:
    if not any(name_pattern(n, ignore_case=True).search(quote) for n in names if n.strip()):
        rule = (
            RULE_MEMBER if field in ("member", "party") else f"a {field.replace('_', ' ')} must be named in its quote"
        )
        raise CurationRefused(f"Refused ({rule}): {target_name} is not named in “{_short(quote)}”.")


def check_value(field: str, value: str, quote: str) -> None:
    """A region is named in its quote; a category or activity needs only its quote to exist."""
    if field == "region" and not re.search(rf"(?<!\w){re.escape(value)}(?!\w)", quote, re.IGNORECASE):
        raise CurationRefused(f"Refused ({RULE_VALUE}): {value} is not in “{_short(quote)}”.")
