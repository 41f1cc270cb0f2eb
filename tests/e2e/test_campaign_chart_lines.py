"""The campaign chart in Debian's Chromium (no platform: the page's own scripts on a blank
page): when human opens and human clicks are equal, both lines stay visible, the clicks line
drawn over the opens line without hiding it (colours counted on the canvas)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_dashboard_live import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e
STATIC = Path(__file__).resolve().parents[2] / "gateway/operator/dashboard/static"
OPENS_BLUE = (0x25, 0x63, 0xEB)
CLICKS_GREEN = (0x16, 0xA3, 0x4A)
DRAW_EQUAL_LINES = """
async ([opens, clicks]) => {
  const same = [0, 1, 2, 2, 1, 0];
  const none = [0, 0, 0, 0, 0, 0];
  const series = { t: [0, 60, 120, 180, 240, 300], human_opens: same, human_clicks: same,
                   machine_opens: none, machine_clicks: none };
  const box = document.getElementById("chart");
  CampaignChart.draw(series, box);
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const canvas = box.querySelector("canvas");
  const rgba = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const near = (i, [r, g, b]) => rgba[i + 3] > 200
    && Math.abs(rgba[i] - r) + Math.abs(rgba[i + 1] - g) + Math.abs(rgba[i + 2] - b) < 40;
  const counted = { opens: 0, clicks: 0 };
  for (let i = 0; i < rgba.length; i += 4) {
    if (near(i, opens)) counted.opens += 1;
    if (near(i, clicks)) counted.clicks += 1;
  }
  return counted;
}
"""


def test_equal_human_opens_and_clicks_are_both_visible(browser: object) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 800, "height": 400})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_content('<div id="chart" style="width: 640px"></div>')
    page.add_style_tag(path=STATIC / "vendor/uPlot.min.css")
    page.add_script_tag(path=STATIC / "vendor/uPlot.iife.min.js")
    page.add_script_tag(path=STATIC / "campaign_chart.js")
    counted = page.evaluate(DRAW_EQUAL_LINES, [list(OPENS_BLUE), list(CLICKS_GREEN)])
    assert errors == []
    # both lines run the same course: each colour covers a good part of it
    assert counted["opens"] > 1000 and counted["clicks"] > 300, counted
    page.close()
