// The campaign page's opens/clicks chart (uPlot): human lines solid, machine lines dashed.
// Human opens and human clicks are often equal (one person opens, then clicks): the opens line
// is drawn wide with large filled points and the clicks line narrow, dotted, with small hollow
// points on top of it, so that both stay visible where they coincide.
"use strict";

window.CampaignChart = {
  columns(series) {
    return [series.t, series.human_opens, series.machine_opens, series.human_clicks, series.machine_clicks];
  },

  draw(series, box) {
    const opts = {
      scales: {
        y: { range: (u, min, max) => [0, Math.max(max || 0, 1) * 1.15] },
      },
      width: Math.max(box.clientWidth, 320),
      height: 260,
      series: [
        {},
        { label: "Human opens", stroke: "#2563eb", width: 7, points: { size: 14, fill: "#2563eb" } },
        { label: "Machine opens", stroke: "#94a3b8", width: 2, dash: [6, 4] },
        {
          label: "Human clicks",
          stroke: "#16a34a",
          width: 2.5,
          dash: [8, 5],
          points: { size: 8, width: 2.5, stroke: "#16a34a", fill: "#ffffff" },
        },
        { label: "Machine clicks", stroke: "#f59e0b", width: 2, dash: [6, 4] },
      ],
      axes: [{}, { label: "events" }],
    };
    return new uPlot(opts, this.columns(series), box);
  },
};
