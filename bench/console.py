"""The console's weight and first screen: what an agent waits for before the desk is usable.

- Bundle: every built JS and CSS file in `frontend/dist/assets`, raw and gzipped (level 9, as a
  CDN or the relay's own gzip would at best). The issue's budget is 300 kB of gzipped JS.
- First screen: headless Debian Chromium (Playwright, never a downloaded browser), a fresh
  context each run (empty cache, no cookie), against the relay of the full desk: navigation to
  the login form shown, then from pressing Enter to the chat list connected and loaded.
"""

from __future__ import annotations

import gzip
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

JS_BUDGET_GZIP_BYTES = 300 * 1024
FIRST_SCREEN_BUDGET_MS = 1000
DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"


def bundle_figures(dist: Path = DIST) -> dict[str, Any]:
    """Sizes of the built assets; raises if there is no build (make bench builds first)."""
    assets = sorted(p for p in (dist / "assets").glob("*") if p.suffix in (".js", ".css"))
    if not assets:
        raise FileNotFoundError(f"no built console in {dist}: run `make build`")
    files = [{"file": p.name, "bytes": p.stat().st_size, "gzip_bytes": len(gzip.compress(p.read_bytes(), 9))}
             for p in assets]
    js = [f for f in files if f["file"].endswith(".js")]
    js_gzip = sum(f["gzip_bytes"] for f in js)
    return {"files": files, "js_bytes": sum(f["bytes"] for f in js), "js_gzip_bytes": js_gzip,
            "css_gzip_bytes": sum(f["gzip_bytes"] for f in files if f["file"].endswith(".css")),
            "js_budget_gzip_bytes": JS_BUDGET_GZIP_BYTES, "within_budget": js_gzip <= JS_BUDGET_GZIP_BYTES}


def first_screen_figures(console_url: str, password: str, runs: int = 5) -> dict[str, Any]:
    """Median and worst of `runs` cold loads: login form shown, and signed in to a loaded chat list."""
    from playwright.sync_api import sync_playwright  # a dev dependency, only needed here

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    login_ms: list[float] = []
    desk_ms: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                began = time.perf_counter()
                page.goto(console_url)
                page.wait_for_selector("input[name=password]", state="visible")
                login_ms.append((time.perf_counter() - began) * 1000)
                page.fill("input[name=username]", "admin")
                page.fill("input[name=password]", password)
                began = time.perf_counter()
                page.press("input[name=password]", "Enter")
                page.wait_for_selector("[data-testid=connection-state][data-state=connected]")
                page.wait_for_selector("[data-testid=conversation-item]")
                desk_ms.append((time.perf_counter() - began) * 1000)
                context.close()
        finally:
            browser.close()
    return {
        "runs": runs,
        "login_form_ms": {"p50": round(statistics.median(login_ms), 1), "max": round(max(login_ms), 1)},
        "signed_in_ms": {"p50": round(statistics.median(desk_ms), 1), "max": round(max(desk_ms), 1)},
        "budget_ms": FIRST_SCREEN_BUDGET_MS,
        "within_budget": max(login_ms) <= FIRST_SCREEN_BUDGET_MS,
    }


def render(figures: dict[str, Any]) -> str:
    """The console's lines of the printed report."""
    lines = ["", "Console"]
    bundle = figures.get("bundle")
    if bundle:
        verdict = "within" if bundle["within_budget"] else "OVER"
        lines.append(f"  JS bundle: {bundle['js_bytes'] / 1024:.1f} kB, "
                     f"{bundle['js_gzip_bytes'] / 1024:.1f} kB gzipped "
                     f"({verdict} the {bundle['js_budget_gzip_bytes'] // 1024} kB budget); "
                     f"CSS {bundle['css_gzip_bytes'] / 1024:.1f} kB gzipped")
    screen = figures.get("first_screen")
    if screen:
        verdict = "within" if screen["within_budget"] else "OVER"
        lines.append(f"  first screen (cold, {screen['runs']} runs): "
                     f"login form p50 {screen['login_form_ms']['p50']} ms, "
                     f"max {screen['login_form_ms']['max']} ms ({verdict} {screen['budget_ms']} ms); "
                     f"signed in to a loaded chat list p50 {screen['signed_in_ms']['p50']} ms")
    return "\n".join(lines)
