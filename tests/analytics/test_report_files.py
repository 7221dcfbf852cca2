"""Issue 15, item 18: the report files. The items sheet is named for evaluated items; numbers
are numbers with formats; the PDF embeds its fonts (a CJK subset shipped with the project,
with Latin glyphs) so English keeps its letter spacing; the PDF charts the trend with
intervals, items against their target and the NPS distribution; a cut comment list says so;
a report without written recommendations suggests some from the figures."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from manyi.analytics.reports import build as report_module
from manyi.analytics.reports.build import join_names, report_build
from manyi.analytics.reports.excel import report_xlsx
from manyi.analytics.reports.pdf import FONT_FILE, report_pdf
from manyi.surveys.models import Dimension
from tests.analytics.test_reports import SINCE, UNTIL, data, survey  # noqa: F401

pytestmark = pytest.mark.django_db


def _fonts(reader: PdfReader) -> list[dict]:
    fonts = []
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            fonts.append({"name": font.get("/BaseFont"), "descriptor": descriptor.get_object()})
    return fonts


def _report(survey, analyst, language):  # noqa: F811
    with translation.override(language):
        return report_build(
            survey=survey, since=SINCE, until=UNTIL, user=analyst, language=language
        )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pdf_embeds_every_font_and_keeps_text_whole(data, analyst, language):  # noqa: F811
    Dimension.objects.filter(code="price").update(name_en="Well-priced <b>goods</b> & more")
    report = _report(data, analyst, language)
    with translation.override(language):
        reader = PdfReader(io.BytesIO(report_pdf(report)))
    fonts = _fonts(reader)
    assert fonts
    for font in fonts:  # every font carries its own glyphs: no viewer font is needed
        assert "/FontFile2" in font["descriptor"], font["name"]
    assert not any("STSong" in str(f["name"]) for f in fonts)
    text = "".join(page.extract_text() for page in reader.pages)
    if language == "en":
        assert "Well-priced <b>goods</b> & more" in text  # a name is text, never markup
        assert "W ell" not in text and "Satisfaction report" in text
        assert "Promoters, passives and detractors" in text and "Trend" in text
        assert "below the target" in text
    else:
        assert "满意度报告" in text and "推荐者、被动者与贬损者" in text
        assert "低于目标" in text
    assert FONT_FILE.stat().st_size < 4_000_000  # the shipped subset stays small


def test_the_excel_items_sheet_and_number_formats(data, analyst):  # noqa: F811
    with translation.override("zh-hans"):
        report = _report(data, analyst, "zh-hans")
        workbook = load_workbook(io.BytesIO(report_xlsx(report, None)))
    assert "评价指标" in workbook.sheetnames and "商品" not in workbook.sheetnames
    items = workbook["评价指标"]
    assert isinstance(items["E2"].value, int | float) and items["E2"].number_format == "0.0"
    assert items["E2"].data_type == "n"
    with translation.override("en"):
        workbook = load_workbook(io.BytesIO(report_xlsx(_report(data, analyst, "en"), None)))
    assert "Items" in workbook.sheetnames


def test_a_cut_comment_list_says_so(data, analyst, monkeypatch):  # noqa: F811
    monkeypatch.setattr(report_module, "MAX_COMMENTS", 2)
    report = _report(data, analyst, "en")
    assert len(report.comments) == 2 and report.comments_total == 3 and report.comments_cut
    with translation.override("en"):
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(report))).pages)
        workbook = load_workbook(io.BytesIO(report_xlsx(report, None)))
    assert "The latest 2 of 3 comments" in text
    first = next(workbook["Comments"].iter_rows(values_only=True))
    assert first[0].startswith("The latest 2 of 3 comments")


def test_comments_are_counted_up_to_a_cap_and_the_newest_come_first(data, analyst, monkeypatch):  # noqa: F811
    monkeypatch.setattr(report_module, "MAX_COMMENTS", 1)
    monkeypatch.setattr(report_module, "COMMENT_COUNT_CAP", 2)
    report = _report(data, analyst, "en")
    assert report.comments_total == 3 and report.comments_total_label == "2+"
    assert len(report.comments) == 1
    with translation.override("en"):
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(report))).pages)
    assert "The latest 1 of 2+ comments" in text
    monkeypatch.setattr(report_module, "MAX_COMMENTS", 30)
    monkeypatch.setattr(report_module, "COMMENT_COUNT_CAP", 1000)
    full = _report(data, analyst, "en")
    assert full.comments[0] == report.comments[0]
    times = [c.submitted_at for c in full.comments]
    assert times == sorted(times, reverse=True) and full.comments_total_label == "3"


def test_without_written_recommendations_the_figures_suggest_some(data, analyst):  # noqa: F811
    report = _report(data, analyst, "en")
    assert report.recommendations == ""
    # price (S = 60 %) is the one item below the 80 % target
    assert len(report.suggested) == 1
    assert report.suggested[0].startswith("Improve Price first: 60.0 % satisfied")
    with translation.override("en"):
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(report))).pages)
    assert "Suggested from the figures" in text and "Improve Price first" in text


def test_lists_in_running_text_use_the_languages_separator():
    assert join_names(["价格", "配送"], "zh-hans") == "价格、配送"
    assert join_names(["price", "delivery"], "en") == "price, delivery"
