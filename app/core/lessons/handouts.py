"""A lesson's quiz on paper: the student handout, the answer key and the collected results, as PDFs.

Typeset by Typst exactly as the PDF summary is (``report_pdf.compile_source``: the bundled fonts
only, an empty root folder, no system fonts) and every user string enters as a string literal
(``typst_markup.text``/``lit``), never as markup. The handout has the questions and their choices
with boxes to tick and lines to write on, and no answers; the key marks each answer and gives its
verbatim quote with the document, its title and the characters quoted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app import APP_NAME
from app.core.exports.typst_markup import lit, text
from app.core.lessons.model import Lesson, LessonError

if TYPE_CHECKING:
    from app.core.exports.report_data import Progress
    from app.core.lessons.answers import Collection

LETTERS = "ABCDEFGHIJ"

_TEMPLATE = """
#let ink = rgb("#1a1a1a")
#let navy = rgb("#12355b")
#let muted = rgb("#555555")
#let rule = rgb("#9aa8b6")
#let good = rgb("#1d6b35")
#set document(title: hd-title, author: "Alliance Atlas")
#set text(font: ("Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback"), size: 11pt, fill: ink, lang: "en",
          ligatures: false)
#set par(leading: 0.6em, spacing: 0.8em)
#set page(paper: "a4", margin: (x: 20mm, top: 18mm, bottom: 20mm),
  footer: context {
    set text(size: 8pt, fill: rgb("#4a5866"))
    grid(columns: (1fr, auto), column-gutter: 6mm,
         box(height: 1em, clip: true, hd-footer),
         [Page #counter(page).display() of #counter(page).final().first()])
  })
#show heading.where(level: 1): set text(size: 20pt, weight: 700, fill: navy)
#show heading.where(level: 1): set block(below: 0.6em)
#show heading.where(level: 2): set text(size: 13pt, weight: 700, fill: navy)
#show heading.where(level: 2): set block(above: 1.4em, below: 0.6em)
#let question(num, body) = block(breakable: false, above: 1.3em, below: 0.5em,
  grid(columns: (2.2em, 1fr), text(weight: 700, fill: navy)[#num.], text(weight: 700, body)))
#let choice(letter, body, right: false) = block(above: 0.45em, below: 0.45em, inset: (left: 2.2em),
  grid(columns: (1.4em, 1.6em, 1fr), align: horizon,
       if right { text(fill: good, weight: 700)[✓] } else { box(width: 0.85em, height: 0.85em, stroke: 0.7pt + ink) },
       text(weight: 700)[#letter)], if right { text(fill: good, weight: 700, body) } else { body }))
#let write-lines(n) = block(above: 0.8em, inset: (left: 2.2em), breakable: false,
  for i in range(n) { block(above: 0pt, below: 0pt, height: 2.2em, width: 100%,
                            align(bottom, line(length: 100%, stroke: 0.5pt + rule))) })
#let quoted(body) = block(above: 0.7em, below: 0.4em, inset: (left: 10pt, y: 3pt), stroke: (left: 1.5pt + rule),
                          emph(body))
#let cite(body) = block(above: 0.3em, below: 0.9em, inset: (left: 10pt), text(size: 9pt, fill: muted, body))
#let small(body) = text(size: 9pt, fill: muted, body)
"""


def _head(title: str, footer: str) -> list[str]:
    return [f"#let hd-title = {lit(title)}", f"#let hd-footer = {lit(footer)}", _TEMPLATE]


def _lesson_line(lesson: Lesson) -> str:
    parts = [p for p in (lesson.author, lesson.created) if p]
    return " · ".join(parts)


def _questions(lesson: Lesson) -> list[Any]:
    if not lesson.quiz or not lesson.quiz.questions:
        raise LessonError(f"The lesson “{lesson.title}” has no quiz yet; make one first.")
    return list(lesson.quiz.questions)


def student_source(lesson: Lesson) -> str:
    """The handout: questions and choices, boxes to tick, lines to write on; no answers."""
    questions = _questions(lesson)
    out = _head(f"{lesson.title} — quiz", f"{APP_NAME} · {lesson.title} · quiz")
    out.append(f"= {text(lesson.title)}")
    line = _lesson_line(lesson)
    if line:
        out.append(f"#small[{text(line)}]")
    out.append(
        "#block(above: 1.2em, below: 1em, grid(columns: (auto, 1fr, auto, 9em), column-gutter: 0.6em, align: bottom,"
        " [Name:], line(length: 100%, stroke: 0.5pt + ink), [Date:], line(length: 100%, stroke: 0.5pt + ink)))"
    )
    out.append(
        "#small[Tick one box for each question. Use the lines below it to say where you found the answer or why"
        " you chose it.]"
    )
    for i, q in enumerate(questions, 1):
        out.append(
            "#block(breakable: false, above: 1.4em, below: 0.4em)["
        )  # a question, its choices and its lines on one page
        out.append(f"#question({i}, [{text(q.question)}])")
        for letter, c in zip(LETTERS, q.choices, strict=False):
            out.append(f"#choice([{letter}], [{text(c)}])")
        out.append("#write-lines(2)")
        out.append("]")
    return "\n".join(out) + "\n"


def key_source(lesson: Lesson, documents: Mapping[str, str]) -> str:
    """The answer key: each question, its answer marked, the verbatim quote and where it is."""
    questions = _questions(lesson)
    out = _head(f"{lesson.title} — answer key", f"{APP_NAME} · {lesson.title} · answer key")
    out.append(f"= {text(lesson.title)}")
    out.append("#block(below: 0.5em, text(size: 13pt, weight: 700, fill: muted)[Answer key])")
    line = _lesson_line(lesson)
    seed = f"quiz seed {lesson.quiz.seed}" if lesson.quiz else ""
    corpus = f"corpus {lesson.corpus[:12]}" if lesson.corpus else ""
    meta = " · ".join(p for p in (line, seed, corpus) if p)
    if meta:
        out.append(f"#small[{text(meta)}]")
    out.append(
        "#small[Every answer is backed by the quoted sentence; the document and the characters quoted say where"
        " to find it.]"
    )
    for i, q in enumerate(questions, 1):
        out.append(
            "#block(breakable: false, above: 1.4em, below: 0.4em)["
        )  # a question and its answer's quote on one page
        out.append(f"#question({i}, [{text(q.question)}])")
        for letter, c in zip(LETTERS, q.choices, strict=False):
            right = ", right: true" if c == q.answer else ""
            out.append(f"#choice([{letter}], [{text(c)}]{right})")
        letter = LETTERS[q.choices.index(q.answer)]
        out.append(f"#quoted[“{text(q.quote)}”]")
        title = documents.get(q.document) or q.document
        where = f", characters {q.start}–{q.end}" if q.start is not None and q.end is not None else ""
        out.append(f"#cite[Answer {letter}. Source: #emph[{text(title)}] ({text(q.document)}{text(where)})]")
        out.append("]")
    return "\n".join(out) + "\n"


def results_source(collection: Collection) -> str:
    """The collected results: a table per question and one per student."""
    lesson = collection.pack.lesson
    out = _head(f"{lesson.title} — results", f"{APP_NAME} · {lesson.title} · results")
    out.append(f"= {text(lesson.title)}")
    out.append("#block(below: 0.5em, text(size: 13pt, weight: 700, fill: muted)[Quiz results])")
    n = len(collection.students)
    out.append(f"#small[{text(f'{n} student' + ('' if n == 1 else 's'))}]")
    questions = collection.per_question()
    if not questions:
        out.append("The lesson has no quiz.")
        return "\n".join(out) + "\n"
    width = max(len(r.counts) for r in questions)
    heads = ["\\#", "Question", "Right", *[LETTERS[i] for i in range(width)]]
    out.append("== By question")
    out.append("#[#set text(size: 9pt)")
    cols = ", ".join(["auto", "1fr", "auto", *["auto"] * width])
    out.append(f"#table(columns: ({cols}), stroke: 0.4pt + rule, inset: 4pt,")
    out.append("  table.header(" + ", ".join(f"[*{h}*]" for h in heads) + "),")
    for r in questions:
        cells = [
            str(r.index + 1),
            text(r.question) + f" #small[({text('answer: ' + r.answer)})]",
            f"{r.correct}/{r.answered}",
        ]
        cells += [f"#strong[{count}]" if c == r.answer else str(count) for c, count in r.counts]
        cells += [""] * (width - len(r.counts))
        out.append("  " + ", ".join(f"[{c}]" for c in cells) + ",")
    out.append(")]")
    out.append("== By student")
    out.append("#[#set text(size: 9pt)")
    out.append("#table(columns: (auto, auto, auto, 1fr), stroke: 0.4pt + rule, inset: 4pt,")
    out.append("  table.header([*Student*], [*Right*], [*Answered*], [*Notes*]),")
    for s in collection.per_student():
        cells = [text(s.student), f"{s.correct} of {s.total}", str(s.answered), text(s.notes)]
        out.append("  " + ", ".join(f"[{c}]" for c in cells) + ",")
    out.append(")]")
    return "\n".join(out) + "\n"


def _compile(source: str, isolated: bool, progress: Progress | None) -> bytes:
    """``isolated``: typeset in a child process (the window: Typst's caches go when it ends, and
    ``progress`` returning False stops it at once: :class:`Cancelled`)."""
    from app.core.exports.report_pdf import compile_isolated, compile_source

    if isolated:
        return compile_isolated(source, {}, progress=progress)[0]
    return compile_source(source, {})[0]


def student_pdf(lesson: Lesson, *, isolated: bool = False, progress: Progress | None = None) -> bytes:
    return _compile(student_source(lesson), isolated, progress)


def key_pdf(
    lesson: Lesson, documents: Mapping[str, str], *, isolated: bool = False, progress: Progress | None = None
) -> bytes:
    """``documents``: document id -> title (the repository's documents and the payload's copies)."""
    return _compile(key_source(lesson, documents), isolated, progress)


def results_pdf(collection: Collection, *, isolated: bool = False, progress: Progress | None = None) -> bytes:
    return _compile(results_source(collection), isolated, progress)


def write_pdf(path: Path, data: bytes) -> Path:
    """Write ``data`` atomically (a failure leaves any earlier file as it was)."""
    from app.core.fileio import atomic_write

    def write(fh: IO[Any]) -> None:
        fh.write(data)

    atomic_write(Path(path), write, binary=True)
    return Path(path)
