// Campaign page: live counters and activity feed pushed over Server-Sent Events (no polling;
// the first update brings the latest stored events, a reconnection never shows one twice),
// and the opens/clicks chart (campaign_chart.js), top links and breakdowns, refreshed
// when the live feed reports new events.
"use strict";

(function () {
  const root = document.getElementById("campaign");
  if (!root) return;
  const FEED_MAX = 50;
  const feed = document.getElementById("feed");
  const state = document.getElementById("live-state");
  const chartBox = document.getElementById("chart");
  let chart = null;
  let refreshTimer = null;
  const shown = new Set(); // event ids in the feed

  function drawChart(series) {
    chart = CampaignChart.draw(series, chartBox);
  }

  function refreshChart() {
    refreshTimer = null;
    fetch(root.dataset.timeline, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((series) => chart && chart.setData(CampaignChart.columns(series)))
      .catch(() => {});
    fetch(root.dataset.links, { credentials: "same-origin" }) // rows rendered by the server
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const rows = document.createElement("template");
        rows.innerHTML = html;
        document.getElementById("top-links").tBodies[0].replaceChildren(rows.content);
      })
      .catch(() => {});
    fetch(root.dataset.breakdowns, { credentials: "same-origin" }) // client, device, country
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => {
        const tables = document.createElement("template");
        tables.innerHTML = html;
        document.getElementById("breakdowns").replaceChildren(tables.content);
      })
      .catch(() => {});
  }

  function percent(value, base) {
    return base > 0 ? (value * 100).toFixed(1) + "%" : "—"; // no base yet: pages.rate
  }

  function updateCounters(stats) {
    const o = stats.opens.unique; // every card counts unique recipients (its label says so)
    const values = {
      sent: stats.sent,
      delivered: stats.delivered,
      opens_unique: o.total,
      opens_human: o.human,
      opens_proxy: o.privacy_proxy,
      opens_scanner: o.security_scanner + o.bot,
      clicks_unique: stats.clicks.unique.total,
      clicks_human: stats.clicks.unique.human,
      bounced: stats.hard_bounced + stats.soft_bounced,
      unsubscribes: stats.unsubscribes,
      complaints: stats.complaints,
      unique_replies: stats.unique_replies,
    };
    for (const el of root.querySelectorAll("[data-counter]")) {
      const next = String(values[el.dataset.counter]);
      if (el.textContent !== next) {
        el.textContent = next;
        el.classList.remove("bump");
        void el.offsetWidth;
        el.classList.add("bump");
      }
    }
    for (const el of root.querySelectorAll("[data-rate]")) {
      const key = el.dataset.rate;
      const base = key === "click_to_open" ? stats.filtered_unique_opens : stats.rate_base;
      el.textContent = percent(stats.rates[key], base);
    }
  }

  function addEvents(events) {
    const placeholder = feed.querySelector(".empty");
    if (!events.length) {
      // the first update brings the stored events: none means none yet, not "still loading"
      if (placeholder) placeholder.textContent = "No activity yet: opens, clicks and bounces show here as they happen.";
      return;
    }
    if (placeholder) placeholder.remove();
    for (const e of events) {
      if (shown.has(e.event_id)) continue;
      shown.add(e.event_id);
      const item = document.createElement("li");
      item.className = "type-" + e.type + (e.source ? " source-" + e.source : "");
      item.dataset.eventId = e.event_id;
      const when = document.createElement("time");
      when.textContent = (e.occurred_at || "").slice(11, 19);
      const what = document.createElement("strong");
      what.textContent = e.type + (e.source ? " · " + e.source.replace("_", " ") : "");
      const who = document.createElement("span");
      who.textContent = e.recipient;
      const detail = document.createElement("small");
      detail.textContent = e.detail + (e.why ? " · why: " + e.why : "");
      item.append(when, what, who, detail);
      feed.prepend(item);
    }
    while (feed.children.length > FEED_MAX) {
      shown.delete(feed.lastElementChild.dataset.eventId);
      feed.lastElementChild.remove();
    }
  }

  drawChart(JSON.parse(document.getElementById("timeline-data").textContent));
  window.addEventListener("resize", () => chart && chart.setSize({ width: Math.max(chartBox.clientWidth, 320), height: 260 }));

  const source = window.LiveSource.open(root.dataset.live, state);
  source.addEventListener("update", (message) => {
    const update = JSON.parse(message.data);
    updateCounters(update.stats);
    addEvents(update.events);
    if (update.events.length && refreshTimer === null) refreshTimer = setTimeout(refreshChart, 1000);
  });
})();
