"""Shared test setup: the helper modules in tests/ (support, badcases and the earlier names
helpers, sitekit, famhelp) are importable from tests/unit, tests/site and tests/browser; the
fixtures every test may ask for; the options that rewrite expected output on purpose."""
import shutil
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
sys.path.append(str(TESTS / "site"))   # tests/browser/test_init_site.py reuses test_init's helpers

from support import SiteCopy, make_site  # noqa: E402


def pytest_addoption(parser):
    group = parser.getgroup("expected output")
    group.addoption("--update-errors", action="store_true", default=False,
                    help="rewrite tests/data/bad/<case>.err from the messages the build prints")
    group.addoption("--update-golden", action="store_true", default=False,
                    help="rewrite tests/data/golden/ from the pages the build writes")


@pytest.fixture
def update_errors(request) -> bool:
    """True only under `pytest --update-errors`: a bad case's new message is written, not failed."""
    return request.config.getoption("--update-errors")


@pytest.fixture
def update_golden(request) -> bool:
    """True only under `pytest --update-golden`: a changed golden page is written, not failed."""
    return request.config.getoption("--update-golden")


@pytest.fixture
def site_factory(tmp_path):
    """make(changes=None, shipped=False, name="site") -> SiteCopy: a copy of the small valid
    site (tests/data/site; shipped=True: content/) under tmp_path, with changes applied
    ({"studies/x.yaml": text | bytes | None to delete | a function of the text}). The copy
    builds with .build(*args) in this process or .build(*args, cli=True) as `python build.py`,
    returning the exit code, stdout and stderr."""
    def make(changes=None, shipped=False, name="site") -> SiteCopy:
        return make_site(tmp_path / name, changes, shipped)
    return make


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The small valid site, built once per run (in-process): copy it with `fresh_built` to
    change it, never change it in place."""
    site = make_site(tmp_path_factory.mktemp("built"))
    r = site.build()
    assert r.code == 0, r.err
    assert (site.output / "studies" / "rituximab-childhood-sle-2005" / "index.html").is_file()
    return site.root


@pytest.fixture
def fresh_built(built_site, tmp_path) -> SiteCopy:
    """A private copy of `built_site` (content/ and its previous output/)."""
    dest = tmp_path / "site"
    shutil.copytree(built_site, dest, symlinks=True)
    return SiteCopy(dest)
