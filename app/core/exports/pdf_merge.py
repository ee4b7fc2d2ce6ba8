"""One PDF from the parts Typst set separately: pages, tags, destinations, bookmarks, header and footer.

A large summary is typeset in parts (``report_pdf``): Typst's memory grows with the document and
is given back only when it forgets, so the parts are set one after another by a worker. This
module joins them (:class:`Joiner`, each as soon as it is set) at the level of PDF objects,
without reading them into an object model (that would take longer and more memory than Typst
itself). Typst writes every object plainly
(a classic cross-reference table, no object streams), so each part's objects are renumbered by
an offset and copied; only a few are replaced:

- the page tree: one root whose kids are every part's pages, in order;
- the tags: one ``Document`` element whose kids are each part's top elements, one parent tree
  (each part's keys moved past the previous part's, and the pages' and links' keys with them),
  one role map and one ID tree (table-cell IDs made unique per part);
- the named destinations (each heading's label), merged, and the bookmarks, built anew from the
  headings the source builder listed, so the entities sit under "Entities" whatever part they are in;
- the running header and the page footer ("Page 7 of 404") come from one more Typst document
  set after the others, when the page count and the headings' pages are known: each of its pages
  becomes a form drawn on the matching page, marked as an artifact (pagination, not content).

The catalog, document information, metadata (with the PDF/UA claim) and file ID are the first part's.
"""

from __future__ import annotations

import io
import mmap
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from app.core.exports.pdf_links import LinkIndex
from app.core.exports.pdf_part import (
    _NAME_REF,
    _NUM_REF,
    _REF,
    MergeError,
    Part,
    _inline,
    _outline_objects,
    _ref,
    destinations,
    link_boxes,
    parse,
    places,
    tail,
)

__all__ = ["Heading", "Joiner", "MergeError", "Part", "destinations", "link_boxes", "parse", "places", "tail"]
# One token of a run of whole objects (their ``N 0 obj`` lines too), each alternative a group so that
# ``split`` hands them back: a literal string (kept as it is, but for a table cell's ID; one level of
# nested brackets), a reference, a structure parent key, an object's number.
_TOKENS = re.compile(
    rb"(\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\))|(\d+) 0 R|(/StructParents? )(\d+)|^(\d+) 0 obj\n", re.S | re.M
)
_OBJ_LINE = re.compile(rb"^(\d+) 0 obj\n", re.M)
_STRING = re.compile(rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)", re.S)
_LOOKS_LIKE_TOKEN = re.compile(rb" 0 R| 0 obj|/StructParent|\(U\d")
_KEY = re.compile(rb"(/StructParents? )(\d+)")
_CELL_ID = re.compile(rb"\(U\d+x\d+y\d+\)")
_ROLE = re.compile(rb"/(\w+)/(\w+)")


@dataclass(frozen=True)
class Heading:
    """A level 1 or 2 heading with our label: a bookmark, a contents entry, a running header."""

    level: int
    title: str
    label: str


def pdf_text_string(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte-order mark, in hex (nothing to escape)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


class _Writer:
    """Writes numbered objects to ``out`` as they come (nothing kept but their offsets), each run
    of plain objects shown to ``links`` (see pdf_links.LinkIndex); ``finish`` writes the cross-reference
    table and then each link's target over its placeholder (same length, so no offset moves)."""

    def __init__(self, next_number: int, out: IO[bytes]) -> None:
        head = b"%PDF-1.7\n%\x80\x80\x80\x80\n\n"
        self.out = out
        self.start = out.tell()
        out.write(head)
        self.pos = len(head)
        # Object -> its offset (0: none), one machine word each: a summary has a quarter million objects.
        self.offsets = array("q")
        self.next = next_number
        self.links = LinkIndex()

    def new(self) -> int:
        self.next += 1
        return self.next - 1

    def put(self, n: int, body: bytes, *, plain: bool = True) -> None:
        """Object ``n``; ``plain``: no stream (only those can hold a link, a page or a destination)."""
        data = b"%d 0 obj\n" % n + body + b"\nendobj\n\n"
        self._at(n, self.pos)
        if plain:
            self.links.scan(data, self.pos)
        self.out.write(data)
        self.pos += len(data)

    def put_run(self, run: bytes) -> None:
        """Whole objects, already numbered (``N 0 obj`` … ``endobj``, one after the other)."""
        for m in _OBJ_LINE.finditer(run):
            self._at(int(m.group(1)), self.pos + m.start())
        self.links.scan(run, self.pos)
        self.out.write(run)
        self.pos += len(run)

    def stream(self, n: int, data: bytes, extra: bytes = b"") -> None:
        self.put(n, b"<<" + extra + b"/Length %d>>\nstream\n" % len(data) + data + b"\nendstream", plain=False)

    def _at(self, n: int, pos: int) -> None:
        if n >= len(self.offsets):
            self.offsets.frombytes(bytes(8 * (max(n + 1, 2 * len(self.offsets)) - len(self.offsets))))
        self.offsets[n] = pos

    def finish(self, root: int, info: int | None, file_id: bytes) -> None:
        size = self.next
        xref = [b"xref\n0 %d\n" % size, b"0000000000 65535 f\r\n"]
        offsets = self.offsets
        for n in range(1, size):
            at = offsets[n] if n < len(offsets) else 0
            xref.append(b"%010d 00000 n\r\n" % at if at else b"0000000000 00000 f\r\n")
        trailer = b"trailer\n<</Size %d/Root %d 0 R" % (size, root)
        if info is not None:
            trailer += b"/Info %d 0 R" % info
        if file_id:
            trailer += b"/ID" + file_id
        self.out.write(b"".join(xref) + trailer + b">>\nstartxref\n%d\n%%%%EOF" % self.pos)
        _patch(self.out, self.start, self.links.patches())  # the links, now that every target is known


def _patch(out: IO[bytes], start: int, patches: list[tuple[int, bytes]]) -> None:
    """Write each ``(offset from start, bytes)`` over what is there: in memory, or through a
    mapping of the file (a seek and a write for each of 20,000 links took a tenth of a second),
    or where the file cannot be mapped (opened for writing only), one seek and write each."""
    if isinstance(out, io.BytesIO):
        with out.getbuffer() as buf:
            for at, text in patches:
                buf[start + at : start + at + len(text)] = text
        return
    try:
        out.flush()
        mapped = mmap.mmap(out.fileno(), 0)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        end = out.tell()
        for at, text in patches:
            out.seek(start + at)
            out.write(text)
        out.seek(end)
        return
    with mapped:
        for at, text in patches:
            mapped[start + at : start + at + len(text)] = text
        mapped.flush()


class Joiner:
    """Joins the parts as they come, in any order: ``add`` copies a part's objects (renumbered)
    at once, so the joining goes on while the other parts are still being set; ``finish`` writes
    what needs them all (the page tree, the tag tree's root and parent tree, the destinations, the
    bookmarks, the catalog, the header and footer forms). ``slot``: the part's place in the document.
    The catalog's metadata, document information and file ID are those of the part in slot 0."""

    def __init__(self, out: IO[bytes], *, with_marginals: bool = True) -> None:
        self.w = _Writer(1, out)
        self.pages_root, self.struct_root, self.document, self.outlines = (self.w.new() for _ in range(4))
        self.with_marginals = with_marginals
        self.page_refs: dict[int, list[int]] = {}  # slot -> its kept pages
        self.page_forms: dict[int, list[tuple[int, int]]] = {}  # slot -> each kept page's header and footer form
        self.top_kids: dict[int, list[bytes]] = {}
        self.parent_nums: list[bytes] = []
        self.role_map: dict[bytes, bytes] = {}
        self.id_tree: list[tuple[bytes, bytes]] = []
        self.dests: list[tuple[bytes, bytes]] = []
        self.key_base = 0
        self.first: tuple[Part, int] | None = None  # the part in slot 0 and its base
        self.added = 0

    def add(self, slot: int, part: Part, keep: int | None = None) -> None:
        """Copy ``part`` (its first ``keep`` pages; None: all) as the part in ``slot``."""
        w = self.w
        base = w.next - 1
        w.next += part.size - 1
        k = self.added
        self.added += 1
        catalog = part.dict_of(part.root)
        drop = {part.root, _ref(catalog, b"/Pages"), *(_outline_objects(part, catalog))}
        if slot or part.info is None:
            drop |= {part.info} if part.info is not None else set()
        else:
            self.first = (part, base)
        special = {_ref(catalog, b"/Pages"): self.pages_root}
        kept = len(part.pages) if keep is None else keep
        drop |= tail(part, kept)
        keys = 0
        top: list[bytes] = []
        sroot_m = re.search(rb"/StructTreeRoot (\d+) 0 R", catalog)
        if sroot_m is not None:
            sroot = int(sroot_m.group(1))
            sdict = part.dict_of(sroot)
            drop.add(sroot)
            for doc in _REF.findall(re.search(rb"/K\[([\d R]*)\]", sdict).group(1)):  # type: ignore[union-attr]
                doc_dict = part.dict_of(int(doc))
                drop.add(int(doc))
                special[int(doc)] = self.document
                kids = re.search(rb"/K\[([\d R]*)\]", doc_dict)
                refs = [int(n) for n in _REF.findall(kids.group(1) if kids else b"")]
                top += [b"%d 0 R" % (n + base) for n in refs if n not in drop]
            if b"/Kids" in _inline(sdict, b"/ParentTree"):
                raise MergeError("a parent tree with kids")
            for key, obj in _NUM_REF.findall(_inline(sdict, b"/ParentTree")):
                if int(obj) not in drop:
                    self.parent_nums.append(b"%d %d 0 R" % (int(key) + self.key_base, int(obj) + base))
            next_key = re.search(rb"/ParentTreeNextKey (\d+)", sdict)
            keys = int(next_key.group(1)) if next_key else 0
            for a, b in _ROLE.findall(_inline(sdict, b"/RoleMap")):
                self.role_map.setdefault(a, b)
            for name, obj in _NAME_REF.findall(_inline(sdict, b"/IDTree")):
                if int(obj) not in drop:
                    self.id_tree.append(((b"c%dU" % k if k else b"U") + name[1:], b"%d 0 R" % (int(obj) + base)))
        self.top_kids[slot] = top
        for name, obj in _NAME_REF.findall(_inline(_inline(catalog, b"/Names"), b"/Dests")):
            if int(obj) not in drop:
                self.dests.append((name, b"%d 0 R" % (int(obj) + base)))
        self.page_refs[slot] = [p + base for p in part.pages[:kept]]
        forms = [(w.new(), w.new()) for _ in range(kept)] if self.with_marginals else []
        self.page_forms[slot] = forms
        _copy_part(part, base, self.key_base, k, drop, special, w, [n for pair in forms for n in pair])
        self.key_base += keys

    @property
    def pages(self) -> int:
        return sum(len(p) for p in self.page_refs.values())

    def finish(self, headings: Sequence[Heading], marginals: Sequence[Part] = ()) -> None:
        """The rest of the PDF, its links resolved: pages 2i and 2i + 1 of ``marginals`` drawn on
        page i as its header and footer."""
        w = self.w
        slots = sorted(self.page_refs)
        forms = [n for slot in slots for pair in self.page_forms[slot] for n in pair]
        at = 0
        for m in marginals:
            base = w.next - 1
            w.next += m.size - 1
            _copy_marginals(m, base, w, forms[at : at + len(m.pages)])  # two pages a page: header, footer
            at += len(m.pages)
        page_list = b" ".join(b"%d 0 R" % p for slot in slots for p in self.page_refs[slot])
        w.put(self.pages_root, b"<</Type/Pages/Count %d/Kids[%s]>>" % (self.pages, page_list))
        kids = b" ".join(kid for slot in slots for kid in self.top_kids[slot])
        w.put(self.document, b"<</Type/StructElem/S/Document/P %d 0 R/K[%s]>>" % (self.struct_root, kids))
        roles = b"".join(b"/%s/%s" % kv for kv in self.role_map.items())
        ids = b"".join(b"(%s)%s" % kv for kv in sorted(self.id_tree))
        w.put(
            self.struct_root,
            b"<</Type/StructTreeRoot/RoleMap<<%s>>/K[%d 0 R]/ParentTree<</Nums[%s]>>/IDTree<</Names[%s]>>"
            b"/ParentTreeNextKey %d>>" % (roles, self.document, b" ".join(self.parent_nums), ids, self.key_base),
        )
        _outline(w, self.outlines, headings)
        if self.first is None:
            raise MergeError("no part in the first place")
        first, first_base = self.first
        meta = re.search(rb"/Metadata (\d+) 0 R", first.dict_of(first.root))
        names = b"".join(b"(%s)%s" % kv for kv in sorted(self.dests))
        root = w.new()
        w.put(
            root,
            b"<</Type/Catalog/Pages %d 0 R" % self.pages_root
            + (b"/Metadata %d 0 R" % (int(meta.group(1)) + first_base) if meta else b"")
            # (No /Suspects: false by default, and poppler calls a false one an error.)
            + b"/Lang(en)/StructTreeRoot %d 0 R/MarkInfo<</Marked true>>" % self.struct_root
            + b"/ViewerPreferences<</DisplayDocTitle true/Direction/L2R>>"
            + (b"/Outlines %d 0 R" % self.outlines if headings else b"")
            + b"/Names<</Dests<</Names[%s]>>>>>>" % names,
        )
        w.finish(root, first.info + first_base if first.info is not None else None, first.file_id)


def _copy_part(
    part: Part,
    base: int,
    key_base: int,
    k: int,
    drop: set[int],
    special: dict[int, int],
    w: _Writer,
    forms: Sequence[int],
) -> None:
    """Copy every object of ``part`` but ``drop``, renumbered; the pages get their header and footer.
    Runs of plain objects (no stream, nothing to change but numbers) are rewritten in one pass."""

    refs = [b"%d 0 R" % special.get(n, n + base) for n in range(part.size)]
    cell = b"(c%dU" % k if k else b""

    def tokens(chunk: bytes) -> bytes:
        """Every reference, key and object number moved by the part's offsets, token by token."""
        out = _TOKENS.split(chunk)
        for i in range(1, len(out), 6):
            ref = out[i + 1]
            if ref is not None:
                out[i + 1] = refs[int(ref)]
            elif out[i + 4] is not None:
                out[i + 4] = b"%d 0 obj\n" % (int(out[i + 4]) + base)
            elif out[i + 3] is not None:
                out[i + 3] = b"%d" % (int(out[i + 3]) + key_base)
            elif cell and _CELL_ID.fullmatch(out[i]):
                out[i] = cell + out[i][2:]
        return b"".join(filter(None, out))

    def renumber(chunk: bytes) -> bytes:
        """The same, faster: split at each `` 0 R`` and `` 0 obj`` (the number is what precedes
        it), when no literal string in ``chunk`` holds anything that looks like a token."""
        if any(_LOOKS_LIKE_TOKEN.search(s) for s in _STRING.findall(chunk) if not _CELL_ID.fullmatch(s)):
            return tokens(chunk)
        out: list[bytes] = []
        pieces = chunk.split(b" 0 R")
        for piece in pieces[:-1]:
            head = piece.rstrip(b"0123456789")
            out += (head, refs[int(piece[len(head) :])])
        out.append(pieces[-1])
        pieces = b"".join(out).split(b" 0 obj\n")
        out = []
        for piece in pieces[:-1]:
            head = piece.rstrip(b"0123456789")
            out += (head, b"%d 0 obj\n" % (int(piece[len(head) :]) + base))
        out.append(pieces[-1])
        joined = b"".join(out)
        if key_base:
            joined = _KEY.sub(lambda m: m.group(1) + b"%d" % (int(m.group(2)) + key_base), joined)
        return _CELL_ID.sub(lambda m: cell + m.group(0)[2:], joined) if cell else joined

    page_no = {p: i for i, p in enumerate(part.pages)}
    resources = _resources_of(part) if forms else {}
    data = part.data
    run_start = run_end = -1

    def flush() -> None:
        if run_start >= 0:
            w.put_run(renumber(data[run_start:run_end]))

    for n in sorted(part.spans, key=lambda n: part.spans[n][0]):
        start, end = part.spans[n]
        plain = n not in drop and n not in page_no and n not in resources
        if plain and data.find(b"\nstream\n", start, end) < 0:
            if run_start < 0:
                run_start = start
            run_end = end
            continue
        flush()
        run_start = run_end = -1
        if n in drop:
            continue
        head, rest = part.split(n)
        head = renumber(head)
        if n in page_no and forms:
            head = _draw_form(head, page_no[n], w)
        elif n in resources:
            i = resources[n]
            name = b"/AtlasH%d %d 0 R/AtlasF%d %d 0 R" % (i, forms[2 * i], i, forms[2 * i + 1])
            if b"/XObject<<" in head:
                head = head.replace(b"/XObject<<", b"/XObject<<" + name, 1)
            else:
                head = head[:2] + b"/XObject<<" + name + b">>" + head[2:]
        w.put(n + base, head + rest, plain=not rest)
    flush()


def _resources_of(part: Part) -> dict[int, int]:
    """Resource dictionary object -> the index of the page using it (one per page, as Typst writes)."""
    out: dict[int, int] = {}
    for i, p in enumerate(part.pages):
        r = _ref(part.dict_of(p), b"/Resources")
        if r in out:
            raise MergeError("two pages share one resource dictionary")
        out[r] = i
    return out


def _draw_form(page: bytes, index: int, w: _Writer) -> bytes:
    """The page's header, its contents, then its footer (forms, marked as pagination artifacts:
    a screen reader skips them, and text is extracted in reading order)."""
    m = re.search(rb"/Contents (\d+) 0 R", page)
    if m is None:
        raise MergeError("a page without one content stream")
    before, after = w.new(), w.new()
    w.stream(before, b"/Artifact<</Type/Pagination/Subtype/Header>>BDC\n/AtlasH%d Do\nEMC\nq\n" % index)
    w.stream(after, b"Q\n/Artifact<</Type/Pagination/Subtype/Footer>>BDC\n/AtlasF%d Do\nEMC\n" % index)
    return page[: m.start()] + b"/Contents[%d 0 R %s %d 0 R]" % (before, m.group(0)[10:], after) + page[m.end() :]


def _copy_marginals(part: Part, base: int, w: _Writer, forms: Sequence[int]) -> None:
    """Each page of the header-and-footer document as a form XObject, numbered ``forms`` (in order)."""
    wanted: set[int] = set()
    box = re.search(rb"/MediaBox\[([-\d. ]+)\]", part.dict_of(part.pages[0]))
    bbox = b"[" + (box.group(1) if box else b"0 0 595.2756 841.8898") + b"]"
    for p, n in zip(part.pages, forms, strict=True):
        d = part.dict_of(p)
        contents, resources = _ref(d, b"/Contents"), _ref(d, b"/Resources")
        data = part.stream_of(contents)
        filt = re.search(rb"/Filter(/\w+)", part.dict_of(contents))
        extra = b"/Type/XObject/Subtype/Form/BBox%s/Resources %d 0 R" % (bbox, resources + base)
        extra += b"/Filter" + filt.group(1) if filt else b""
        w.stream(n, data, extra)
        wanted.add(resources)
    # What the forms use (fonts, colour spaces), renumbered; nothing of the document around them.
    todo, seen = list(wanted), set()
    while todo:
        n = todo.pop()
        if n in seen or n not in part.spans:
            continue
        seen.add(n)
        todo += [int(x) for x in _REF.findall(part.dict_of(n))]
    for n in sorted(seen):
        head, rest = part.split(n)
        w.put(n + base, _REF.sub(lambda m: b"%d 0 R" % (int(m.group(1)) + base), head) + rest, plain=False)


def _outline(w: _Writer, root: int, headings: Sequence[Heading]) -> None:
    """Bookmarks: level 1 at the top, level 2 under the level 1 before it; entities folded."""
    tops: list[tuple[int, Heading, list[tuple[int, Heading]]]] = []
    for h in headings:
        if h.level == 1 or not tops:
            tops.append((w.new(), h, []))
        else:
            tops[-1][2].append((w.new(), h))

    def item(
        n: int, h: Heading, parent: int, prev: int | None, nxt: int | None, kids: list[tuple[int, Heading]]
    ) -> None:
        d = b"<</Title%s/Parent %d 0 R/Dest(%s)" % (pdf_text_string(h.title), parent, h.label.encode())
        d += b"/Prev %d 0 R" % prev if prev else b""
        d += b"/Next %d 0 R" % nxt if nxt else b""
        if kids:
            d += b"/First %d 0 R/Last %d 0 R/Count -%d" % (kids[0][0], kids[-1][0], len(kids))
        w.put(n, d + b">>")

    for i, (n, h, kids) in enumerate(tops):
        prev = tops[i - 1][0] if i else None
        nxt = tops[i + 1][0] if i + 1 < len(tops) else None
        item(n, h, root, prev, nxt, kids)
        for j, (m, sub) in enumerate(kids):
            item(m, sub, n, kids[j - 1][0] if j else None, kids[j + 1][0] if j + 1 < len(kids) else None, [])
    if tops:
        w.put(root, b"<</Type/Outlines/First %d 0 R/Last %d 0 R/Count %d>>" % (tops[0][0], tops[-1][0], len(tops)))
    else:
        w.put(root, b"<</Type/Outlines/Count 0>>")
