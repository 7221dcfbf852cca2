"""The satisfaction report as an Excel workbook: the summary and the tables behind every chart,
then one row per response. Numbers are written as numbers with number formats, so the file can
be recalculated and charted in Excel.

Every row goes in through `manyi.core.tabular.xlsx_append`, like every other export: text from
users (item names, comments, answers) is never written as a formula."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from manyi.core.tabular import xlsx_append
from manyi.metrics.scores import Estimate

from .build import QUADRANT_LABELS, SatisfactionReport

ONE = "0.0"
TWO = "0.00"
BOLD = Font(bold=True)
GREY = Font(color="808080")


def _header(ws, names: Iterable[str]) -> None:
    for cell in xlsx_append(ws, [str(n) for n in names]):
        cell.font = BOLD
    ws.freeze_panes = f"A{ws.max_row + 1}"


def _title(ws, text: str) -> None:
    xlsx_append(ws, [text])[0].font = BOLD


def _row(ws, values: list, formats: dict[int, str] | None = None, grey: bool = False) -> list:
    cells = xlsx_append(ws, values)
    for index, cell in enumerate(cells):
        if formats and index in formats and isinstance(cell.value, int | float):
            cell.number_format = formats[index]
        if grey:
            cell.font = GREY
    return cells


def _widths(ws, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _estimate_cells(e: Estimate) -> list:
    return [e.value, e.low, e.high, e.n, _("yes") if e.reliable else _("no")]


def _summary(ws, report: SatisfactionReport) -> None:
    ws.title = _("Summary")
    xlsx_append(ws, [_("Satisfaction report")])[0].font = Font(bold=True, size=14)
    xlsx_append(ws, [report.title])
    for cell in _row(ws, [_("Period"), report.since, report.until])[1:]:
        cell.number_format = "yyyy-mm-dd"
    xlsx_append(ws, [_("Method"), report.method.text])
    xlsx_append(ws, [])
    s = report.sample
    _title(ws, _("Sample"))
    _row(ws, [_("Invitations delivered"), s.delivered])
    _row(ws, [_("Answered after invitation"), s.answered])
    _row(ws, [_("Response rate (%)"), s.response_rate], {1: ONE})
    _row(ws, [_("Responses submitted"), s.submitted])
    _row(ws, [_("Valid responses"), s.valid])
    _row(ws, [_("Valid rate (%)"), s.valid_rate], {1: ONE})
    xlsx_append(ws, [])
    _header(ws, [_("Figure"), _("Estimate"), _("Low (95 %)"), _("High (95 %)"), "n", _("Reliable")])
    ws.freeze_panes = None
    h = report.headline
    rows = [
        (_("Satisfaction index CSI (%)"), h.csi, ONE),
        (_("CSAT, top-2-box (%)"), h.csat, ONE),
        (_("CSAT mean (1-5)"), h.csat_mean, TWO),
        (_("NPS (-100 to +100)"), h.nps, ONE),
        (_("CES mean (1-7)"), h.ces, TWO),
    ]
    for label, estimate, fmt in rows:
        cells = [label, *_estimate_cells(estimate)]
        _row(ws, cells, {1: fmt, 2: fmt, 3: fmt}, grey=not estimate.reliable)
    xlsx_append(ws, [])
    _title(ws, _("Findings"))
    for sentence in report.findings:
        xlsx_append(ws, [sentence])
    xlsx_append(ws, [])
    _title(ws, _("Recommendations"))
    if report.recommendations.strip():
        xlsx_append(ws, [report.recommendations])
    else:
        xlsx_append(
            ws, [_("No recommendations written for this period yet. Suggested from the figures:")]
        )
        for suggestion in report.suggested:
            xlsx_append(ws, [suggestion])
    _widths(ws, [34, 18, 14, 14, 8, 10])


def _items(ws, report: SatisfactionReport) -> None:
    _header(
        ws,
        [
            _("Rank"), _("Code"), _("Evaluated item"), _("Weight"), _("Satisfaction (%)"),
            _("Low (95 %)"), _("High (95 %)"), "n", _("Below target"), _("Importance (1-5)"),
            _("Derived importance (share of R²)"), _("Quadrant"),
        ],
    )  # fmt: skip
    for rank, r in enumerate(report.items.rows, start=1):
        s = r.satisfaction
        values = [
            rank, r.code, r.name, r.weight, s.value, s.low, s.high, s.n,
            _("yes") if r.below_target else _("no"), r.importance.value, r.derived,
            str(QUADRANT_LABELS.get(r.quadrant, "")),
        ]  # fmt: skip
        formats = {3: "0.00##", 4: ONE, 5: ONE, 6: ONE, 9: TWO, 10: "0.0%"}
        _row(ws, values, formats, grey=not s.reliable)
    if report.items.rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Item satisfaction (%)")
        chart.legend = None
        last = len(report.items.rows) + 1
        chart.add_data(Reference(ws, min_col=5, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=3, min_row=2, max_row=last))
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        ws.add_chart(chart, f"B{last + 3}")
    _widths(ws, [6, 18, 20, 8, 14, 11, 11, 6, 12, 14, 16, 16])


def _gaps(ws, report: SatisfactionReport) -> None:
    _header(
        ws,
        [_("Code"), _("Evaluated item"), _("Expected (mean)"), _("Experienced (mean)"),
         _("Gap (experienced − expected)"), "n"],
    )  # fmt: skip
    for r in report.gaps:
        values = [r.code, r.name, r.expected.value, r.experienced.value, r.gap, r.experienced.n]
        _row(ws, values, {2: TWO, 3: TWO, 4: "+0.00;-0.00;0.00"}, grey=not r.experienced.reliable)
    _widths(ws, [18, 20, 16, 18, 26, 8])


def _trend(ws, report: SatisfactionReport) -> None:
    _header(
        ws,
        [_("Period from"), _("CSAT (%)"), "n", _("NPS"), "n", _("CES"), "n", _("CSI (%)"), "n"],
    )
    for p in report.trend:
        values = [p.period]
        for e in (p.csat, p.nps, p.ces, p.csi):
            values += [e.value, e.n]
        _row(ws, values, {1: ONE, 3: ONE, 5: TWO, 7: ONE})[0].number_format = "yyyy-mm-dd"
    _widths(ws, [14, 10, 6, 10, 6, 10, 6, 10, 6])


def _comments(ws, report: SatisfactionReport) -> None:
    if report.comments_cut:
        _title(
            ws,
            _("The latest %(shown)d of %(total)s comments; all of them are in the Data sheet.")
            % {"shown": len(report.comments), "total": report.comments_total_label},
        )
    _header(ws, [_("Submitted"), _("Question"), _("Comment")])
    for c in report.comments:
        _row(ws, [c.submitted_at, c.question, c.text])[0].number_format = "yyyy-mm-dd hh:mm"
    _widths(ws, [18, 40, 80])


def _when(value):
    if isinstance(value, str) and value:
        try:
            return timezone.localtime(dt.datetime.fromisoformat(value)).replace(tzinfo=None)
        except ValueError:
            return value
    return value


def report_xlsx(report: SatisfactionReport, data_rows: Iterable[list] | None) -> bytes:
    """The workbook's bytes. `data_rows` (header first, as `surveys.exporting.response_rows`
    yields them) fills the Data sheet; None leaves it out for users who may not export."""
    wb = Workbook()
    _summary(wb.active, report)
    # "Items" alone is also a shop's goods (商品): the sheet of evaluated items says so.
    _items(wb.create_sheet(pgettext("report sheet", "Items")), report)
    _gaps(wb.create_sheet(_("Gaps")), report)
    _trend(wb.create_sheet(_("Trend")), report)
    _comments(wb.create_sheet(_("Comments")), report)
    if data_rows is not None:
        ws = wb.create_sheet(_("Data"))
        dates: set[int] = set()
        for i, row in enumerate(data_rows):
            if i == 0:
                _header(ws, row)
                dates = {n for n, name in enumerate(row) if name == "submitted_at"}
            else:
                # the export's ISO timestamps become Excel dates (local wall-clock time)
                row = [_when(v) if n in dates else v for n, v in enumerate(row)]
                for n, cell in enumerate(xlsx_append(ws, row)):
                    if n in dates and cell.value is not None:
                        cell.number_format = "yyyy-mm-dd hh:mm"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
