"""The README's Playground screenshots, taken from a real ``streamlit run app.py`` in headless Chromium.

    python scripts/playground_screenshots.py

Writes ``docs/screenshots/playground.png`` (1440×900: the spiral with a 8-8-5 tanh net and five input
features, trained for a few seconds, a neuron hovered) and ``docs/screenshots/playground_1280x720.png``
(the page as it opens at 1280×720).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, settle, streamlit_server  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SPIRAL = "?dataset=spiral&layers=8,8,5&features=x1,x2,x1*x2,sin_x1,sin_x2&lr=0.01&noise=10"


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        page.locator(".nv-node").first.wait_for(timeout=60_000)
        settle(page)
        page.screenshot(path=str(OUT / "playground_1280x720.png"))
        page.close()

        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url + "/" + SPIRAL)
        page.locator(".nv-node").first.wait_for(timeout=60_000)
        settle(page)
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "() => Number(document.querySelector('[data-testid=\"stMetricValue\"]').innerText"
            ".replace(/,/g, '')) > 600",
            timeout=120_000,
        )
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for(timeout=10_000)
        settle(page)
        page.mouse.move(1000, 880)  # away from the buttons: their tooltips would show
        page.wait_for_timeout(1000)
        page.locator(".nv-node:not(.nv-input)").nth(3).hover()
        page.locator(".nv-tip").wait_for(state="visible")
        page.screenshot(path=str(OUT / "playground.png"))
        browser.close()
    print(f"wrote {OUT / 'playground.png'} and {OUT / 'playground_1280x720.png'}")


if __name__ == "__main__":
    main()
