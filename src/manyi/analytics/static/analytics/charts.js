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

  /* A value with its interval, as the tables write it: 59.5% [56.3 – 62.6]. */
  function withInterval(value, low, high, unit) {
    var text = show(value, unit);
    if (value !== null && value !== undefined && low !== null && low !== undefined &&
        high !== null && high !== undefined) {
      text += " [" + low + " – " + high + "]";
    }
    return text;
  }

  /* Axis tooltips: the category, then each series' value (and interval) in its colour. The
     helper series that draw intervals (bands, whiskers) are not listed on their own. */
  function axisLines(unit, data, step) {
    return function (params) {
      return [{ text: params.length ? params[0].axisValueLabel : "", header: true }].concat(
        params.filter(function (p) { return !/^interval-/.test(p.seriesId || ""); }).map(function (p) {
          var s = data && data.series ? data.series[Math.floor(p.seriesIndex / (step || 1))] : null;
          var raw = p.value !== null && typeof p.value === "object" ? p.value.value : p.value;
          var low = s && s.low ? s.low[p.dataIndex] : null, high = s && s.high ? s.high[p.dataIndex] : null;
          return { text: p.seriesName + ": " + withInterval(raw, low, high, unit), color: p.color };
        })
      );
    };
  }

  /* A line per series with its 95 % interval as a shaded band (two stacked helper series:
     the low end, transparent, then high − low, filled). A period without answers is null:
     the line and the band break there instead of joining its neighbours. */
  function line(d) {
    var series = [], banded = d.series.length && d.series[0].low && d.series[0].high;
    d.series.forEach(function (s, i) {
      var colour = PALETTE[i % PALETTE.length];
      series.push({ name: s.name, id: "value-" + i, type: "line", connectNulls: false, z: 3,
        itemStyle: { color: colour }, lineStyle: { color: colour }, data: faded(s.values, s.reliable) });
      if (banded) {
        var has = function (j) { return s.low[j] !== null && s.high[j] !== null && s.values[j] !== null; };
        series.push({ name: s.name, id: "interval-low-" + i, type: "line", stack: "interval-" + i,
          symbol: "none", connectNulls: false, silent: true, lineStyle: { opacity: 0 },
          data: s.low.map(function (v, j) { return has(j) ? v : null; }) });
        series.push({ name: d.interval_label || "", id: "interval-width-" + i, type: "line",
          stack: "interval-" + i, symbol: "none", connectNulls: false, silent: true,
          lineStyle: { opacity: 0 }, areaStyle: { color: colour, opacity: 0.15 },
          data: s.high.map(function (v, j) { return has(j) ? Math.round((v - s.low[j]) * 100) / 100 : null; }) });
      }
    });
    /* Dates marked on the time axis (an action's windows) and a target level: mark lines of
       the first series, labelled on the canvas. Labels come from functions, as everywhere
       here: a string formatter is an ECharts template ({b}, {style|...}), not text. */
    var marks = (d.marks || []).map(function (m) {
      return { xAxis: m.x, name: m.name,
        label: { formatter: function () { return m.name; }, position: "end" } };
    });
    if (d.target !== null && d.target !== undefined) {
      marks.push({ yAxis: d.target, name: d.target_label,
        label: { formatter: function () { return d.target_label + " " + show(d.target, d.unit); },
          position: "insideEndTop" },
        lineStyle: { color: BAD } });
    }
    if (marks.length && series.length) {
      series[0].markLine = { symbol: "none", silent: true, lineStyle: { type: "dashed", color: GREY },
        data: marks };
    }
    return {
      color: PALETTE, tooltip: { trigger: "axis", lines: axisLines(d.unit, d, banded ? 3 : 1) },
      legend: { top: 0, data: d.series.map(function (s) { return s.name; }) },
      grid: { left: 48, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: d.x },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: function (v) { return v + d.unit; } } },
      series: series
    };
  }

  /* Whiskers (95 % intervals) over bars: a custom series per bar series, placed where
     ECharts puts that series' bar (the gaps are fixed below so that the arithmetic holds). */
  var BAR_GAP = 0.3, CATEGORY_GAP = 0.2;
  function whiskers(s, index, count, horizontal) {
    return {
      id: "interval-" + index, name: s.name, type: "custom", silent: true, z: 4,
      data: s.values.map(function (v, j) {
        return v === null || s.low[j] === null || s.high[j] === null ? [j, NaN, NaN] : [j, s.low[j], s.high[j]];
      }),
      renderItem: function (params, api) {
        if (isNaN(api.value(1))) { return null; }
        var band = api.size(horizontal ? [0, 1] : [1, 0])[horizontal ? 1 : 0];
        var group = band * (1 - CATEGORY_GAP), width = group / (count + (count - 1) * BAR_GAP);
        var offset = -group / 2 + index * width * (1 + BAR_GAP) + width / 2;
        var a = horizontal ? api.coord([api.value(1), api.value(0)]) : api.coord([api.value(0), api.value(1)]);
        var b = horizontal ? api.coord([api.value(2), api.value(0)]) : api.coord([api.value(0), api.value(2)]);
        var cap = Math.min(6, width / 3), style = { stroke: "#1d2733", lineWidth: 1.2 };
        var shapes = horizontal
          ? [[a[0], a[1] + offset, b[0], b[1] + offset], [a[0], a[1] + offset - cap, a[0], a[1] + offset + cap], [b[0], b[1] + offset - cap, b[0], b[1] + offset + cap]]
          : [[a[0] + offset, a[1], b[0] + offset, b[1]], [a[0] + offset - cap, a[1], a[0] + offset + cap, a[1]], [b[0] + offset - cap, b[1], b[0] + offset + cap, b[1]]];
        return { type: "group", children: shapes.map(function (c) {
          return { type: "line", shape: { x1: c[0], y1: c[1], x2: c[2], y2: c[3] }, style: style };
        }) };
      }
    };
  }

  function ranking(d) {
    var interval = d.low && d.high ? [whiskers({ name: d.name, values: d.values, low: d.low, high: d.high }, 0, 1, true)] : [];
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, lines: axisLines("%", { series: [{ low: d.low, high: d.high }] }) },
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: function (v) { return v + "%"; } } },
      yAxis: { type: "category", inverse: true, data: d.labels },
      series: [{
        name: d.name, type: "bar",
        data: d.values.map(function (v, i) {
          return { value: v, itemStyle: { color: d.below[i] ? BAD : BRAND, opacity: d.reliable[i] ? 1 : 0.35 } };
        }),
        label: { show: true, position: "insideRight", color: "#fff", formatter: function (p) { return show(p.value, "%"); } },
        markLine: { symbol: "none", lineStyle: { color: "#1d2733", type: "dashed" },
          label: { position: "start", formatter: function (p) { return d.target_label + " " + show(p.value, "%"); } },
          data: [{ xAxis: d.target }] },
        barCategoryGap: CATEGORY_GAP * 100 + "%"
      }].concat(interval)
    };
  }

  function bars(d) {
    return {
      color: PALETTE, tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, lines: axisLines(d.unit, d) },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, barGap: BAR_GAP * 100 + "%", barCategoryGap: CATEGORY_GAP * 100 + "%" };
      }).concat(d.series.filter(function (s) { return s.low && s.high; }).map(function (s) {
        return whiskers(s, d.series.indexOf(s), d.series.length, false);
      }))
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
