"""A note's text in the PDF report: user text only ever as Typst string literals, Markdown as our own markup."""

from __future__ import annotations

import pytest

from app.core.exports.typst_markup import go, label, lit, markdown, text

LABELS = {"nato": "e-nato", "csto": "e-csto"}


def test_user_text_is_a_string_literal_with_only_the_needed_escapes() -> None:
    assert lit("plain words") == '"plain words"'
    assert lit(12) == '"12"'
    # Quote, backslash and line breaks escaped; other control characters dropped; a lone surrogate replaced.
    assert lit('a"b\\c\nd\re\tf\x07g\x85h\ud800i') == '"a\\"b\\\\c\\nd\\re\\tfgh\ufffdi"'
    assert lit("\x00\x1f\x7f\x9f\xa0") == '"\xa0"'
    assert lit("\udfff") == '"\ufffd"' and lit("\ue000") == '"\ue000"'
    assert lit('#read("/etc/passwd")') == '"#read(\\"/etc/passwd\\")"'


def test_text_in_markup_is_an_embedded_literal_ended_by_a_semicolon() -> None:
    assert text("*not bold* $x$ @ref <l> // c") == '#"*not bold* $x$ @ref <l> // c";'
    assert text("") == ""


def test_labels_are_only_our_own_names() -> None:
    assert label("entity-nato-2") == "<entity-nato-2>"
    with pytest.raises(AssertionError):
        label("x> #read")


def md(source: str) -> str:
    return markdown(source, LABELS.get)


def test_markdown_inline_styles() -> None:
    assert md("Para with *em* and **strong** and ~~gone~~ and `code`  \nnext line\nsoft") == (
        '#"Para with ";#emph[#"em";];#" and ";#strong[#"strong";];#" and ";#strike[#"gone";];'
        '#" and ";#raw("code");#linebreak()#"next line"; #"soft";'
    )


def test_markdown_blocks() -> None:
    assert md("# Head") == '#strong[#"Head";];'
    assert md("- a\n- b") == '#list([#"a";], [#"b";])'
    assert md("3. three\n4. four") == '#enum(start: 3, [#"three";], [#"four";])'
    assert md("1. one") == '#enum(start: 1, [#"one";])'
    assert md("> quoted") == '#quote(block: true)[#"quoted";]'
    assert md("```\ncode block\n```") == '#raw("code block", block: true)'
    assert md("    indented code\n") == '#raw("indented code", block: true)'
    assert md("---") == "#line(length: 100%, stroke: 0.5pt + gray)"
    assert md("one\n\n\n\ntwo") == '#"one";\n\n#"two";'
    assert md("") == ""


def test_a_markdown_table_fills_short_rows() -> None:
    assert md("| h1 | h2 |\n| --- | --- |\n| c1 |") == (
        '#table(columns: 2, table.header([#"h1";], [#"h2";]), [#"c1";], [])'
    )
    assert md("| h1 | h2 |\n| --- | --- |\n| a | b |\n| c | d |") == (
        '#table(columns: 2, table.header([#"h1";], [#"h2";]), [#"a";], [#"b";], [#"c";], [#"d";])'
    )


def test_links_and_images_never_load_or_open_anything_else() -> None:
    assert md("![alt text](x.png) ![](y.png)") == '#"[image: alt text]";#" ";#"[image: image]";'
    assert md("[web](https://x.org) [mail](MAILTO:a@b.c)") == (
        '#link("https://x.org")[#"web";];#" ";#link("MAILTO:a@b.c")[#"mail";];'
    )
    # To the entity's section: a stand-in address that pdf_links resolves in the finished PDF.
    assert md("[ent](entity:nato) [ent2](atlas:entity/csto)") == (
        f'#link({go("e-nato")})[#"ent";];#" ";#link({go("e-csto")})[#"ent2";];'
    )
    assert go("e-nato").startswith('"atlas-go:e-nato~')
    # An entity not in the summary, or any other target: only the text.
    assert md("[gone](entity:zzz) [rel](other.md)") == '#"gone";#" ";#"rel";'
    assert markdown("[ent](entity:nato)") == '#"ent";'  # no summary labels at all
    assert md("<b>html</b>") == '#"<b>html</b>";'


def test_a_table_of_only_a_header_row_and_code_keeping_its_trailing_spaces() -> None:
    assert md("| a | b |\n| --- | --- |") == '#table(columns: 2, table.header([#"a";], [#"b";]), )'
    # Only the final line breaks go: spaces a code block ends with are part of the code.
    assert md("```\ncode  \n\n```") == '#raw("code  ", block: true)'
