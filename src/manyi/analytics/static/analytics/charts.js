/* Draws the dashboard charts with ECharts from <script type="application/json"> blocks.
   Each <div class="chart" data-chart="ID"> is drawn from the JSON block with id ID. The
   numbers are all in the page's tables too: without JavaScript nothing is lost. */
(function () {
  "use strict";
  var GREY = "#9aa5b1", BAD = "#b42318", BRAND = "#0b6e4f";
  var PALETTE = [BRAND, "#2f6fb0", "#c77c02", "#7a4fb3", "#b42318"];

  function faded(values, reliable) {
    return values.map(function (v, i) {
      return reliable && !reliable[i] ? { value: v, itemStyle: { opacity: 0.35 } } : v;
    });
  }

  function line(d) {
    return {
      color: PALETTE, tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: d.x },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: "{value}" + d.unit } },
      series: d.series.map(function (s) {
        return { name: s.name, type: "line", connectNulls: true, data: faded(s.values, s.reliable) };
      })
    };
  }

  function ranking(d) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: d.labels },
      series: [{
        name: d.name, type: "bar",
        data: d.values.map(function (v, i) {
          return { value: v, itemStyle: { color: d.below[i] ? BAD : BRAND, opacity: d.reliable[i] ? 1 : 0.35 } };
        }),
        label: { show: true, position: "right", formatter: "{c}%" },
        markLine: { symbol: "none", lineStyle: { color: "#1d2733", type: "dashed" },
          label: { position: "start", formatter: d.target_label + " {c}%" }, data: [{ xAxis: d.target }] }
      }]
    };
  }

  function bars(d) {
    return {
      color: PALETTE, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { top: 0 },
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
      tooltip: { formatter: function (p) { return p.data.name + "<br>" + d.x_name + ": " + p.data.value[0] + "<br>" + d.y_name + ": " + p.data.value[1]; } },
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
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
