"""Internal links of the PDF summary, made cheap: placeholder web links that become go-to links after Typst.

A Typst link to a label (``#link(<s17>)``) is resolved by introspection while laying out: every
paragraph with such a link is laid out again in each pass, and each link looks up its target's
page for its alternative text. On a 1,000-entity summary (18,000 links) that was two thirds of the
time and of the memory. So the source says ``#link("atlas-go:s17~~~…")`` instead: a web link,
which costs Typst nothing to resolve, and :func:`resolve_links` turns each one into a link to its
target in the finished PDF:

- a heading's label is already a named destination (Typst writes one for every labelled
  heading): ``/Dest(e12)``;
- any other target (a source entry) is *anchored* by a link that sits on it: the source's own
  back link says ``atlas-go:e12@s17`` ("to e12; and here is s17"), so s17 is the top left of that
  link's rectangle on its page: ``/Dest[page /XYZ x y 0]``.

The rewrite keeps every byte offset: each action and each alternative text is replaced by one no
longer than the placeholder (which is padded for that), the rest filled with spaces, so the
cross-reference table stays valid. Typst writes link annotations as plain objects (no object
streams); :func:`resolve_links` checks that it found every placeholder and says so if not.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

PREFIX = "atlas-go:"
PAD = "~"
URL_LENGTH = 56  # placeholder length: room for any /Dest[…] and alternative text written over it


def placeholder(target: str, anchor: str | None = None) -> str:
    """The web address standing for a link to our label ``target``; ``anchor``: a label this
    link marks the place of (it sits at the start of that element)."""
    assert target.replace("-", "").isalnum(), target
    url = PREFIX + target + (f"@{anchor}" if anchor else "")
    assert anchor is None or anchor.replace("-", "").isalnum(), anchor
    return url + PAD * max(0, URL_LENGTH - len(url))


class LinkError(RuntimeError):
    """The PDF is not laid out as :func:`resolve_links` expects (a Typst change): a bug to fix."""


_GO = PREFIX.encode() + rb"([a-z0-9-]+)(?:@[a-z0-9-]+)?" + re.escape(PAD).encode() + rb"*\)"
# A placeholder link's action, and its alternative text when tagged (the same annotation, one line).
_LINK = re.compile(rb"/A<</Type/Action/S/URI/URI\(" + _GO + rb">>(?:([^\n]*?)/Contents\(" + _GO + rb")?")
_ANCHOR = re.compile(rb"/URI\(" + PREFIX.encode() + rb"[a-z0-9-]+@([a-z0-9-]+)")  # a link marking a label's place
_RECT = re.compile(rb"/Rect\[([-\d. ]+)\]")
_TARGET = re.compile(rb"/URI\(" + PREFIX.encode() + rb"([a-z0-9-]+)")  # where a placeholder link goes
_KIDS = re.compile(rb"/Type/Pages[^\n]*?/Kids\[([\d R]*)\]")
_PAGE = re.compile(rb"<</Type/Page/[^\n]*?/Annots\[([\d R]*)\]")
_DESTS = re.compile(rb"/Dests<</Names\[((?:\([^()\\]*\)\d+ 0 R)*)\]")
_DEST_ITEM = re.compile(rb"\(([^()\\]*)\)(\d+) 0 R")
_DEST_ARRAY = re.compile(rb"obj\s*\[(\d+) 0 R/XYZ")


def _refs(raw: bytes) -> list[int]:
    return [int(n) for n in raw.split()[0::3]]


def _number(pdf: bytes, pos: int) -> int:
    """The number of the object whose ``N 0 obj`` header is the last one before ``pos``."""
    head = pdf.rfind(b" 0 obj", 0, pos)
    return int(pdf[pdf.rfind(b"\n", 0, head) + 1 : head])


def resolve_links(pdf: bytes) -> bytes:
    """Every placeholder link turned into a link to its target (same length, same offsets)."""
    if PREFIX.encode() not in pdf:
        return pdf
    index = LinkIndex()
    index.scan(pdf, 0)
    out = bytearray(pdf)
    for at, new in index.patches():
        out[at : at + len(new)] = new
    return bytes(out)


class LinkIndex:
    """What :func:`resolve_links` needs to know, gathered a run of whole objects at a time as a PDF
    is written (``scan``: the bytes and where they begin in the file), in any order; ``patches``:
    then each placeholder's replacement, of the same length, and where it goes in the file."""

    def __init__(self) -> None:
        self.pages: list[int] = []  # the page objects in order (from the page tree)
        self.page_of: dict[int, int] = {}  # link annotation object -> page object
        self.dest_names: list[tuple[bytes, int]] = []  # labelled headings: name -> destination object
        self.dest_page: dict[int, int] = {}  # destination object -> page object
        self.anchors: dict[bytes, tuple[int, float, float]] = {}  # label -> (its link's object, x, top)
        # Each placeholder: where it is in the file, its label, the length of its action, and when
        # it has an alternative text, what lies between the two and the length of the text (no match
        # objects: each would keep its whole run of the file in memory).
        self.links: list[tuple[int, bytes, int, bytes | None, int]] = []
        self.found = 0  # placeholders seen in the runs, to check that every one was matched

    def scan(self, run: bytes, offset: int) -> None:
        if PREFIX.encode() in run:
            self.found += run.count(PREFIX.encode())
            for m in _ANCHOR.finditer(run):  # a link that opens a target marks its place
                if m.group(1) not in self.anchors:
                    head = run.rfind(b" 0 obj", 0, m.start())
                    rect = _RECT.search(run, head, m.start())
                    if rect is not None:
                        x, _y1, _x2, top = (float(v) for v in rect.group(1).split())
                        self.anchors[m.group(1)] = (_number(run, m.start()), x, top)
            for m in _LINK.finditer(run):
                if m.group(2) is None:
                    self.links.append((offset + m.start(), m.group(1), m.end() - m.start(), None, 0))
                else:
                    action, alt = m.start(2) - m.start(), m.end() - m.end(2)
                    self.links.append((offset + m.start(), m.group(1), action, m.group(2), alt))
        if b"/Type/Page" in run:
            self.pages += [p for m in _KIDS.finditer(run) for p in _refs(m.group(1))]
            for m in _PAGE.finditer(run):
                page = _number(run, m.start())
                for ref in _refs(m.group(1)):
                    self.page_of[ref] = page
        if b"/XYZ" in run:
            self.dest_page.update({_number(run, m.start() + 3): int(m.group(1)) for m in _DEST_ARRAY.finditer(run)})
        dests = _DESTS.search(run) if b"/Dests<<" in run else None
        if dests is not None:
            self.dest_names += [(name, int(obj)) for name, obj in _DEST_ITEM.findall(dests.group(1))]

    def patches(self) -> list[tuple[int, bytes]]:
        page_index = {obj: i for i, obj in enumerate(self.pages)}
        targets: dict[bytes, tuple[bytes, int]] = {}  # label -> (destination, page number from 1)
        for name, obj in self.dest_names:
            page = self.dest_page.get(obj, -1)
            if page in page_index:
                targets[name] = (b"/Dest(" + name + b")", page_index[page] + 1)
        for name, (obj, x, top) in self.anchors.items():
            if name not in targets and obj in self.page_of:
                page = self.page_of[obj]
                targets[name] = (f"/Dest[{page} 0 R/XYZ {x:.1f} {top + 2:.1f} 0]".encode(), page_index[page] + 1)
        missing: set[bytes] = set()
        out: list[tuple[int, bytes]] = []
        matched = 0
        for at, label, action, middle, alt_length in self.links:
            dest, page = targets.get(label, (b"", 0))
            if not dest:  # nothing to go to: no action (a dead link beats an address a viewer would open)
                missing.add(label)
            if middle is None:
                matched += 1
                out.append((at, _fit(action, dest)))
                continue
            matched += 2
            alt = b"/Contents(" + _alt(label.decode(), page).encode() + b")"
            out.append((at, _fit(action, dest) + middle + _fit(alt_length, alt)))
        if missing:
            log.warning("%d internal links of the summary had no target: %s", len(missing), sorted(missing)[:5])
        if matched != self.found:
            raise LinkError("Some internal links of the summary were not resolved (unexpected PDF layout)")
        return out


_SOURCE_LABEL = re.compile(r"(?:h\d+-)?s(\d+)")


def _alt(target: str, page: int) -> str:
    """What a screen reader says for the link, worded like Typst's own ("Section, page 3")."""
    source = _SOURCE_LABEL.fullmatch(target)
    what = f"Source {source.group(1)}" if source else "Section"
    return f"{what}, page {page}" if page else what


def _fit(length: int, new: bytes) -> bytes:
    """``new`` padded with spaces to the placeholder's ``length``."""
    if len(new) > length:
        raise LinkError(f"a resolved link does not fit its placeholder ({new!r})")
    return new + b" " * (length - len(new))
