// Trace graph: lots at holders as nodes (colour = holder), shipments, transformations and packing
// as arrows; force layout, draggable, tooltips name the lot, holder and depth.
(function () {
  "use strict";
  var node = document.getElementById("trace-graph");
  var dataNode = document.getElementById("trace-data");
  if (!node || !dataNode || typeof echarts === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var text = JSON.parse(document.getElementById("trace-text").textContent);
  var chart = echarts.init(node, null, { locale: text.locale });
  var kinds = text.kinds;
  chart.setOption({
    animation: false,
    tooltip: {
      formatter: function (p) {
        if (p.dataType === "edge") {
          return p.data.kind.split("/").map(function (k) { return kinds[k] || k; }).join(" / ");
        }
        var d = p.data;
        return d.name + "<br>" + d.lot + "<br>" + text.holder + ": " + d.holder + "<br>" + text.depth + ": " + d.value;
      }
    },
    legend: [{ type: "scroll", bottom: 0, data: data.categories.map(function (c) { return c.name; }) }],
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true,
      force: { repulsion: 220, edgeLength: [60, 140], gravity: 0.08 },
      categories: data.categories,
      data: data.nodes,
      links: data.links.map(function (l) {
        return { source: l.source, target: l.target, kind: l.kind,
          lineStyle: { type: l.kind.indexOf("aggregate") >= 0 ? "dashed" : "solid", width: l.kind.indexOf("transform") >= 0 ? 2.5 : 1.5 } };
      }),
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
      label: { show: data.nodes.length <= 40, position: "right", fontSize: 11, formatter: function (p) { return p.data.name; } },
      lineStyle: { color: "source", opacity: 0.8, curveness: 0.1 },
      emphasis: { focus: "adjacency" }
    }]
  });
  node.dataset.ready = "1";
  node.dataset.nodes = String(data.nodes.length);
  window.addEventListener("resize", function () { chart.resize(); });
})();
