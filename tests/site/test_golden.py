"""Golden pages: the small test site's seed study page and its condition page, byte for byte
as stored in tests/data/golden/. Any change to what a page shows or how it is written fails
here; after a deliberate change, `pytest --update-golden` rewrites the stored pages (then
read the diff before committing them)."""
from __future__ import annotations

import difflib

import pytest

from support import DATA, EPOCH, SEED, make_site

GOLDEN = DATA / "golden"
PAGES = {
    f"study-{SEED}.html": f"studies/{SEED}/index.html",
    "condition-childhood-onset-sle.html": "conditions/childhood-onset-sle/index.html",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The small test site, built in-process with the build date pinned."""
    site = make_site(tmp_path_factory.mktemp("golden"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        r = site.build("--no-search")
    assert r.code == 0, r.err
    return site


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_is_golden(built, name: str, update_golden: bool) -> None:
    page = (built.output / PAGES[name]).read_bytes()
    golden = GOLDEN / name
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        if not golden.exists() or golden.read_bytes() != page:
            golden.write_bytes(page)
        return
    assert golden.exists(), f"no {golden.name}: run pytest --update-golden once and commit it"
    want = golden.read_bytes()
    if page != want:
        diff = difflib.unified_diff(want.decode("utf-8").splitlines(), page.decode("utf-8").splitlines(),
                                    "golden", "built", lineterm="", n=1)
        pytest.fail(f"{name} differs from the golden page (pytest --update-golden rewrites it):\n"
                    + "\n".join(list(diff)[:60]))


def test_golden_pages_carry_the_pinned_date() -> None:
    """The stored pages were made with SOURCE_DATE_EPOCH pinned (2025-11-26), not today's date."""
    for name in PAGES:
        page = (GOLDEN / name).read_text(encoding="utf-8")
        assert 'Site built on <time datetime="2025-11-26">2025-11-26</time>.' in page, name
