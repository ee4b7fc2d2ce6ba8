"""Text out of a file the user imports: plain text, Markdown, HTML (text only) and PDF with a text layer.

Each refusal is an :class:`ImportRefused` whose message is one sentence naming the file and why.
Nothing here touches a database: the caller stores what comes back, all or nothing.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from app.core.errors import AtlasError

MAX_BYTES = 20 * 1024 * 1024  # a briefing or report; a 50 MB file is refused, not loaded
_TEXT_EXT = {".txt": "plain", ".text": "plain", ".md": "markdown", ".markdown": "markdown"}
_HTML_EXT = {".html", ".htm", ".xhtml"}
FORMATS = ("plain", "markdown", "html", "pdf")
SUPPORTED = "plain text (.txt), Markdown (.md), HTML (.html) or PDF (.pdf)"


class ImportRefused(AtlasError):
    """A file that cannot be imported; ``str()`` names the file and the reason."""


@dataclass
class Extracted:
    text: str  # what every offset points into; newlines normalised to "\n"
    format: str  # plain, markdown, html, pdf
    sectioning: str  # the format split_document understands: "markdown" or "plain"
    title: str  # the document's own title, or "" when it has none
    encoding: str = ""  # how text was decoded ("" for PDF)
    notes: list[str] = field(default_factory=list)  # what was left out, said to the user


def _label(name: str) -> str:
    return name or "The file"


def sniff_format(name: str, raw: bytes) -> str:
    """plain, markdown, html or pdf, from the extension and the first bytes."""
    ext = Path(name).suffix.lower()
    head = raw[:1024].lstrip().lower()
    if raw.startswith(b"%PDF-") or ext == ".pdf":
        return "pdf"
    if ext in _HTML_EXT or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return _TEXT_EXT.get(ext, "plain")


def decode_text(name: str, raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with a BOM, or what charset-normalizer
    detects with confidence. Never a silent guess: undetectable text is refused."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict(name, raw[3:], "utf-8"), "UTF-8"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(name, raw, "utf-16"), "UTF-16"
    if b"\x00" in raw[:8192]:
        raise ImportRefused(f"{_label(name)} is a binary file, not {SUPPORTED}.")
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    decoded = str(best) if best is not None else ""
    ascii_share = sum(ch.isascii() for ch in decoded) / max(1, len(decoded))
    # charset-normalizer always names *some* encoding; trust it only when the text reads as a
    # language (coherence) or is nearly all ASCII with a few accented letters.
    if best is None or best.encoding is None or (best.coherence <= 0 and ascii_share < 0.95):
        raise ImportRefused(
            f"{_label(name)} is not text in an encoding that can be recognised (not UTF-8, and no other "
            "encoding fits): save it as UTF-8 and import it again."
        )
    return decoded, best.encoding


def _strict(name: str, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportRefused(f"{_label(name)} says it is {encoding.upper()} but is not ({exc.reason}).") from exc


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_text(name: str, text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise ImportRefused(f"{_label(name)} is a binary file, not {SUPPORTED}.")
    text = _CONTROL.sub(" ", text)
    if not text.strip():
        raise ImportRefused(f"{_label(name)} holds no text.")
    return text


def extract(name: str, raw: bytes) -> Extracted:
    """The text of one file (``name`` for messages and the format), or ImportRefused."""
    if not raw:
        raise ImportRefused(f"{_label(name)} is empty.")
    if len(raw) > MAX_BYTES:
        raise ImportRefused(
            f"{_label(name)} is {len(raw) / 1024 / 1024:.0f} MB; documents of up to {MAX_BYTES // 1024 // 1024} MB "
            "can be imported (split it into parts)."
        )
    fmt = sniff_format(name, raw)
    if fmt == "pdf":
        return _pdf(name, raw)
    text, encoding = decode_text(name, raw)
    if fmt == "html":
        return _html(name, text, encoding)
    text = _check_text(name, text)
    title = ""
    if fmt == "markdown":
        m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
        title = m.group(1) if m else ""
    return Extracted(text, fmt, "markdown" if fmt == "markdown" else "plain", title, encoding)


# ---- HTML -------------------------------------------------------------------------------------
_SKIP = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas", "head"}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre",
    "table", "tr", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "form", "fieldset", "address", "hr",
}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _TextOnly(HTMLParser):
    """Collect visible text; headings become Markdown headings so sections survive. Nothing is
    fetched: images, scripts, styles and frames are dropped, never loaded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.skipped: dict[str, int] = {}
        self.in_title = False
        self.title = ""
        self.heading_level = 0

    def _flush(self) -> None:
        line = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if line:
            if self.heading_level:
                line = "#" * self.heading_level + " " + line
            self.lines.append(line)
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            if tag != "head":
                self.skipped[tag] = self.skipped.get(tag, 0) + 1
            self.skip_depth += 1
            return
        if tag == "title":
            self.in_title = True
        elif tag in _HEADINGS:
            self._flush()
            self.heading_level = _HEADINGS[tag]
        elif tag in _BLOCK:
            self._flush()
        elif tag == "li":
            self._flush()
            self.current.append("- ")
        elif tag == "br":
            self._flush()
        elif tag == "img":
            self.skipped["img"] = self.skipped.get("img", 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "title":
            self.in_title = False
        elif tag in _HEADINGS:
            self._flush()
            self.heading_level = 0
        elif tag in _BLOCK or tag == "li":
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skip_depth:
            self.current.append(data)


def _html(name: str, text: str, encoding: str) -> Extracted:
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    parser._flush()
    body = "\n".join(parser.lines).strip() + "\n"
    if not body.strip():
        raise ImportRefused(f"{_label(name)} is a web page with no text to import.")
    words = {"script": "script", "style": "style sheet", "img": "image", "iframe": "frame"}
    left_out = [f"{n} {words.get(tag, tag)}{'s' if n > 1 else ''}" for tag, n in sorted(parser.skipped.items()) if n]
    notes = [f"Left out (text only, nothing loaded): {', '.join(left_out)}."] if left_out else []
    title = re.sub(r"\s+", " ", parser.title).strip()
    if not title:
        m = re.search(r"^#\s+(.+)$", body, re.MULTILINE)
        title = m.group(1) if m else ""
    return Extracted(_check_text(name, body), "html", "markdown", title, encoding, notes)


# ---- PDF --------------------------------------------------------------------------------------
_SENTENCE_END = '.!?:;…"”)'


def _pdf(name: str, raw: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except (NotImplementedError, PdfReadError) as exc:
                raise ImportRefused(f"{_label(name)} is an encrypted PDF; save an unprotected copy first.") from exc
            if not ok:
                raise ImportRefused(f"{_label(name)} is a password-protected PDF; save an unprotected copy first.")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = ""
        try:
            meta = reader.metadata
            meta_title = str(meta.get("/Title") or "").strip() if meta is not None else ""
        except (PdfReadError, TypeError, ValueError):
            meta_title = ""
    except ImportRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ImportRefused(f"{_label(name)} is not a readable PDF ({exc}).") from exc
    paragraphs: list[str] = []
    for page in pages:
        paragraphs.extend(_pdf_paragraphs(page))
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise ImportRefused(
            f"{_label(name)} is a PDF without a text layer (a scan?): there is no text to import. "
            "Run it through OCR first."
        )
    return Extracted(_check_text(name, text + "\n"), "pdf", "plain", meta_title)


def _pdf_paragraphs(page: str) -> list[str]:
    """PDF text comes line by line; join the lines of one paragraph so a quote is one passage."""
    out: list[str] = []
    current = ""
    for raw_line in page.replace("\r", "\n").split("\n"):
        line = re.sub(r"\s+", " ", raw_line).strip()
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        if not current:
            current = line
        elif current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        elif current[-1] not in _SENTENCE_END and (line[:1].islower() or len(current) > 60):
            current += " " + line
        else:
            out.append(current)
            current = line
    if current:
        out.append(current)
    return out
