"""What an import would write (the preview of a DatasetPlan) and, after it, the import report."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

SAMPLE_ROWS = 300  # the sample table shows the first alliances, earliest first
COLUMNS = ("Record", "Name", "From", "To", "Members", "Obligations")


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def summary_html(report: dict[str, Any], *, done: bool) -> str:
    """One paragraph: what was (or would be) imported, the codes no library knows, the rows skipped."""
    head = "Imported" if done else "Will import"
    version = report.get("version") or "(version not in the file names)"
    unknown = report.get("unknown_codes") or []
    skipped = report.get("skipped") or []
    lines = [
        f"<b>{head} {report.get('dataset', '')} {version}:</b> {_plural(int(report['alliances']), 'alliance')}, "
        f"{_plural(int(report['memberships']), 'membership')}, "
        f"{_plural(int(report['countries']), 'country', 'countries')}",
        "Unknown country codes (kept as “COW N”): " + ", ".join(str(c) for c in unknown)
        if unknown
        else "Every country code was named.",
        f"{_plural(len(skipped), 'row')} skipped (see Skipped rows)." if skipped else "No row was skipped.",
    ]
    if not done:
        lines.append("Importing again replaces this dataset's alliances and changes nothing else.")
    return "<br>".join(lines)


class PlanPreview(QWidget):
    """A summary line, a sample table of alliances and the skipped rows with their reasons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Choose the dataset's files to see what will be imported.", self)
        self.summary.setObjectName("dataset_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("Import summary")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("dataset_sample")
        self.table.setAccessibleName("Alliances to import (sample)")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.skipped = QListWidget(self)
        self.skipped.setObjectName("dataset_skipped")
        self.skipped.setAccessibleName("Skipped rows and why")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.table, "Alliances")
        self.tabs.addTab(self.skipped, "Skipped rows")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)

    def clear(self, message: str) -> None:
        self.summary.setText(message)
        self.table.setRowCount(0)
        self.skipped.clear()
        self.tabs.setTabText(0, "Alliances")
        self.tabs.setTabText(1, "Skipped rows")

    def show_plan(self, plan: Any) -> None:
        """The preview: ``plan`` is an app.core.datasets.DatasetPlan."""
        report = plan.report()
        self.summary.setText(summary_html(report, done=False))
        names = {c.entity_id: c.name for c in plan.countries.values()}
        alliances = sorted(plan.alliances, key=lambda a: (a.founded or 0, a.name.casefold()))
        shown = alliances[:SAMPLE_ROWS]
        self.table.setRowCount(len(shown))
        for r, a in enumerate(shown):
            obligations = sorted({f.value for f in a.facts if f.field == "obligation" and f.value})
            members = ", ".join(names.get(m, m) for m in a.members)
            values = (
                f"{plan.label} {a.record}",
                a.name,
                "" if a.founded is None else str(a.founded),
                "" if a.ended is None else str(a.ended),
                str(len(a.members)),
                ", ".join(obligations),
            )
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 4:
                    item.setToolTip(members)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                elif c == 1:
                    item.setToolTip(a.name)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, min(self.table.columnWidth(1), 360))
        more = f" (first {len(shown):,} of {len(alliances):,})" if len(shown) < len(alliances) else ""
        self.tabs.setTabText(0, f"Alliances{more}")
        self._show_skipped(report["skipped"])

    def show_report(self, report: dict[str, Any]) -> None:
        """After the import: the report (the sample table stays as previewed)."""
        self.summary.setText(summary_html(report, done=True))
        self._show_skipped(report["skipped"])

    def _show_skipped(self, skipped: list[dict[str, Any]]) -> None:
        self.skipped.clear()
        for s in skipped:
            self.skipped.addItem(f"Line {s['row']}: {s['reason']}")
        self.tabs.setTabText(1, f"Skipped rows ({len(skipped)})")
