"""What reaches the terminal and the notes database: control characters escaped or stripped, line breaks kept."""

from __future__ import annotations

from app.core.textsafe import escape_controls, has_unsafe, invalid_text, strip_controls

BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def test_a_terminal_escape_in_printed_text_is_shown_not_obeyed() -> None:
    # A note title that tries to clear the screen and turn the text red prints as visible \uXXXX codes.
    assert escape_controls("a\x1b[2Jb\x1b[31m") == "a\\u001b[2Jb\\u001b[31m"
    assert escape_controls("bell\x07 rtl\u202e del\x7f") == "bell\\u0007 rtl\\u202e del\\u007f"
    # A carriage return would let a line overwrite itself on the terminal.
    assert escape_controls("ok\rEVIL") == "ok\\u000dEVIL"


def test_printed_text_keeps_its_line_breaks_and_tabs() -> None:
    assert escape_controls("first\n\tsecond") == "first\n\tsecond"


def test_only_the_clis_own_bold_survives_and_only_when_asked() -> None:
    hit = f"the {BOLD}NATO{PLAIN} treaty"
    # By default even bold is escaped (the text is data, not the CLI's own markup).
    assert escape_controls(hit) == "the \\u001b[1mNATO\\u001b[0m treaty"
    # The CLI's highlighter keeps its bold on/off, and every other escape around and between them is shown.
    mixed = f"\x1b[31mred {BOLD}hit\x07{PLAIN} after\x1b[2J"
    assert escape_controls(mixed, keep_own_sgr=True) == f"\\u001b[31mred {BOLD}hit\\u0007{PLAIN} after\\u001b[2J"
    assert escape_controls(f"{BOLD}{BOLD}x{PLAIN}", keep_own_sgr=True) == f"{BOLD}{BOLD}x{PLAIN}"
    assert escape_controls("no hit\x1b[5m", keep_own_sgr=True) == "no hit\\u001b[5m"


def test_a_note_body_keeps_its_paragraphs_whatever_the_line_endings() -> None:
    # Pasted from Windows (CRLF) or old Mac (CR): one newline per line break, no stray characters.
    assert strip_controls("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    assert strip_controls("nul\x00 esc\x1b[2J bidi\u202e bom\ufeff") == "nul esc[2J bidi bom"


def test_a_one_line_name_turns_tabs_and_newlines_into_spaces() -> None:
    assert strip_controls("Cold\tWar\nnotes\r!", multiline=False) == "Cold War notes !"
    assert strip_controls("a\x00b\x1bc", multiline=False) == "abc"


def test_bytes_that_were_not_utf8_become_the_replacement_character() -> None:
    assert strip_controls("caf\udce9") == "caf\ufffd"
    assert invalid_text("caf\udce9 ok") == 3
    assert invalid_text("café ok") is None


def test_has_unsafe_knows_a_tab_is_fine_in_a_body_but_not_in_a_title() -> None:
    assert not has_unsafe("a\tb\nc")
    assert has_unsafe("a\tb", multiline=False)
    assert has_unsafe("a\x1bb")
    assert not has_unsafe("plain title", multiline=False)
