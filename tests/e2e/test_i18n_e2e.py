"""Every page in 简体中文 in headless Chromium: the browser's language is honoured, every page runs
in Chinese with no leftover English sentence of our catalogs and no character drawn as a box, and
the language survives a page switch. Screenshots of every page in Chinese go to ``artifacts/``
(``docs/screenshots/zh_*.png`` for the README are taken from the same run).

Streamlit's own interface strings (the uploader's "Drag and drop file here", "Browse files",
"Press Enter to apply", "Running…") are not ours: they are exempt (STREAMLIT_OWN).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, no_errors, settle

babel_pofile = pytest.importorskip("babel.messages.pofile", reason="Babel reads the catalogs")

PAGE_FILES = re.findall(r'st\.Page\(\s*"pages/(\w+)\.py"', (ROOT / "app.py").read_text(encoding="utf-8"))
PATHS = ["" if name == "live_playground" else name for name in PAGE_FILES]
STREAMLIT_OWN = (
    "Drag and drop file here",
    "Browse files",
    "Press Enter to apply",
    "Running...",
    "Limit ",
    "Upload",
)
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){4,}")

# Is every Chinese character drawn with a real glyph? Draw each in a canvas with the page's font and
# compare with a character no font has (a private-use code point of plane 16): equal pixels = a box.
TOFU = """
(chars) => {
  const c = document.createElement('canvas'); c.width = 48; c.height = 48;
  const x = c.getContext('2d');
  const font = getComputedStyle(document.body).fontFamily;
  x.font = `32px ${font}`;
  const draw = (s) => {
    x.clearRect(0, 0, 48, 48); x.fillText(s, 4, 36);
    return x.getImageData(0, 0, 48, 48).data.join(',');
  };
  const box = draw(String.fromCodePoint(0x10FFFD));
  return chars.filter(ch => draw(ch) === box);
}
"""


def _catalog_patterns() -> list[tuple[re.Pattern, str]]:
    """Every English message id whose Chinese differs, as a regex over a whole line of text."""
    out = []
    for po in sorted((ROOT / "playground/i18n/locale/zh/LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            cat = babel_pofile.read_po(fh)
        for m in cat:
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strs = m.string if isinstance(m.string, tuple | list) else (m.string,)
            for msgid in ids:
                if not msgid or msgid in strs or len(msgid) < 12 or " " not in msgid:
                    continue
                parts = re.split(r"\{[^{}]*\}", msgid.replace("**", "").replace("`", ""))
                rx = ".+?".join(re.escape(p.strip()) for p in parts if p.strip())
                if len(rx) >= 12:
                    out.append((re.compile(rx), msgid))
    return out


@pytest.fixture(scope="module")
def catalog():
    return _catalog_patterns()


@pytest.fixture(scope="module", autouse=True)
def cjk_font():
    if (
        shutil.which("fc-list") is None
        or not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()
    ):
        pytest.skip("no font with Chinese glyphs (apt-get install fonts-wqy-microhei; scripts/test.sh does)")


def _visible_text(page) -> str:
    return page.evaluate(
        '() => [...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stSidebar"]\')]'
        ".map(e => e.innerText).join('\\n')"
    )


def _leftovers(text: str, catalog) -> list[str]:
    found = []
    for line in (t.strip() for t in text.splitlines()):
        if not line or any(s in line for s in STREAMLIT_OWN):
            continue
        hit = next((msgid for rx, msgid in catalog if rx.search(line)), None)
        if hit:
            found.append(f"{line[:90]!r} (id {hit[:60]!r})")
        elif not CJK.search(line) and ENGLISH_SENTENCE.search(line):
            found.append(f"{line[:90]!r} (an English sentence)")
    return found


def test_the_browser_language_picks_chinese(server, browser):
    # A browser set to Chinese sends its languages with every request, the websocket's handshake included
    # (where Streamlit reads the header): Chromium's --accept-lang. Playwright's locale alone reaches only
    # the HTTP requests in Chromium 150 (the handshake said "en-US,en;q=0.9").
    zh = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, "--accept-lang=zh-CN,zh"]
    )
    ctx = zh.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(f"{server}/", wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').get_by_text("游乐场").first.wait_for(timeout=60_000)
        page.wait_for_url(re.compile(r"lang=zh"), timeout=30_000)
        # the language follows to another page (session state and the URL carry it)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("超参数搜索").first.click()
        page.wait_for_url(re.compile(r"hyperparameter_search"), timeout=30_000)
        settle(page)
        assert CJK.search(page.locator('[data-testid="stMain"]').inner_text())
    finally:
        ctx.close()
        zh.close()


@pytest.mark.parametrize("path", PATHS, ids=[p or "playground" for p in PATHS])
def test_every_page_in_chinese(server, browser, catalog, path):
    ctx = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    name = path or "playground"
    try:
        page.goto(f"{server}/{path}?lang=zh", wait_until="domcontentloaded")
        page.locator('[data-testid="stSidebarNav"]').get_by_text("游乐场").first.wait_for(timeout=60_000)
        page.locator('[data-testid="stMain"] :is(h1, h3)').first.wait_for(
            timeout=60_000
        )  # the Playground: h3
        settle(page)
        page.wait_for_timeout(1500)  # charts draw after the script finishes
        no_errors(page)
        text = _visible_text(page)
        assert "\ufffd" not in text
        left = _leftovers(text, catalog)
        assert not left, f"{name}: English left on the Chinese page:\n" + "\n".join(left[:25])
        chars = sorted(set(CJK.findall(text)))[:400]
        boxes = page.evaluate(TOFU, chars)
        assert not boxes, f"{name}: drawn as boxes (no glyph): {''.join(boxes[:40])}"
        ARTIFACTS.mkdir(exist_ok=True)
        for w, h in ((1280, 720), (1440, 900)):
            page.set_viewport_size({"width": w, "height": h})
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / f"zh_{name}_{w}x{h}.png"))
            if w == 1440 and name in ("playground", "activations_init"):
                shutil.copy(
                    ARTIFACTS / f"zh_{name}_{w}x{h}.png", ROOT / "docs" / "screenshots" / f"zh_{name}.png"
                )
    finally:
        ctx.close()


def test_readme_in_chinese_has_the_two_commands():
    text = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "pip install -r requirements.txt && streamlit run app.py" in text
    assert "bash scripts/test.sh" in text
    assert Path(ROOT / "docs/screenshots/zh_playground.png").exists()
