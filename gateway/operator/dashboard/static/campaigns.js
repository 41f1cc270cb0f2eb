// Campaign list: its rows and the summary cards pushed over Server-Sent Events (no polling,
// no reload) whenever a campaign on the page changes or a new one appears; the server renders
// them with the page's own templates. A row that changed flashes.
"use strict";

(function () {
  const root = document.getElementById("campaign-list");
  if (!root) return;
  const state = document.getElementById("live-state");
  const table = document.getElementById("campaigns");
  const empty = document.getElementById("no-campaign");

  function rowTexts() {
    const texts = new Map();
    for (const row of table.tBodies[0].rows) texts.set(row.dataset.campaign, row.textContent);
    return texts;
  }

  const source = window.LiveSource.open(root.dataset.live, state);
  source.addEventListener("campaigns", (message) => {
    const update = JSON.parse(message.data);
    const before = rowTexts();
    const rows = document.createElement("template");
    rows.innerHTML = update.rows;
    table.tBodies[0].replaceChildren(rows.content);
    for (const row of table.tBodies[0].rows) {
      if (before.get(row.dataset.campaign) !== row.textContent) row.classList.add("bump");
    }
    const summary = document.createElement("template");
    summary.innerHTML = update.summary;
    document.getElementById("summary").replaceChildren(summary.content);
    table.hidden = update.count === 0;
    empty.hidden = update.count > 0;
  });
})();
