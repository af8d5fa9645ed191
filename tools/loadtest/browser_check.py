"""Cross-check of the load tool against real browsers: K headless Chromium pages (Debian's
/usr/bin/chromium via Playwright) open the playground, press Play and count their live updates (the
decision-boundary image's ``src`` changing, seen by a MutationObserver) and every HTTP response ≥ 400.

    python -m tools.loadtest.browser_check --url http://127.0.0.1:8080/ --pages 4 --duration 30

Run it alone, or while ``python -m tools.loadtest`` drives simulated participants against the same
proxy, and compare the per-page updates/s with the simulated participants' (the README states the
agreement). Loopback only, bounded (≤ 12 pages, ≤ 300 s).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from tools.loadtest.client import require_loopback

OBSERVER = """
() => {
  window.__pgUpdates = [];
  const seen = new WeakMap();
  const note = (img) => {
    const cap = img.closest('[data-testid="stImage"]')?.innerText || '';
    if (!cap.includes('Output over')) return;          // the decision boundary only
    if (seen.get(img) === img.src) return;
    seen.set(img, img.src);
    window.__pgUpdates.push(performance.now());
  };
  new MutationObserver((ms) => {
    for (const m of ms) {
      if (m.type === 'attributes' && m.target.tagName === 'IMG') note(m.target);
      for (const n of m.addedNodes || []) {
        if (n.tagName === 'IMG') note(n);
        if (n.querySelectorAll) n.querySelectorAll('img').forEach(note);
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--pages", type=int, default=4)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--warmup", type=float, default=8)
    p.add_argument("--json")
    a = p.parse_args(argv)
    require_loopback(a.url)
    if not 1 <= a.pages <= 12 or not 1 <= a.duration <= 300:
        p.error("1–12 pages, 1–300 s")
    from playwright.sync_api import sync_playwright

    bad: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        pages = []
        for _ in range(a.pages):
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})  # own cookies: own replica
            page = ctx.new_page()
            page.on("response", lambda r: bad.append(f"{r.status} {r.url[:80]}") if r.status >= 400 else None)
            page.goto(a.url, wait_until="domcontentloaded")
            pages.append(page)
        for page in pages:
            page.get_by_role("button", name="Play").click(timeout=30_000)
            page.evaluate(OBSERVER)
        time.sleep(a.warmup)
        t0 = [page.evaluate("performance.now()") for page in pages]
        time.sleep(a.duration)
        rates, gaps = [], []
        for page, start in zip(pages, t0, strict=True):
            ts = [t for t in page.evaluate("window.__pgUpdates") if t >= start]
            rates.append(len(ts) / a.duration)
            gaps += [(b - x) / 1000 for x, b in zip(ts, ts[1:], strict=False)]
        replicas = [
            next((c["value"] for c in page.context.cookies() if c["name"] == "pgreplica"), None)
            for page in pages
        ]
        browser.close()
    gaps.sort()
    report = {
        "pages": a.pages,
        "updates_per_s_mean": round(statistics.fmean(rates), 3),
        "updates_per_s_min": round(min(rates), 3),
        "gap_p95_s": round(gaps[int(0.95 * (len(gaps) - 1))], 3) if gaps else None,
        "http_errors": len(bad),
        "examples": bad[:5],
        "replicas": replicas,
        "per_page": [round(r, 3) for r in rates],
    }
    print(json.dumps(report, indent=1))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(report, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
