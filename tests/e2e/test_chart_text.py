"""Names in charts are text, never markup (issue 14, item 1): every name that reaches a chart
is hostile, the mouse sweeps every chart on every dashboard so that tooltips open, and no
script runs, no element is injected, and the tooltips show the names literally."""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.e2e.chart_names import ATTACK, dashboards, seed_hostile_names

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

# Records, from the first script on, every text shown in a chart's own elements (the
# tooltips; the pictures themselves are canvas) and every element that markup would create.
RECORDER = """
window.__chartTexts = [];
window.__injected = [];
new MutationObserver(function (mutations) {
  mutations.forEach(function (m) {
    m.addedNodes.forEach(function (node) {
      if (node.nodeType !== 1) { return; }
      [node].concat(Array.from(node.querySelectorAll("*"))).forEach(function (el) {
        if ((el.tagName === "IMG" && el.getAttribute("src") === "x") || el.hasAttribute("onerror")
            || (el.tagName === "B" && el.closest("[data-chart]"))) {
          window.__injected.push(el.outerHTML);
        }
      });
    });
    var target = m.target.nodeType === 1 ? m.target : m.target.parentElement;
    var chart = target && target.closest("[data-chart]");
    if (chart) {
      window.__chartTexts.push(chart.getAttribute("data-chart") + "\\t" + chart.innerText);
    }
  });
}).observe(document, { childList: true, subtree: true, characterData: true });
"""

# Where each data point is drawn, in page coordinates (ECharts' public convertToPixel).
POINTS = """
(el) => {
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  const box = el.getBoundingClientRect();
  const category = (axes) => Boolean(axes && axes[0] && axes[0].type === "category");
  const points = [];
  option.series.forEach((series, index) => {
    if (String(series.id || "").startsWith("interval-")) { return; }  // bands and whiskers
    series.data.forEach((item, i) => {
      let value = item && typeof item === "object" && !Array.isArray(item) ? item.value : item;
      value = value === null || value === undefined ? 0 : value;
      const coords =
        category(option.xAxis) ? [i, value] : category(option.yAxis) ? [value, i] : value;
      const pixel = chart.convertToPixel({ seriesIndex: index }, coords);
      if (pixel && isFinite(pixel[0]) && isFinite(pixel[1])) {
        points.push([box.left + pixel[0], box.top + pixel[1]]);
      }
    });
  });
  return points;
}
"""


def sweep(page, element, dialogs: list) -> None:
    """Move the mouse over the chart in a grid (legend, axes, plot), then onto each data
    point. A dialog stops it: the test has failed, and more dialogs only cost time."""
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    grid = [
        (box["x"] + box["width"] * (col + 0.5) / 6, box["y"] + box["height"] * (row + 0.5) / 4)
        for row in range(4)
        for col in range(6)
    ]
    for x, y in grid + element.evaluate(POINTS):
        if dialogs:
            return
        page.mouse.move(x, y)
    page.mouse.move(0, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_chart_shows_hostile_names_as_text(live_server, analyst):
    # given hostile names everywhere, and answers from this month
    survey = seed_hostile_names(analyst)["survey"]
    today = timezone.localdate()
    period = urlencode({"since": today.replace(day=1).isoformat(), "until": today.isoformat()})
    dialogs: list[str] = []
    results = {}

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
        context.add_init_script(RECORDER)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", "analyst")
        page.fill("#id_password", "pw-for-tests-1")
        page.click("form.stack button[type=submit]")

        # when the analyst opens every page and moves the mouse across every chart
        for url, charts in dashboards(survey):
            response = page.goto(f"{live_server.url}{url}?{period}")
            assert response.status == 200, url
            for chart_id in charts:
                element = page.locator(f'[data-chart="{chart_id}"]')
                element.locator("canvas").first.wait_for()
                sweep(page, element, dialogs)
            results[url] = {
                "charts": charts,
                "texts": page.evaluate("window.__chartTexts"),
                "injected": page.evaluate("window.__injected"),
                "html": page.content(),
            }
            if dialogs:
                break
        browser.close()

    # then no script ran, no markup was made from a name, and the names were shown as typed
    assert dialogs == []
    for url, seen in results.items():
        assert seen["injected"] == [], (url, seen["injected"][:3])
        assert ATTACK not in seen["html"], url  # the page's own markup escapes the names
        for chart_id, names in seen["charts"].items():
            shown = [t.split("\t", 1)[1] for t in seen["texts"] if t.startswith(chart_id + "\t")]
            assert any(shown), f"no tooltip opened on {chart_id} at {url}"
            if names:
                assert any(n in text for n in names for text in shown), (url, chart_id, shown[:5])
