"""The detail pane's dataset parts as HTML: record citations ("ATOP 3180, defense = 1"), membership
years, same-as links with Confirm / Remove, and the values the documents and a dataset disagree on."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from app.core.query.views import DatasetCitation, EntityDetail, Link

DATASET_CSS = """
.rec a { color: #6a3d9a; }
.same { background-color: #f3eefb; padding: 4px; }
table.dis td { padding: 2px 8px 2px 0; vertical-align: top; }
.dataset-origin { color: #6a3d9a; }
"""


def record_text(rs: Sequence[DatasetCitation]) -> str:
    """ "ATOP 3180, defense = 1" (several variables of one record: "ATOP 3180, yrent = 1949; yrexit = 0")."""
    return f"{rs[0].dataset} {rs[0].record}, " + "; ".join(f"{r.field} = {r.value}" for r in rs)


def records_sup(records: Sequence[DatasetCitation]) -> str:
    """A superscript link per record cited: "[ATOP 3180, defense = 1]"; a membership's several
    variables shorten to "[ATOP 3180]", all of them in the tooltip. The link shows the whole row."""
    by_record: dict[int, list[DatasetCitation]] = {}
    for r in records:
        by_record.setdefault(r.record_id, []).append(r)
    if not by_record:
        return ""
    links = ",".join(
        f'<a href="record:{rid}" title="{escape(record_text(rs))}">'
        f"{escape(record_text(rs) if len(rs) == 1 else f'{rs[0].dataset} {rs[0].record}')}</a>"
        for rid, rs in by_record.items()
    )
    return f'<sup class="rec">[{links}]</sup>'


def link_years(link: Link) -> str:
    """ " 1949–" after a dataset membership (its entry and exit years), "" for other ties."""
    return f' <span class="src">{escape(link.years)}</span>' if link.years else ""


def origin_note(d: EntityDetail) -> str:
    """Beside the kind: which dataset an imported alliance or country comes from."""
    if d.origin != "dataset":
        return ""
    labels = dict.fromkeys(f"{r.dataset} {r.version}".strip() for r in d.records)
    where = ", ".join(labels) if labels else "an imported dataset"
    return f' &nbsp;<span class="dataset-origin"><i>from {escape(where)}</i></span>'


def obligations_value(d: EntityDetail) -> str:
    facts = [f for f in d.facts if f.field == "obligation" and f.value]
    return "; ".join(f"{escape(f.value or '')}{records_sup(f.records)}" for f in facts)


def _cited_as(entity_id: str) -> str:
    """ " (COW 2205)" after a dataset alliance's name, so two datasets' alliances are told apart."""
    from app.core.datasets.compare import is_dataset_id  # loaded by same_as_html, its one caller

    if not is_dataset_id(entity_id):
        return ""
    dataset, _, record = entity_id.partition("-")
    return f" ({escape(dataset.upper())} {escape(record)})"


def same_as_html(d: EntityDetail) -> str:
    """One line per same-as link: the other entity, the status, why, and Confirm / Remove."""
    if not d.same_as:
        return ""
    from app.core.datasets.compare import link_pair  # the datasets code loads when a link is shown

    out = []
    for link in d.same_as:
        ours, theirs = link_pair(d.id, link.id)
        actions = f'<a href="sameas:{escape(ours)}:{escape(theirs)}:removed" title="These are not the same">Remove</a>'
        if link.status != "confirmed":
            actions = (
                f'<a href="sameas:{escape(ours)}:{escape(theirs)}:confirmed" title="These are the same">Confirm</a>'
                f" · {actions}"
            )
        state = "confirmed" if link.status == "confirmed" else "proposed"
        why = f" ({escape(link.reason)})" if link.reason and state == "proposed" else ""
        out.append(
            f'<p class="same">Same as <a href="entity:{escape(link.id)}">{escape(link.name)}</a>{_cited_as(link.id)}'
            f' <span class="src">— {state}{why}</span> &nbsp;{actions}</p>'
        )
    return "".join(out)


def disagreements_html(d: EntityDetail) -> str:
    """Where the sources disagree: both values, each with its source and evidence, side by side."""
    if not d.disagreements:
        return ""
    rows = "".join(
        f'<tr><td class="k">{escape(x.what)}</td>'
        f'<td><b>{escape(x.catalogue.value)}</b> <span class="src">{escape(x.catalogue.source)}</span><br>'
        f'<span class="quote">{escape(x.catalogue.evidence)}</span></td>'
        f'<td><b>{escape(x.dataset.value)}</b> <span class="src">{escape(x.dataset.source)}</span><br>'
        f'<span class="quote">{escape(x.dataset.evidence)}</span></td></tr>'
        for x in d.disagreements
    )
    return f'<h3>Where the sources disagree ({len(d.disagreements)})</h3><table class="dis">{rows}</table>'


def records_evidence_html(d: EntityDetail) -> str:
    """The dataset records behind the shown facts, one line per record with the variables cited."""
    by_record: dict[int, list[DatasetCitation]] = {}
    for r in d.records:
        by_record.setdefault(r.record_id, []).append(r)
    if not by_record:
        return ""
    out = [f"<h3>Dataset records ({len(by_record)})</h3>", '<table cellspacing="0" cellpadding="3">']
    for rid, rs in by_record.items():
        first = rs[0]
        out.append(
            f'<tr><td><a href="record:{rid}" title="Show the whole row">{escape(record_text(rs))}</a><br>'
            f'<span class="src">{escape(first.file)}, {escape(first.dataset)} {escape(first.version)}</span></td></tr>'
        )
    out.append("</table>")
    return "".join(out)
