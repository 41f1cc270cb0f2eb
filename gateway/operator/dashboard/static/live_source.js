// One live feed for the dashboard's pages: an EventSource on the page's live URL whose
// connection state (live, reconnecting, analytics unavailable) shows in the #live-state badge.
"use strict";

window.LiveSource = {
  open(url, state) {
    const source = new EventSource(url);
    const show = (text, on) => {
      state.textContent = text;
      state.className = on ? "live on" : "live off";
    };
    source.addEventListener("open", () => show("live", true));
    source.addEventListener("error", () => show("reconnecting…", false));
    source.addEventListener("failure", () => show("analytics unavailable, retrying…", false));
    return source;
  },
};
