"""A PDF part as Typst wrote it, indexed without an object model: its objects, pages, places, and tail.

:mod:`pdf_merge` joins such parts. Typst writes every object plainly (a classic cross-reference
table, no object streams), one resource dictionary per page, and a tag tree whose top elements
follow the reading order; this module relies on that and says so (:class:`MergeError`) if not.

A part may end with pages the next part sets again (``report_pdf``: a continuous summary is cut
where a page begins with one of its pieces, and that is known only once the part is set): its
:func:`tail` is what belongs to those pages only (the pages, their contents, resources, links and
parent-tree entries, and the top tag elements that begin on them, with all their descendants).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.core.exports.pdf_links import _ANCHOR, _RECT, _TARGET

_XREF_SECTION = re.compile(rb"(\d+) (\d+)[ \r]*\n((?:\d{10} \d{5} [nf][ \r]*\n)*)")
_XREF_ENTRY = re.compile(rb"(\d{10}) \d{5} ([nf])")
_DICT_EDGE = re.compile(rb"<<|>>")
_REF = re.compile(rb"(\d+) 0 R")
_NAME_REF = re.compile(rb"\(((?:[^()\\]|\\.)*)\)(\d+) 0 R")
_NUM_REF = re.compile(rb"(\d+) (\d+) 0 R")
_ANNOTS = re.compile(rb"/Annots\[([\d R]*)\]")
_KIDS = re.compile(rb"/K\[([^\]]*)\]|/K (\d+) 0 R")
_FIRST = re.compile(rb"\s*(?:(\d+) 0 R|(\d+)|<<[^>]*?/Pg (\d+) 0 R)")
_PG = re.compile(rb"/Pg (\d+) 0 R")


class MergeError(RuntimeError):
    """A part is not laid out as this module expects (a Typst change): a bug to fix."""


@dataclass
class Part:
    """One PDF as Typst wrote it, indexed (nothing copied)."""

    data: bytes
    spans: dict[int, tuple[int, int]]  # object -> (start, end) of its bytes
    size: int
    root: int
    info: int | None
    file_id: bytes
    pages: list[int] = field(default_factory=list)
    page_height: float = 0.0

    def obj(self, n: int) -> bytes:
        """Object ``n`` after its ``N 0 obj`` line, up to its ``endobj``."""
        start, end = self.spans[n]
        body = self.data[start:end]
        return body[body.index(b" obj\n") + 5 : body.rindex(b"endobj")].rstrip(b"\n")

    def split(self, n: int) -> tuple[bytes, bytes]:
        """Object ``n``'s dictionary (or array, or value), and its stream part (or b"")."""
        body = self.obj(n)
        cut = body.find(b"\nstream\n")
        return (body, b"") if cut < 0 else (body[:cut], body[cut:])

    def dict_of(self, n: int) -> bytes:
        return self.split(n)[0]

    def stream_of(self, n: int) -> bytes:
        rest = self.split(n)[1]
        return rest[8 : rest.rindex(b"\nendstream")]


def parse(pdf: bytes) -> Part:
    """Index a PDF written by Typst: its objects, trailer and pages in order."""
    start = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])
    if not pdf.startswith(b"xref", start):
        raise MergeError("not a classic cross-reference table")
    trailer_at = pdf.index(b"trailer", start)
    offsets: dict[int, int] = {}
    for sub in _XREF_SECTION.finditer(pdf, start + 4, trailer_at):
        first = int(sub.group(1))
        for k, (offset, kind) in enumerate(_XREF_ENTRY.findall(sub.group(3))):
            if kind == b"n":
                offsets[first + k] = int(offset)
    trailer = pdf[trailer_at : pdf.index(b"startxref", trailer_at)]
    size = int(re.search(rb"/Size (\d+)", trailer).group(1))  # type: ignore[union-attr]
    root = int(re.search(rb"/Root (\d+) 0 R", trailer).group(1))  # type: ignore[union-attr]
    info_m = re.search(rb"/Info (\d+) 0 R", trailer)
    id_m = re.search(rb"/ID(\[[^\]]*\])", trailer)
    order = sorted(offsets, key=offsets.__getitem__)
    ends = [offsets[n] for n in order[1:]] + [start]
    spans = {n: (offsets[n], end) for n, end in zip(order, ends, strict=True)}
    part = Part(pdf, spans, size, root, int(info_m.group(1)) if info_m else None, id_m.group(1) if id_m else b"")
    catalog = part.dict_of(root)
    pages_root = _ref(catalog, b"/Pages")
    part.pages = _page_list(part, pages_root)
    if any(_ref(part.dict_of(p), b"/Parent") != pages_root for p in part.pages):
        raise MergeError("a page tree with intermediate nodes")
    box = re.search(rb"/MediaBox\[([-\d. ]+)\]", part.dict_of(part.pages[0])) if part.pages else None
    part.page_height = float(box.group(1).split()[3]) if box else 0.0
    return part


def _ref(d: bytes, key: bytes) -> int:
    m = re.search(re.escape(key) + rb" (\d+) 0 R", d)
    if m is None:
        raise MergeError(f"no {key.decode()} reference")
    return int(m.group(1))


def _page_list(part: Part, node: int) -> list[int]:
    d = part.dict_of(node)
    if b"/Type/Pages" not in d:
        return [node]
    kids = re.search(rb"/Kids\[([\d R]*)\]", d)
    out: list[int] = []
    for n in _REF.findall(kids.group(1) if kids else b""):
        out += _page_list(part, int(n))
    return out


def _inline(d: bytes, key: bytes) -> bytes:
    """The ``<<…>>`` value of ``key`` in ``d`` (balanced), or b""."""
    at = d.find(key + b"<<")
    if at < 0:
        return b""
    depth = 0
    for m in _DICT_EDGE.finditer(d, at + len(key)):
        depth += 1 if m.group() == b"<<" else -1
        if depth == 0:
            return d[at + len(key) : m.end()]
    raise MergeError(f"unbalanced {key.decode()}")


def destinations(part: Part) -> dict[str, tuple[int, float]]:
    """Each named destination (our heading labels): (page index in the part, points from the top)."""
    names = _inline(_inline(part.dict_of(part.root), b"/Names"), b"/Dests")
    index = {p: i for i, p in enumerate(part.pages)}
    out: dict[str, tuple[int, float]] = {}
    for name, obj in _NAME_REF.findall(names):
        m = re.match(rb"\[(\d+) 0 R/XYZ [-\d.]+ ([-\d.]+)", part.dict_of(int(obj)))
        if m is not None and int(m.group(1)) in index:
            out[name.decode("latin-1")] = (index[int(m.group(1))], part.page_height - float(m.group(2)))
    return out


def _outline_objects(part: Part, catalog: bytes) -> set[int]:
    m = re.search(rb"/Outlines (\d+) 0 R", catalog)
    if m is None:
        return set()
    seen: set[int] = set()
    todo = [int(m.group(1))]
    while todo:
        n = todo.pop()
        if n in seen or n not in part.spans:
            continue
        seen.add(n)
        d = part.dict_of(n)
        todo += [int(x) for x in re.findall(rb"/(?:First|Next) (\d+) 0 R", d)]
    return seen


def _annotations(part: Part) -> Iterator[tuple[int, bytes, tuple[float, float, float, float]]]:
    """Each annotation with a rectangle, in page order: (page index in the part, its dictionary,
    its rectangle ``(x1, y1, x2, y2)`` in points from the bottom left)."""
    for i, page in enumerate(part.pages):
        annots = _ANNOTS.search(part.dict_of(page))
        for ref in _REF.findall(annots.group(1) if annots else b""):
            annot = part.dict_of(int(ref))
            rect = _RECT.search(annot)
            if rect is not None:
                x1, y1, x2, y2 = (float(v) for v in rect.group(1).split())
                yield i, annot, (x1, y1, x2, y2)


def places(part: Part) -> dict[str, tuple[int, float]]:
    """Where our labels are: each heading's destination, and each link marking a label's place
    (a source's back link, see pdf_links): label -> (page index in the part, points from the top)."""
    out = destinations(part)
    for i, annot, (_x1, _y1, _x2, top) in _annotations(part):
        m = _ANCHOR.search(annot)
        if m is not None:
            out.setdefault(m.group(1).decode(), (i, part.page_height - top))
    return out


def link_boxes(part: Part) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """Each of our links, in page order: (page index in the part, the label it goes to, its
    rectangle ``(x1, y1, x2, y2)`` in points from the bottom left; a line of text's link runs from
    its cap height down to its baseline, ``y1``)."""
    out = []
    for i, annot, rect in _annotations(part):
        m = _TARGET.search(annot)
        if m is not None:
            out.append((i, m.group(1).decode(), rect))
    return out


def struct_tree(part: Part) -> tuple[int, bytes, list[int]] | None:
    """(the tag tree root, its dictionary, the top elements: the kids of its Document elements)."""
    m = re.search(rb"/StructTreeRoot (\d+) 0 R", part.dict_of(part.root))
    if m is None:
        return None
    root = int(m.group(1))
    sdict = part.dict_of(root)
    top: list[int] = []
    for doc in _REF.findall(re.search(rb"/K\[([\d R]*)\]", sdict).group(1)):  # type: ignore[union-attr]
        kids = re.search(rb"/K\[([\d R]*)\]", part.dict_of(int(doc)))
        top += [int(n) for n in _REF.findall(kids.group(1) if kids else b"")]
    return root, sdict, top


def _first_page(part: Part, element: int, depth: int = 0) -> int | None:
    """The page object holding the first marked content of a tag element (None: it has none)."""
    if depth > 64 or element not in part.spans:
        return None
    d = part.dict_of(element)
    kids = _KIDS.search(d)
    if kids is None:
        return None
    if kids.group(2) is not None:
        return _first_page(part, int(kids.group(2)), depth + 1)
    first = _FIRST.match(kids.group(1))
    if first is None:
        return None
    if first.group(1) is not None:
        return _first_page(part, int(first.group(1)), depth + 1)
    if first.group(3) is not None:
        return int(first.group(3))
    own = _PG.search(d[: kids.start()] + d[kids.end() :])
    return int(own.group(1)) if own else None


def _descendants(part: Part, element: int, out: set[int]) -> None:
    todo = [element]
    while todo:
        n = todo.pop()
        if n in out or n not in part.spans:
            continue
        out.add(n)
        d = part.dict_of(n)
        if b"/StructElem" not in d:
            continue  # an annotation or a page a kid points to: dropped with it, nothing below
        kids = _KIDS.search(d)
        if kids is not None:
            todo += [int(k) for k in _REF.findall(_PG.sub(b"", kids.group(0)))]  # not the pages


def tail(part: Part, keep: int) -> set[int]:
    """The objects belonging only to the pages after the first ``keep``: those pages, their
    contents, resources and links, the entries of the parent tree (page arrays) they use, and the
    top tag elements that begin on them with everything under them. The cut must be clean: the
    first of these pages begins with a top element (the caller cut where a page begins a piece)."""
    if keep >= len(part.pages):
        return set()
    dropped_pages = set(part.pages[keep:])
    drop = set(dropped_pages)
    for page in part.pages[keep:]:
        d = part.dict_of(page)
        drop.add(_ref(d, b"/Contents"))
        drop.add(_ref(d, b"/Resources"))
        annots = _ANNOTS.search(d)
        drop |= {int(n) for n in _REF.findall(annots.group(1) if annots else b"")}
    tree = struct_tree(part)
    if tree is not None:
        _root, sdict, top = tree
        index = {p: i for i, p in enumerate(part.pages)}
        cut = len(top)
        while cut > 0:
            first = _first_page(part, top[cut - 1])
            if first is not None and index.get(first, -1) < keep:
                break
            cut -= 1
        for element in top[cut:]:
            _descendants(part, element, drop)
        keys = {
            int(m.group(1))
            for page in part.pages[keep:]
            for m in [re.search(rb"/StructParents (\d+)", part.dict_of(page))]
            if m is not None
        }
        for key, obj in _NUM_REF.findall(_inline(sdict, b"/ParentTree")):
            if int(key) in keys:
                drop.add(int(obj))
    names = _inline(_inline(part.dict_of(part.root), b"/Names"), b"/Dests")
    for _name, obj in _NAME_REF.findall(names):
        m = re.match(rb"\[(\d+) 0 R", part.dict_of(int(obj)))
        if m is not None and int(m.group(1)) in dropped_pages:
            drop.add(int(obj))
    return drop
