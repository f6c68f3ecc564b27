// SPC workbench: draws the control chart (centre line, limits, violations highlighted with their
// rule), the secondary chart and the capability histogram with ECharts; PNG download.
(function () {
  "use strict";
  var dataNode = document.getElementById("spc-data");
  if (!dataNode || typeof echarts === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var text = JSON.parse(document.getElementById("spc-text").textContent);
  var charts = [];

  function limitSeries(name, values, labels, color) {
    var ys = Array.isArray(values) ? values : labels.map(function () { return values; });
    return {
      name: name, type: "line", step: Array.isArray(values) ? "middle" : false, symbol: "none",
      data: ys, lineStyle: { type: name === text.center ? "solid" : "dashed", color: color, width: 1.5 },
      itemStyle: { color: color }, silent: true
    };
  }

  function draw(nodeId, series) {
    var node = document.getElementById(nodeId);
    if (!node || !series) { return; }
    var chart = echarts.init(node, null, { locale: text.locale, renderer: "canvas" });
    var flagged = {};
    series.violations.forEach(function (v) { flagged[v.index] = v; });
    var points = series.points.map(function (y, i) {
      var v = flagged[i];
      return v ? { value: y, symbolSize: 11, itemStyle: { color: "#c62828" }, violation: v } : { value: y };
    });
    chart.setOption({
      animation: false,
      title: { text: series.type.toUpperCase(), left: "center", textStyle: { fontSize: 13 } },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var label = series.labels[p.dataIndex];
          var line = "#" + (p.dataIndex + 1) + " (" + label + "): " + p.value;
          var v = p.data && p.data.violation;
          return v ? line + "<br><b>" + text.violation + " " + v.rule + "</b>: " + v.text : line;
        }
      },
      legend: { bottom: 0 },
      grid: { left: 60, right: 30, top: 40, bottom: 60 },
      xAxis: { type: "category", data: series.labels, name: "" },
      yAxis: { type: "value", scale: true },
      series: [
        { name: series.type, type: "line", data: points, symbol: "circle", symbolSize: 6,
          lineStyle: { color: "#1d4f91" }, itemStyle: { color: "#1d4f91" }, z: 3 },
        limitSeries(text.center, series.center, series.labels, "#2e7d32"),
        limitSeries(text.ucl, series.ucl, series.labels, "#b3261e"),
        limitSeries(text.lcl, series.lcl, series.labels, "#b3261e")
      ]
    });
    node.dataset.ready = "1";
    charts.push(chart);
    return chart;
  }

  function drawHistogram() {
    var node = document.getElementById("spc-histogram");
    if (!node || !data.histogram) { return; }
    var h = data.histogram, spec = data.spec;
    var centres = h.counts.map(function (_, i) { return (h.edges[i] + h.edges[i + 1]) / 2; });
    var lines = [];
    if (spec.lsl !== null) { lines.push({ xAxis: spec.lsl, name: "LSL" }); }
    if (spec.usl !== null) { lines.push({ xAxis: spec.usl, name: "USL" }); }
    if (spec.target !== null) { lines.push({ xAxis: spec.target, name: "T" }); }
    var lo = Math.min.apply(null, h.edges.concat(lines.map(function (l) { return l.xAxis; })));
    var hi = Math.max.apply(null, h.edges.concat(lines.map(function (l) { return l.xAxis; })));
    var width = (h.edges[1] - h.edges[0]);
    var chart = echarts.init(node, null, { locale: text.locale });
    chart.setOption({
      animation: false,
      grid: { left: 50, right: 30, top: 30, bottom: 40 },
      tooltip: { trigger: "item" },
      xAxis: { type: "value", min: lo - width, max: hi + width, scale: true,
        axisLabel: { showMinLabel: false, showMaxLabel: false } },
      yAxis: { type: "value", name: text.count },
      series: [{
        type: "bar", barWidth: "95%", itemStyle: { color: "#7a9cc6" },
        data: centres.map(function (c, i) { return [c, h.counts[i]]; }),
        markLine: { symbol: "none", label: { formatter: "{b}" }, lineStyle: { color: "#b3261e", type: "dashed" }, data: lines }
      }]
    });
    node.dataset.ready = "1";
    charts.push(chart);
  }

  var main = draw("spc-chart", data.chart);
  draw("spc-secondary", data.secondary);
  drawHistogram();
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  var button = document.getElementById("spc-png");
  if (button && main) {
    button.addEventListener("click", function () {
      var link = document.createElement("a");
      link.href = main.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      link.download = button.dataset.filename || "spc-chart.png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }
})();
