/* Draws the dashboard charts with ECharts from <script type="application/json"> blocks.
   Each <div class="chart" data-chart="ID"> is drawn from the JSON block with id ID. The
   numbers are all in the page's tables too: without JavaScript nothing is lost.

   Names in the data (evaluated items, surveys, segments, teams, regions, products, staff) are
   text, never markup. Axis labels, point labels and legends are drawn on the canvas, where text
   stays text; tooltips are the part ECharts writes into the page as HTML. So every option goes
   through `textOnly` before it is drawn: each tooltip in it, wherever it sits, gets a formatter
   that builds the tooltip from text nodes (`textContent`), from the plain lines the chart's
   `lines(params)` returns, or from ECharts' parameters when a chart gives none. A formatter
   that returns HTML is replaced, so a new chart cannot bring markup back by forgetting. */
(function () {
  "use strict";
  var GREY = "#9aa5b1", BAD = "#b42318", BRAND = "#0b6e4f";
  var PALETTE = [BRAND, "#2f6fb0", "#c77c02", "#7a4fb3", "#b42318"];

  function show(value, unit) {
    return value === null || value === undefined || value === "" ? "—" : String(value) + (unit || "");
  }

  /* A tooltip's content as DOM nodes: each line is a string, or {text, color, header}. */
  function textBlock(lines) {
    var box = document.createElement("div");
    box.className = "chart-tip";
    lines.forEach(function (line) {
      var row = document.createElement("div");
      var item = line !== null && typeof line === "object" ? line : { text: line };
      if (item.header) { row.className = "chart-tip-header"; }
      if (typeof item.color === "string") {
        var marker = document.createElement("span");
        marker.className = "chart-tip-marker";
        marker.style.backgroundColor = item.color;
        row.appendChild(marker);
      }
      row.appendChild(document.createTextNode(show(item.text)));
      box.appendChild(row);
    });
    return box;
  }

  /* Lines for a tooltip whose chart gave no `lines`: the axis value, then name: value. */
  function defaultLines(params) {
    var list = Array.isArray(params) ? params : [params];
    var lines = Array.isArray(params) && list.length ? [{ text: list[0].axisValueLabel, header: true }] : [];
    list.forEach(function (p) {
      var name = Array.isArray(params) ? p.seriesName : p.name || p.seriesName;
      var value = Array.isArray(p.value) ? p.value.join(", ") : p.value;
      var text = value === undefined ? show(name) : (name ? name + ": " : "") + show(value);
      lines.push({ text: text, color: p.color });
    });
    return lines;
  }

  function textTooltip(tooltip) {
    var lines = typeof tooltip.lines === "function" ? tooltip.lines : defaultLines;
    delete tooltip.lines;
    delete tooltip.valueFormatter;
    tooltip.renderMode = "html";
    if (tooltip.confine === undefined) { tooltip.confine = true; }  // stays on a 390 px screen
    tooltip.formatter = function (params) { return textBlock(lines(params)); };
  }

  /* Every tooltip anywhere in an option (chart, series, legend, axis, mark lines) shows text. */
  function textOnly(option) {
    (function walk(node) {
      if (Array.isArray(node)) { node.forEach(walk); return; }
      if (node === null || typeof node !== "object") { return; }
      Object.keys(node).forEach(function (key) {
        var value = node[key];
        if (key === "tooltip" && value && typeof value === "object") {
          (Array.isArray(value) ? value : [value]).forEach(textTooltip);
        } else {
          walk(value);
        }
      });
    })(option);
    return option;
  }

  function faded(values, reliable) {
    return values.map(function (v, i) {
      return reliable && !reliable[i] ? { value: v, itemStyle: { opacity: 0.35 } } : v;
    });
  }

  /* Axis tooltips: the category, then each series' value in its colour. */
  function axisLines(unit) {
    return function (params) {
      return [{ text: params.length ? params[0].axisValueLabel : "", header: true }].concat(
        params.map(function (p) {
          return { text: p.seriesName + ": " + show(p.value, unit), color: p.color };
        })
      );
    };
  }

  function line(d) {
    return {
      color: PALETTE, tooltip: { trigger: "axis", lines: axisLines(d.unit) }, legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: d.x },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: function (v) { return v + d.unit; } } },
      series: d.series.map(function (s) {
        return { name: s.name, type: "line", connectNulls: true, data: faded(s.values, s.reliable) };
      })
    };
  }

  function ranking(d) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, lines: axisLines("%") },
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: function (v) { return v + "%"; } } },
      yAxis: { type: "category", inverse: true, data: d.labels },
      series: [{
        name: d.name, type: "bar",
        data: d.values.map(function (v, i) {
          return { value: v, itemStyle: { color: d.below[i] ? BAD : BRAND, opacity: d.reliable[i] ? 1 : 0.35 } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return show(p.value, "%"); } },
        markLine: { symbol: "none", lineStyle: { color: "#1d2733", type: "dashed" },
          label: { position: "start", formatter: function (p) { return d.target_label + " " + show(p.value, "%"); } },
          data: [{ xAxis: d.target }] }
      }]
    };
  }

  function bars(d) {
    return {
      color: PALETTE, tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, lines: axisLines(d.unit) },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: d.series.map(function (s) { return { name: s.name, type: "bar", data: s.values }; })
    };
  }

  function quadrant(d) {
    if (!d.points.length) { return null; }
    var corner = function (text, pos) {
      return { type: "text", style: { text: text, fill: GREY, font: "13px sans-serif" }, left: pos.left, right: pos.right, top: pos.top, bottom: pos.bottom };
    };
    return {
      tooltip: {
        lines: function (p) {
          return [
            { text: p.data.name, header: true },
            d.x_name + ": " + show(p.data.value[0]),
            d.y_name + ": " + show(p.data.value[1])
          ];
        }
      },
      grid: { left: 56, right: 120, top: 32, bottom: 48 },
      xAxis: { type: "value", name: d.x_name, nameLocation: "middle", nameGap: 28, scale: true },
      yAxis: { type: "value", name: d.y_name, nameLocation: "middle", nameGap: 40, scale: true },
      graphic: [
        corner(d.labels.top_right, { right: 128, top: 36 }),
        corner(d.labels.bottom_right, { right: 128, bottom: 56 }),
        corner(d.labels.bottom_left, { left: 64, bottom: 56 }),
        corner(d.labels.top_left, { left: 64, top: 36 })
      ],
      series: [{
        type: "scatter", symbolSize: 14, itemStyle: { color: BRAND },
        data: d.points.map(function (p) { return { name: p.name, value: [p.x, p.y] }; }),
        label: { show: true, position: "right", formatter: function (p) { return p.data.name; } },
        markLine: { symbol: "none", silent: true, lineStyle: { color: GREY, type: "dashed" }, label: { show: false },
          data: [{ xAxis: d.x_cut }, { yAxis: d.y_cut }] }
      }]
    };
  }

  var KINDS = { line: line, ranking: ranking, bars: bars, quadrant: quadrant };

  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.documentElement.classList.add("charts-on");
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var option = KINDS[data.kind] && KINDS[data.kind](data);
      if (!option) { el.remove(); return; }
      var chart = echarts.init(el);
      chart.setOption(textOnly(option));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // For tests, and for any chart drawn elsewhere: the same text-only tooltips.
  window.manyiCharts = { textOnly: textOnly, kinds: KINDS };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
