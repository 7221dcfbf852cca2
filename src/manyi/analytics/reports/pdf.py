"""The satisfaction report as an A4 PDF. Text is set in the CID font STSong-Light, which PDF
readers carry for Chinese, so no font file is shipped or fetched; item scores are drawn as a
bar chart with reportlab.graphics."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from manyi.metrics.scores import Estimate

from .build import QUADRANT_LABELS, SatisfactionReport

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BRAND = colors.HexColor("#0b6e4f")
LINE = colors.HexColor("#d9e0e7")
MUTED = colors.HexColor("#808080")
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=11, textColor=MUTED)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=18, leading=24, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=BODY, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=11)
NUM = ParagraphStyle("num", parent=CELL, alignment=TA_RIGHT)
WIDTH = A4[0] - 36 * mm


# Characters outside the CID font's GB2312 repertoire, and what is drawn instead.
_SAFE = str.maketrans({"–": "-", "·": "|", "•": "-", "▼": "*", "−": "-"})


def _safe(text) -> str:
    return str(text).translate(_SAFE)


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(_safe(text)).replace("\n", "<br/>"), style)


def _num(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _interval(e: Estimate, digits: int = 1) -> str:
    if e.low is None or e.high is None:
        return "—"
    return f"{e.low:.{digits}f} - {e.high:.{digits}f}"


def _table(
    rows: list[list], widths: list[float], grey_rows: set[int] = frozenset(), text_cols=(0,)
) -> Table:
    """A house-style table: the first row is the header; numbers align right; rows resting on
    too few answers are grey."""
    data = []
    for r, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            style = CELL if i in text_cols else NUM
            if r in grey_rows:
                style = ParagraphStyle("grey", parent=style, textColor=MUTED)
            cells.append(_p(cell, style))
        data.append(cells)
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _headline(report: SatisfactionReport) -> Table:
    h = report.headline
    rows = [[_("Figure"), _("Estimate"), _("Interval (95 %)"), "n"]]
    grey = set()
    for label, e, digits in (
        (_("Satisfaction index CSI (%)"), h.csi, 1),
        (_("CSAT, top-2-box (%)"), h.csat, 1),
        (_("CSAT mean (1-5)"), h.csat_mean, 2),
        (_("NPS (-100 to +100)"), h.nps, 1),
        (_("CES mean (1-7)"), h.ces, 2),
    ):
        rows.append([label, _num(e.value, digits), _interval(e, digits), str(e.n)])
        if not e.reliable:
            grey.add(len(rows) - 1)
    return _table(rows, [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.28, WIDTH * 0.12], grey)


def _sample(report: SatisfactionReport) -> Table:
    s = report.sample
    rows = [
        [_("Sample"), ""],
        [_("Invitations delivered"), str(s.delivered)],
        [_("Answered after invitation"), str(s.answered)],
        [_("Response rate (%)"), _num(s.response_rate)],
        [_("Responses submitted"), str(s.submitted)],
        [_("Valid responses"), str(s.valid)],
        [_("Valid rate (%)"), _num(s.valid_rate)],
    ]
    return _table(rows, [WIDTH * 0.6, WIDTH * 0.4])


def _items(report: SatisfactionReport) -> Table:
    rows = [
        [
            _("Rank"), _("Evaluated item"), _("Weight"), _("Satisfaction (%)"),
            _("Interval (95 %)"), "n", _("Quadrant"),
        ]
    ]  # fmt: skip
    grey = set()
    for rank, r in enumerate(report.items.rows, start=1):
        s = r.satisfaction
        name = r.name + (" *" if r.below_target else "")
        rows.append(
            [
                str(rank), name, _num(r.weight, 2), _num(s.value), _interval(s), str(s.n),
                str(QUADRANT_LABELS.get(r.quadrant, "")),
            ]
        )  # fmt: skip
        if not s.reliable:
            grey.add(len(rows) - 1)
    widths = [WIDTH * f for f in (0.07, 0.25, 0.09, 0.15, 0.18, 0.08, 0.18)]
    return _table(rows, widths, grey, text_cols=(1, 6))


def _chart(report: SatisfactionReport) -> Drawing | None:
    """Horizontal bars of item satisfaction, least satisfied at the top, with the target."""
    scored = [r for r in report.items.rows if r.satisfaction.value is not None]
    if not scored:
        return None
    bar = 14
    height = bar * len(scored) + 40
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 95, 20
    chart.width, chart.height = WIDTH - 130, bar * len(scored)
    # Categories are drawn bottom-up: reverse so the least satisfied item is on top.
    ordered = list(reversed(scored))
    chart.data = [[r.satisfaction.value for r in ordered]]
    chart.categoryAxis.categoryNames = [r.name for r in ordered]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BRAND
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    for i, r in enumerate(ordered):
        if not r.satisfaction.reliable:
            chart.bars[(0, i)].fillColor = colors.HexColor("#b7c4bf")
    drawing.add(chart)
    target_x = chart.x + chart.width * report.items.target / 100
    drawing.add(
        Line(target_x, chart.y - 4, target_x, chart.y + chart.height + 4, strokeColor=colors.red)
    )
    label = _("target %(target).0f %%") % {"target": report.items.target}
    drawing.add(
        String(target_x, chart.y + chart.height + 7, label, fontName=FONT, fontSize=7,
               fillColor=colors.red, textAnchor="middle")
    )  # fmt: skip
    return drawing


def _gaps(report: SatisfactionReport) -> Table:
    rows = [[_("Evaluated item"), _("Expected (mean)"), _("Experienced (mean)"), _("Gap"), "n"]]
    for r in report.gaps:
        rows.append(
            [
                r.name, _num(r.expected.value, 2), _num(r.experienced.value, 2),
                f"{r.gap:+.2f}", str(r.experienced.n),
            ]
        )  # fmt: skip
    w = WIDTH
    return _table(rows, [w * 0.34, w * 0.18, w * 0.2, w * 0.14, w * 0.14])


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(18 * mm, 10 * mm, _safe(doc.title))
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
    canvas.restoreState()


def report_pdf(report: SatisfactionReport) -> bytes:
    buffer = io.BytesIO()
    title = f"{report.title} {report.since} ~ {report.until}"
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=18 * mm, title=title, author="manyi",
    )  # fmt: skip
    story = [
        _p(_("Satisfaction report"), SMALL),
        _p(report.title, TITLE),
        _p(_("Period: %(since)s ~ %(until)s") % {"since": report.since, "until": report.until}),
        _p(
            _("Generated %(when)s")
            % {"when": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")},
            SMALL,
        ),
        _p(_("Method"), H2),
        _p(report.method.text),
        Spacer(1, 6),
        _sample(report),
        _p(_("Overall results"), H2),
        _headline(report),
        _p(
            _("Grey figures rest on fewer than %(min)d answers and are indicative only.")
            % {"min": report.min_sample},
            SMALL,
        ),
        _p(_("Findings"), H2),
        *[_p("- " + sentence) for sentence in report.findings],
        _p(_("Item scores and ranking"), H2),
        _p(_("Least satisfied first; * below the target."), SMALL),
    ]
    if report.items.rows:
        story.append(_items(report))
        chart = _chart(report)
        if chart is not None:
            story += [Spacer(1, 8), chart]
    else:
        story.append(_p(_("No item scores in this period."), SMALL))
    if report.gaps:
        story += [_p(_("Expectation vs. experience"), H2), _gaps(report)]
    story.append(_p(_("Open comments"), H2))
    if report.comments:
        for c in report.comments:
            when = timezone.localtime(c.submitted_at).strftime("%Y-%m-%d")
            story.append(_p(f"{when} · {c.question}", SMALL))
            story.append(_p(c.text))
            story.append(Spacer(1, 3))
    else:
        story.append(_p(_("No comments in this period."), SMALL))
    story += [_p(_("Recommendations"), H2), _p(report.recommendations or "—")]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
