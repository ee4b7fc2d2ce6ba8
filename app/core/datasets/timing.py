"""When a stated member count holds, from its quote alone: at founding, in a year, or now (or unknown).

The documents state counts such as "It includes 31 countries" (present tense, no year: the time of
writing), "12 founding members in 1949" or "by 1990 it had 16 members". A count is compared with a
dataset only at the year its quote is about; a quote that says nothing about when is not compared.
Nothing here guesses beyond the words of the quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FOUNDING = re.compile(
    r"\b(?:founding|founder|original|initial|first)\s+(?:members?|signator(?:y|ies)|states?|countries|nations|parties)\b"
    r"|\bat (?:its|the) (?:founding|creation|establishment|inception|signing)\b"
    r"|\bwhen (?:it was )?(?:founded|established|created|formed|signed)\b"
    r"|\bfounded (?:by|with)\b|\binitially\b",
    re.IGNORECASE,
)
_NOW = re.compile(r"\b(?:now|today|currently|presently|at present|nowadays)\b", re.IGNORECASE)
_AT_YEAR = re.compile(r"\b(?:in|by|as of|as at)\s+(1[5-9]\d\d|20\d\d)\b", re.IGNORECASE)
# "founded in 1949" dates the alliance, not the count.
_DATES_FOUNDING = re.compile(
    r"(?:founded|established|created|formed|signed|set up|launched|began|started)\s*,?\s*$", re.IGNORECASE
)
_ANY_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_PRESENT = re.compile(
    r"\b(?:has|have|includes?|comprises?|consists? of|counts|numbers|is made up of|are made up of|brings together"
    r"|unites|is composed of|encompasses|spans)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CountTime:
    """When a stated count holds: ``kind`` "founding", "year" or "now"; ``year`` where the quote
    gives one; ``why`` says which words of the quote tell it."""

    kind: str
    year: int | None
    why: str


def count_time(quote: str) -> CountTime | None:
    """When the count in ``quote`` holds, or None when the quote does not say."""
    m = _FOUNDING.search(quote)
    if m:
        y = _ANY_YEAR.search(quote)
        return CountTime("founding", int(y.group(1)) if y else None, f"the quote says “{m.group(0)}”")
    m = _NOW.search(quote)
    if m:
        return CountTime("now", None, f"the quote says “{m.group(0)}” and gives no year")
    for m in _AT_YEAR.finditer(quote):
        if not _DATES_FOUNDING.search(quote[: m.start()]):
            return CountTime("year", int(m.group(1)), f"the quote says “{m.group(0)}”")
    m = _PRESENT.search(quote)
    if m:
        return CountTime("now", None, f"the quote is in the present tense (“{m.group(0)}”) and gives no year")
    return None
