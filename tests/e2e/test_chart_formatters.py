"""Chart data reaches the page as JSON, and every tooltip `charts.js` gives ECharts is built
from text nodes (issue 14, item 1). Without a browser: the real pages' chart blocks are fed to
charts.js under Node with a stand-in for ECharts and the DOM, whose `innerHTML` refuses to be
written, and each tooltip is rendered for every data point."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from tests.e2e.chart_names import ATTACK, dashboards, seed_hostile_names

NODE = shutil.which("node")
CHARTS_JS = finders.find("analytics/charts.js")
JSON_BLOCK = re.compile(r'<script id="([^"]+)" type="application/json">(.*?)</script>', re.S)

HARNESS = r"""
const fs = require("fs");
const vm = require("vm");
const [chartsPath, payloadPath] = process.argv.slice(2);
const payloads = JSON.parse(fs.readFileSync(payloadPath, "utf8"));

class Element {
  constructor(tag) { this.tagName = tag.toUpperCase(); this.childNodes = []; this.style = {}; }
  appendChild(child) { this.childNodes.push(child); return child; }
  set innerHTML(html) { throw new Error("innerHTML written: " + html); }
  get textContent() { return this.childNodes.map((c) => c.textContent).join(""); }
  set textContent(text) { this.childNodes = [{ nodeType: 3, textContent: String(text) }]; }
  get lines() { return this.childNodes.map((c) => c.textContent); }
}
const options = {};
const containers = Object.keys(payloads).map((id) => ({
  getAttribute: () => id, remove() { options[id] = null; },
}));
const document = {
  readyState: "complete",
  documentElement: { classList: { add() {} } },
  querySelectorAll: () => containers,
  getElementById: (id) => ({ textContent: JSON.stringify(payloads[id]) }),
  createElement: (tag) => new Element(tag),
  createTextNode: (text) => ({ nodeType: 3, textContent: String(text) }),
};
const echarts = { init: (el) => ({ setOption(option) { options[el.getAttribute()] = option; } }) };
const window = { addEventListener() {} };
vm.runInNewContext(fs.readFileSync(chartsPath, "utf8"), { document, echarts, window, console });

function tooltips(node, found) {
  if (Array.isArray(node)) { node.forEach((n) => tooltips(n, found)); return found; }
  if (!node || typeof node !== "object") { return found; }
  for (const [key, value] of Object.entries(node)) {
    if (key === "tooltip" && value && typeof value === "object") { found.push(value); }
    else { tooltips(value, found); }
  }
  return found;
}

function render(formatter, params) {
  const out = formatter(params);
  return typeof out === "string" ? { html: out } : { lines: out.lines, tag: out.tagName };
}

// Every data point, as ECharts passes it to an axis tooltip or an item tooltip.
function shown(option) {
  const results = [];
  const axis = [].concat(option.xAxis || [], option.yAxis || []).find((a) => a.type === "category");
  for (const tip of tooltips(option, [])) {
    if (typeof tip.formatter !== "function") {
      results.push({ formatter: String(tip.formatter) });
      continue;
    }
    if (tip.trigger === "axis") {
      axis.data.forEach((label, i) => results.push(render(tip.formatter, option.series.map((s) => ({
        seriesName: s.name, axisValueLabel: label, color: "#123456",
        value: s.data[i] && typeof s.data[i] === "object" ? s.data[i].value : s.data[i],
      })))));
    } else {
      option.series.forEach((s) => s.data.forEach((item) => results.push(render(tip.formatter, {
        seriesName: s.name, name: item.name, data: item, value: item.value, color: "#123456",
      }))));
    }
  }
  return results;
}

const result = { charts: {} };
for (const [id, option] of Object.entries(options)) {
  result.charts[id] = option === null ? null : shown(option);
}
// A chart that forgot: an HTML formatter, a string template, and a tooltip on a data item.
if (window.manyiCharts) {
  const forgetful = window.manyiCharts.textOnly({
    tooltip: { formatter: (p) => "<img src=x onerror=alert(1)>" + p.name },
    series: [{ type: "bar", data: [{ value: 1, tooltip: { formatter: "{b}<br>{c}" } }] }],
  });
  result.forgetful = tooltips(forgetful, []).map((tip) =>
    render(tip.formatter, { name: process.argv[4], seriesName: "s", value: 1, color: "#000" }));
}
console.log(JSON.stringify(result));
"""


def run_charts_js(payloads: dict, tmp_path: Path) -> dict:
    payload_file = tmp_path / "payloads.json"
    payload_file.write_text(json.dumps(payloads), encoding="utf-8")
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    done = subprocess.run(
        [NODE, str(harness), CHARTS_JS, str(payload_file), ATTACK],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_chart_tooltips_show_every_name_as_text(client, analyst, tmp_path):
    # given hostile names everywhere, and answers from this month
    survey = seed_hostile_names(analyst)["survey"]
    today = timezone.localdate()
    period = {"since": today.replace(day=1).isoformat(), "until": today.isoformat()}
    client.force_login(analyst)
    payloads, expected = {}, {}
    for url, charts in dashboards(survey):
        # when the page is rendered
        page = client.get(url, period).content.decode()
        # then its chart data is JSON only (json_script), with the names as stored
        assert ATTACK not in page, url
        blocks = {key: json.loads(text) for key, text in JSON_BLOCK.findall(page)}
        assert set(charts) <= set(blocks), url
        for chart_id, names in charts.items():
            key = f"{url}#{chart_id}"
            payloads[key], expected[key] = blocks[chart_id], names
            assert not names or set(names) & set(strings(blocks[chart_id])), key

    # when charts.js draws them all and each tooltip is shown for every data point
    drawn = run_charts_js(payloads, tmp_path)

    # then each tooltip is built of text nodes that show the names literally
    for key, names in expected.items():
        tips = drawn["charts"][key]
        assert tips, key
        assert all("lines" in tip for tip in tips), (key, tips[:2])
        text = "\n".join(line for tip in tips for line in tip["lines"])
        assert not names or any(name in text for name in names), (key, text[:300])
    # and a tooltip that brings its own HTML or template gets the text formatter all the same
    assert drawn.get("forgetful") == [
        {"lines": [f"{ATTACK}: 1"], "tag": "DIV"},
        {"lines": [f"{ATTACK}: 1"], "tag": "DIV"},
    ]
