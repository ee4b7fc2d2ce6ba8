"""Citation numbers of the PDF summary: numbered in reading order, each linked to its source and back."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.exports.typst_markup import go, text
from app.core.query.repository import Citation


class Citations:
    """Numbers citations in reading order; the same passage cited twice keeps its first number."""

    def __init__(self) -> None:
        self.prefix = ""
        self.numbers: dict[tuple[str, int, int], int] = {}
        self.items: list[Citation] = []
        self.first_cited: dict[int, str] = {}  # number -> label of the entity section that first cites it
        self.section = ""  # the label of the entity being written
        self.every: set[tuple[str, int, int]] = set()  # every passage cited anywhere (not reset)

    def numbers_for(self, citations: Sequence[Citation]) -> tuple[int, ...]:
        nums: set[int] = set()
        for c in citations:
            key = (c.document_id, c.start, c.end)
            self.every.add(key)
            if key not in self.numbers:
                self.items.append(c)
                self.numbers[key] = len(self.items)
            nums.add(self.numbers[key])
        return tuple(sorted(nums))

    def mark(self, nums: Sequence[int]) -> str:
        """``[1, 3]``: each number a link to its source, whose number links back to the section of
        the entity that first cites it. (A label on each first mark would take it back to the very
        line, at the cost of one more located element per source: a 1,000-entity summary has 5,000.)"""
        if not nums:
            return ""
        for n in nums:
            self.first_cited.setdefault(n, self.section)
        if len(nums) == 1:  # the common case: the brackets in the link, one text (a fifth less of Typst's time)
            return f'~#c1({go(f"{self.prefix}s{nums[0]}")}, "[{nums[0]}]");'
        return "~#cm(" + ", ".join(f"[#link({go(f'{self.prefix}s{n}')})[{n}]]" for n in nums) + ");"

    def reset(self, prefix: str) -> None:
        """Handouts: each entity numbers its own sources from 1, so a page stands alone."""
        self.prefix = prefix
        self.numbers.clear()
        self.items.clear()
        self.first_cited.clear()

    def sources(self, documents: dict[str, str]) -> list[tuple[str | None, str]]:
        """Each source entry's markup, with the label its back link marks (None: no back link)."""
        out: list[tuple[str | None, str]] = []
        for c in self.items:
            n = self.numbers[(c.document_id, c.start, c.end)]
            title = documents.get(c.document_id) or c.document_title or c.file_name
            section = f", section “{text(c.section)}”" if c.section else ""
            where = self.first_cited.get(n)
            # The back link also marks where this source is: links to it go here (see pdf_links).
            # Bold type, not strong emphasis: a label, and no tag element more for each of 5,000 entries.
            number = f'text(weight: 700, "[{n}]")'
            back = f"#link({go(where, f'{self.prefix}s{n}')}, {number})" if where else f"#{number};"
            out.append(
                (
                    f"{self.prefix}s{n}" if where else None,
                    f"#source[{back} “{text(c.quote)}” — #emph[{text(title)}]{section}"
                    f" #text(fill: muted)[({text(c.file_name)})]]",
                )
            )
        return out
