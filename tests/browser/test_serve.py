"""`build.py serve` in headless Chromium: a changed study reloads the open page, and a
content error shows on the page until it is fixed (issue 9)."""
from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import expect

from evidence.preview.serve import Preview

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60_000          # ms: a rebuild on a busy 2-core machine


def test_serve_reloads_and_shows_content_errors(tmp_path, monkeypatch, browser):
    """`browser` is the suite's session Chromium (tests/browser/conftest.py)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    study = tmp_path / "content/studies/kumar-2009.yaml"
    good = study.read_text(encoding="utf-8")
    preview = Preview(tmp_path / "content", tmp_path / "site/output", port=0, log=lambda *_: None,
                      search=False).start()
    first = preview.session.last            # the session serve keeps between rebuilds
    env, docs = preview.session.env, dict(preview.session.docs)
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(preview.url + "studies/kumar-2009/")
        page.evaluate("window.notReloaded = true")
        expect(page.locator("h1")).to_contain_text("Rituximab for low blood counts")

        edited = good.replace("plain_title: Rituximab for low blood counts caused by lupus in children",
                              "plain_title: Rituximab for low blood counts (edited while serving)")
        study.write_text(edited, encoding="utf-8")
        expect(page.locator("h1")).to_contain_text("edited while serving", timeout=TIMEOUT)
        assert page.evaluate("window.notReloaded === undefined")      # a real reload
        # the rebuild ran in the session: a new build, the same compiled templates and cache
        assert preview.session.last is not first and preview.session.env is env
        assert preview.session.docs == docs

        study.write_text(edited.replace("design:\n", "design: [\n", 1), encoding="utf-8")
        alert = page.locator("#live-reload-error")
        expect(alert).to_contain_text("kumar-2009.yaml", timeout=TIMEOUT)
        expect(alert).to_contain_text("YAML syntax error")
        expect(page.locator("h1")).to_contain_text("edited while serving")   # last good site

        study.write_text(edited, encoding="utf-8")
        expect(alert).to_have_count(0, timeout=TIMEOUT)
        assert errors == []
        page.close()
    finally:
        preview.stop()
    on_disk = (tmp_path / "site/output/studies/kumar-2009/index.html").read_bytes()
    assert b"edited while serving" in on_disk and b"live-reload" not in on_disk and b"__live" not in on_disk
