"""Typst markup from untrusted text: every user string becomes a string literal, never markup.

Typst reads markup (``*bold*``, ``#code``, ``$math$``, ``@ref``, ``<label>``, ``//`` comments …)
and code; escaping markup character by character is easy to get wrong. So user text never enters
as markup: :func:`text` writes it as a Typst *string literal* embedded in markup (``#"…";``),
whose only escapes are the backslash, the double quote and control characters. A string is
shown as written; it cannot call a function, so it cannot ``#read`` a file or run anything.
The ``;`` ends the embedded expression, so nothing after it (``.len()``, ``[…]``) continues it.

Notes are Markdown: :func:`markdown` parses them with markdown-it (CommonMark, raw HTML off) and
builds the markup from the syntax tree with our own functions, the text again as literals.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from app.core.exports.pdf_links import placeholder

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What a literal cannot hold as it is: the escaped characters, control characters, lone surrogates.
_SPECIAL = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\ud800-\udfff]')


def _clean(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if 0xD800 <= ord(ch) < 0xE000:  # a lone surrogate cannot be encoded: the replacement character
        return "\ufffd"
    return ""  # other control characters print as nothing


def lit(value: object) -> str:
    """A Typst string literal holding ``value`` exactly (code mode: ``f(lit(x))``)."""
    s = str(value)
    if _SPECIAL.search(s) is None:
        return f'"{s}"'  # the common case, without a per-character pass
    return '"' + _SPECIAL.sub(lambda m: _clean(m.group()), s) + '"'


def text(value: object) -> str:
    """``value`` as text in markup, printed verbatim."""
    s = str(value)
    return f"#{lit(s)};" if s else ""


def label(name: str) -> str:
    """A label we name ourselves (letters, digits and dashes only; never user text)."""
    assert name.replace("-", "").isalnum(), name
    return f"<{name}>"


def go(target: str, anchor: str | None = None) -> str:
    """Where a link to our label ``target`` goes (code mode: ``#link(go("e3"))[…]``). A stand-in
    web address that :func:`app.core.exports.pdf_links.resolve_links` turns into the real link
    after typesetting (a label link costs Typst a lookup in every layout pass). ``anchor``: the
    label of the element this link opens, which links to that label then go to."""
    return f'"{placeholder(target, anchor)}"'  # letters, digits and -@~ only


# ---- Markdown notes ---------------------------------------------------------------------------------
_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
WEB_SCHEMES = ("http://", "https://", "mailto:")
# A note's link to an entity: [NATO](entity:nato) or atlas:entity/nato (as the notes pane reads them).
ENTITY_PREFIXES = ("entity:", "atlas:entity/")
EntityLink = Callable[[str], "str | None"]  # entity id -> our label name when it is in the summary


def markdown(source: str, entity_label: EntityLink = lambda _id: None) -> str:
    """A note's Markdown as Typst markup: paragraphs, lists, quotes, code, tables, emphasis, links.

    Headings become bold paragraphs (a note's headings do not enter the contents); images show
    their alt text (nothing is loaded); web links stay links, links to an entity in the summary go
    to its section, any other link keeps only its text."""
    tree = SyntaxTreeNode(_MD.parse(source))
    return _Blocks(entity_label).blocks(tree.children)


class _Blocks:
    def __init__(self, entity_label: EntityLink) -> None:
        self.entity_label = entity_label

    def blocks(self, nodes: list[SyntaxTreeNode]) -> str:
        return "\n\n".join(b for b in (self.block(n) for n in nodes) if b)

    def block(self, node: SyntaxTreeNode) -> str:
        t = node.type
        if t == "paragraph":
            return self.inline_of(node)
        if t == "heading":
            return f"#strong[{self.inline_of(node)}];"
        if t in ("bullet_list", "ordered_list"):
            items = ", ".join(f"[{self.blocks(item.children)}]" for item in node.children)
            if t == "bullet_list":
                return f"#list({items})"
            start = int(str(node.attrs.get("start", 1)))
            return f"#enum(start: {start}, {items})"
        if t == "blockquote":
            return f"#quote(block: true)[{self.blocks(node.children)}]"
        if t in ("code_block", "fence"):
            return f"#raw({lit(node.content.rstrip(chr(10)))}, block: true)"
        if t == "hr":
            return "#line(length: 100%, stroke: 0.5pt + gray)"
        if t == "table":
            return self.table(node)
        if t == "html_block":  # not produced with html off; kept as text all the same
            return text(node.content)
        return self.blocks(node.children) if node.children else text(node.content)

    def table(self, node: SyntaxTreeNode) -> str:
        rows: list[list[str]] = []
        header = 0
        for part in node.children:  # thead, tbody
            for tr in part.children:
                rows.append([f"[{self.inline_of(cell)}]" for cell in tr.children])
                header += part.type == "thead"
        width = max((len(r) for r in rows), default=1)
        cells = [", ".join(r + ["[]"] * (width - len(r))) for r in rows]
        head = f"table.header({cells[0]}), " if header and cells else ""
        body = ", ".join(cells[1:] if head else cells)
        return f"#table(columns: {width}, {head}{body})"

    def inline_of(self, node: SyntaxTreeNode) -> str:
        return "".join(self.inline(c) for c in node.children)

    def inline(self, node: SyntaxTreeNode) -> str:
        t = node.type
        if t == "inline":
            return self.inline_of(node)
        if t == "text":
            return text(node.content)
        if t == "softbreak":
            return " "
        if t == "hardbreak":
            return "#linebreak()"
        if t == "code_inline":
            return f"#raw({lit(node.content)});"
        if t == "em":
            return f"#emph[{self.inline_of(node)}];"
        if t == "strong":
            return f"#strong[{self.inline_of(node)}];"
        if t == "s":
            return f"#strike[{self.inline_of(node)}];"
        if t == "image":
            alt = node.content or str(node.attrs.get("alt", "")) or "image"
            return text(f"[image: {alt}]")
        if t == "link":
            return self.link(node)
        return text(node.content)  # html_inline and anything unknown: as text

    def link(self, node: SyntaxTreeNode) -> str:
        href = str(node.attrs.get("href", ""))
        inner = self.inline_of(node)
        if href.lower().startswith(WEB_SCHEMES):
            return f"#link({lit(href)})[{inner}];"
        for prefix in ENTITY_PREFIXES:
            if href.startswith(prefix):
                target = self.entity_label(href[len(prefix) :])
                if target:
                    return f"#link({go(target)})[{inner}];"
        return inner
