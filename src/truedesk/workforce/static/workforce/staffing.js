// Draws the staffing calculator's chart: service level (and abandonment) against agents.
// The figures come from a json_script block; the CSP forbids inline script, and Chart.js
// sets the canvas's size through the CSSOM, which the CSP allows.
(function () {
  "use strict";

  function dataset(label, values, color, extra) {
    return Object.assign(
      { label: label, data: values, borderColor: color, backgroundColor: color, pointRadius: 3, tension: 0.2 },
      extra || {}
    );
  }

  function draw() {
    var canvas = document.getElementById("staffing-chart");
    var source = document.getElementById("staffing-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    var datasets = [dataset(labels.service_level, data.service_level, "#1a73e8")];
    if (data.abandon) {
      datasets.push(dataset(labels.abandon, data.abandon, "#c5221f"));
    }
    if (data.target !== null) {
      datasets.push(
        dataset(labels.target, data.agents.map(function () { return data.target; }), "#188038", {
          borderDash: [6, 4], pointRadius: 0, tension: 0
        })
      );
    }
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.agents, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { title: { display: true, text: labels.agents } },
          y: { min: 0, max: 100, title: { display: true, text: labels.percent } }
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
