"""The README's Try-it path as a stranger follows it, in Debian's Chromium through Playwright:
``make up``'s entry point (``emailtrack up``) in a fresh folder, the login it points to, the
email instrumented by the README's command and opened in the browser (its pixel loads), the
campaign appearing live on the campaign list, the open in the campaign's Recent activity, a
human click on the email's link appearing live, the per-message view saying a person opened
and clicked, and the CSV exports. Every command is the
README's, verbatim (``tests/readme_try_it.py``; a unit test checks they have not drifted).

The platform's ports are moved the way the README's configuration table says
(``EMAILTRACK_PORT_<COMPONENT>``, and ``EMAILTRACK_<SERVICE>_ADDR`` for the CLI), so the test
runs beside any other platform. The email's link points at example.com: the browser's request
there is answered in the browser (no traffic leaves the machine)."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from emailtrack.platform.ports import free_port, port_variable
from emailtrack.platform.supervisor import DEFAULT_PORTS
from tests.e2e.test_dashboard_live import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.readme_try_it import (
    EXPORT,
    EXPORT_MESSAGES,
    INSTRUMENT,
    PASSWORD,
    START,
    TRY_IT,
    WRITE_EMAIL,
    readme_try_it,
)

pytestmark = pytest.mark.e2e

CLI_ADDRESSES = ("tracking-edge", "recipient", "bounce", "analytics", "webhooks")
INSTANT_CLICK_S = 10  # a click this soon after the send reads as a link scanner's


@dataclass
class Up:
    """``emailtrack up`` running in ``folder``; ``output`` is what it printed."""

    folder: Path
    env: dict[str, str]
    process: subprocess.Popen[str]
    output: list[str]

    def printed(self) -> str:
        return "".join(self.output)

    def run(self, command: str) -> str:
        """One README command in a shell, in the folder, as typed in the second terminal."""
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        return done.stdout


def moved_ports_env() -> dict[str, str]:
    """The environment of a shell whose platform listens on free ports, as the README's
    configuration table says to move them; nothing of the test run's own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMAILTRACK_")}
    ports = {name: free_port() for name in DEFAULT_PORTS}
    env |= {port_variable(name): str(port) for name, port in ports.items()}
    for name in CLI_ADDRESSES:
        env[f"EMAILTRACK_{name.upper().replace('-', '_')}_ADDR"] = f"127.0.0.1:{ports[name]}"
    return env | {"COLUMNS": "200"}


@pytest.fixture
def up(scratch_dir: Path) -> Iterator[Up]:
    """``make up`` in a fresh clone's folder: its recipe's ``emailtrack up`` (a unit test checks
    the Makefile), the folder holding the test run's environment as ``.venv``."""
    assert TRY_IT[0] == START == "make up"
    folder = scratch_dir / "readme-path"
    folder.mkdir()
    (folder / ".venv").symlink_to(sys.prefix)  # the environment running the tests
    env = moved_ports_env()
    process = subprocess.Popen(
        [".venv/bin/emailtrack", "up"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = Up(folder, env, process, [])
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.output.append(line)
            if "Press Ctrl-C" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(120), running.printed()
        yield running
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def chromium(up: Up) -> Iterator[Browser]:
    """Closed before ``up`` stops: the dashboard's open live feeds would hold the gateway's
    graceful shutdown."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def test_the_readme_path_shows_a_human_open_and_click_live(chromium: Browser, up: Up) -> None:
    assert readme_try_it() == TRY_IT
    ARTIFACTS.mkdir(exist_ok=True)
    printed = up.printed()
    dashboard = re.search(r"│ dashboard\s+│ (\S+)", printed)
    assert dashboard, printed
    login = re.search(r"user '(\w+)' \(tenant (\w+)\), password in (\S+?);", printed)
    assert login and login.group(2) == "demo", printed
    password = up.run(PASSWORD).strip()
    assert password and Path(login.group(3)).resolve() == up.folder / ".emailtrack/dashboard-users"

    operator = chromium.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    operator.on("pageerror", lambda exc: errors.append(str(exc)))
    operator.goto(dashboard.group(1))
    operator.fill("input[name=username]", login.group(1))
    operator.fill("input[name=password]", password)
    operator.click("button[type=submit]")
    operator.wait_for_selector("#live-state.on", timeout=15_000)
    expect(operator.locator("#no-campaign")).to_be_visible()
    operator.evaluate("window.__notReloaded = true")

    up.run(WRITE_EMAIL)
    up.run(INSTRUMENT)
    sent = time.monotonic()
    reader = reader_page(chromium)
    reader.goto((up.folder / "tracked.html").as_uri())  # opened in the browser: the pixel loads
    row = operator.locator('tr[data-campaign="welcome"]')
    expect(row).to_be_visible(timeout=20_000)  # live on the campaign list, no reload
    expect(row.locator("td").nth(1)).to_have_text("1")  # 1 sent, as the README says
    expect(row.locator("td").nth(3)).to_have_text("1", timeout=20_000)  # one human open
    expect(operator.locator('[data-summary="opens_human"]')).to_have_text("1")  # all added up
    assert operator.evaluate("window.__notReloaded") is True
    operator.screenshot(path=ARTIFACTS / "readme-campaign-list.png")

    row.locator("a").click()
    operator.wait_for_selector("#live-state.on", timeout=15_000)
    expect(operator.locator("#feed li.type-open.source-human")).to_have_count(1, timeout=10_000)
    expect(operator.locator('[data-counter="opens_human"]')).to_have_text("1")
    expect(operator.locator('[data-counter="sent"]')).to_have_text("1")  # --sent
    breakdowns = operator.locator("#breakdowns table.breakdown")  # follow live, as top links do
    expect(breakdowns.first).not_to_contain_text("No data yet.", timeout=10_000)
    expect(breakdowns.first).to_contain_text("Web browser (Chrome)")  # its email client, named
    expect(operator.locator('[data-rate="open"]')).to_have_text("100.0%")
    operator.evaluate("window.__notReloaded = true")
    time.sleep(max(0.0, INSTANT_CLICK_S + 1 - (time.monotonic() - sent)))
    reader.get_by_role("link", name="Read our news").click()  # a person's click
    clicked = operator.locator("#feed li.type-click.source-human")
    expect(clicked).to_have_count(1, timeout=20_000)
    expect(operator.locator('[data-counter="clicks_human"]')).to_have_text("1")
    expect(operator.locator("#top-links")).to_contain_text("https://example.com/")
    assert operator.evaluate("window.__notReloaded") is True
    operator.screenshot(path=ARTIFACTS / "readme-campaign-live.png", full_page=True)
    assert errors == []

    operator.click("#messages-link")
    ada = operator.locator('#messages tr[data-message="m1"]')
    expect(ada).to_contain_text("ada@example.com")
    expect(ada.locator(".source-human")).to_have_count(2)  # opened and clicked by a person
    operator.screenshot(path=ARTIFACTS / "readme-messages.png")

    up.run(EXPORT_MESSAGES)
    with (up.folder / "messages.csv").open() as exported:
        (message,) = list(csv.DictReader(exported))
    assert (message["email"], message["status"]) == ("ada@example.com", "sent")
    assert (message["opened_by_human"], message["clicked_by_human"]) == ("yes", "yes")
    assert (message["opened_by_machine"], message["clicked_by_machine"]) == ("no", "no")
    up.run(EXPORT)
    with (up.folder / "welcome.csv").open() as exported:
        rows = list(csv.DictReader(exported))
    assert sum(int(r["opens_human"]) for r in rows) == 1
    assert sum(int(r["clicks_human"]) for r in rows) == 1
    assert sum(int(r["sent"]) for r in rows) == 1


def reader_page(chromium: Browser) -> Page:
    """A person's browser: Chromium's own User-Agent without the word "Headless" (which
    rightly reads as a bot), a language, and example.com answered inside the browser."""
    probe = chromium.new_page()
    agent = probe.evaluate("navigator.userAgent").replace("HeadlessChrome", "Chrome")
    probe.close()
    context = chromium.new_context(user_agent=agent, locale="en-GB")
    context.route(
        "https://example.com/**",
        lambda route: route.fulfill(content_type="text/html", body="<p>Our news</p>"),
    )
    return context.new_page()
