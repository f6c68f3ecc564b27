/* Charts and row expansion for the indicator board, the towns pages and the inspections browser.
   Charts are Apache ECharts (served locally); their data sits in the page as JSON. */
(function () {
  "use strict";
  var charts = [];

  function chartLocale() {
    return document.documentElement.lang === "en" ? "EN" : "ZH";
  }

  function make(el) {
    var chart = echarts.init(el, null, { locale: chartLocale(), renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function spark(el) {
    var points = JSON.parse(el.getAttribute("data-points"));
    make(el).setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 4, bottom: 4 },
      tooltip: {
        trigger: "axis",
        confine: true,
        valueFormatter: function (v) { return Number(v).toFixed(2); }
      },
      xAxis: { type: "category", show: false, data: points.map(function (p) { return p[0]; }) },
      yAxis: { type: "value", show: false, scale: true },
      series: [{
        type: "line",
        data: points.map(function (p) { return p[1]; }),
        symbolSize: 4,
        lineStyle: { width: 1.5 },
        itemStyle: { color: "#1f5fa8" }
      }]
    });
  }

  function rates(el) {
    var data = JSON.parse(document.getElementById(el.getAttribute("data-source")).textContent);
    var chart = make(el);
    var percent = function (v) { return v === null ? "—" : Number(v).toFixed(1) + "%"; };
    chart.setOption({
      animation: false,
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 36, bottom: 90 },
      tooltip: { trigger: "axis", confine: true },
      xAxis: {
        type: "category",
        data: data.names,
        axisLabel: { rotate: 45, interval: 0, fontSize: 11 }
      },
      yAxis: [
        { type: "value", name: data.labels.samples },
        { type: "value", name: data.labels.rate, scale: true, max: 100,
          axisLabel: { formatter: "{value}%" } }
      ],
      series: [
        { name: data.labels.samples, type: "bar", data: data.samples,
          itemStyle: { color: "#9fb8d6" } },
        { name: data.labels.rate, type: "line", yAxisIndex: 1, data: data.rate,
          itemStyle: { color: "#b3261e" }, tooltip: { valueFormatter: percent } },
        { name: data.labels.interval, type: "line", yAxisIndex: 1, data: data.low,
          symbol: "none", lineStyle: { type: "dashed", width: 1 },
          itemStyle: { color: "#d98c86" }, tooltip: { valueFormatter: percent } },
        { name: data.labels.interval, type: "line", yAxisIndex: 1, data: data.high,
          symbol: "none", lineStyle: { type: "dashed", width: 1 },
          itemStyle: { color: "#d98c86" }, tooltip: { valueFormatter: percent } }
      ]
    });
    chart.on("click", function (params) {
      var link = data.links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
  }

  var builders = { spark: spark, rates: rates };

  function init(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-ready")) { return; }
      el.setAttribute("data-ready", "1");
      builders[el.getAttribute("data-chart")](el);
    });
  }

  /* A row's failed items: the first click loads them (HTMX); later clicks show or hide them. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-expand]") : null;
    if (!link) { return; }
    var row = document.getElementById(link.getAttribute("data-expand"));
    if (row && row.getAttribute("data-loaded")) {
      event.preventDefault();
      event.stopPropagation();
      row.hidden = !row.hidden;
      link.setAttribute("aria-expanded", String(!row.hidden));
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var row = target && target.closest ? target.closest("tr[data-items-row]") : null;
    if (row) {
      row.hidden = false;
      row.setAttribute("data-loaded", "1");
      var link = document.querySelector('[data-expand="' + row.id + '"]');
      if (link) { link.setAttribute("aria-expanded", "true"); }
    }
    init(target || document);
  });

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
