// Draws the staffing plan's chart: agents needed and scheduled per interval (lines) and the
// over- or under-coverage (bars). Figures come from a json_script block (the CSP forbids
// inline script).
(function () {
  "use strict";

  function draw() {
    var canvas = document.getElementById("plan-chart");
    var source = document.getElementById("plan-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var text = data.text;
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          {
            type: "bar", label: text.over, data: data.over, yAxisID: "agents", order: 3,
            backgroundColor: data.over.map(function (v) { return v < 0 ? "#c5221f" : "#81c995"; })
          },
          {
            type: "line", label: text.required, data: data.required, yAxisID: "agents", order: 1,
            borderColor: "#1a73e8", backgroundColor: "#1a73e8", pointRadius: 0, stepped: true
          },
          {
            type: "line", label: text.scheduled, data: data.scheduled, yAxisID: "agents", order: 2,
            borderColor: "#188038", backgroundColor: "#188038", pointRadius: 0, stepped: true,
            borderDash: [6, 4]
          },
          {
            type: "line", label: text.forecast, data: data.forecast, yAxisID: "contacts", order: 0,
            borderColor: "#9334e6", backgroundColor: "#9334e6", pointRadius: 0, tension: 0.2,
            hidden: true
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { autoSkip: true, maxTicksLimit: 14 } },
          agents: { position: "left", title: { display: true, text: text.agents } },
          contacts: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                      title: { display: true, text: text.contacts } }
        }
      }
    });
    canvas.dataset.drawn = "true";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
