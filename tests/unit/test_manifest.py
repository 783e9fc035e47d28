"""The manifest (evidence/build/manifest.py): what each output file was made from, so a
rebuild renders only what changed. Each check here fails if a key stops following
what it is made from, or the saved state stops coming back as it was."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from evidence.build import manifest
from evidence.build.manifest import (ALL, Fingerprints, Manifest, TemplateDeps, digest, file_digests,
                                     page_key, stamp)


def test_digest_is_the_blake2b_of_the_bytes():
    assert digest(b"abc") == hashlib.blake2b(b"abc", digest_size=16).hexdigest()
    assert digest(b"abc") != digest(b"abd") and len(digest(b"")) == 32


def test_file_digests_name_every_file_by_its_relative_path(tmp_path):
    (tmp_path / "a/b").mkdir(parents=True)
    (tmp_path / "a/b/x.html").write_bytes(b"x")
    (tmp_path / "y.html").write_bytes(b"y")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__/z.html").write_bytes(b"z")
    got = file_digests(tmp_path)
    assert got == {"a/b/x.html": digest(b"x"), "y.html": digest(b"y")}
    assert file_digests(tmp_path, "y.*") == {"y.html": digest(b"y")}


def test_the_generator_digest_follows_the_code_and_the_schemas(tmp_path):
    package, schema = tmp_path / "pkg", tmp_path / "schema"
    package.mkdir(), schema.mkdir()
    (package / "m.py").write_text("x = 1\n")
    (schema / "s.json").write_text("{}")
    first = manifest.generator_digest(package, schema)
    assert manifest.generator_digest(package, schema) == first
    (package / "m.py").write_text("x = 2\n")
    second = manifest.generator_digest(package, schema)
    (schema / "s.json").write_text('{"type": "object"}')
    assert len({first, second, manifest.generator_digest(package, schema)}) == 3


def test_a_manifest_comes_back_as_it_was_saved(tmp_path):
    cache, out = tmp_path / ".cache", tmp_path / "output"
    m = Manifest("inputs", {"index.html": "k1", "a/index.html": None}, {"index.html": (3, 7)},
                 {"pagefind/x": (1, 2)}, {"pages": 2}, {"content/site.yaml": ((1, 2, 3, False), "d")}, 99,
                 {"generator": "g", "scans": {}})
    m.save(cache, out)
    assert Manifest.load(cache, out) == m
    assert Manifest.load(cache, tmp_path / "other") is None            # one manifest per output folder
    assert list(cache.glob("*.tmp*")) == []
    Manifest.forget(cache, out)
    assert Manifest.load(cache, out) is None
    Manifest.forget(cache, out)                                        # forgetting twice is fine


@pytest.mark.parametrize("data", [b"not a pickle", pickle.dumps(["a list"]),
                                  pickle.dumps({"format": manifest.FORMAT - 1, "inputs": "x"})])
def test_a_damaged_or_older_manifest_means_a_full_build(tmp_path, data):
    cache, out = tmp_path / ".cache", tmp_path / "output"
    cache.mkdir()
    Manifest.location(cache, out).write_bytes(data)
    assert Manifest.load(cache, out) is None


def test_intact_finds_files_changed_or_deleted_by_hand(tmp_path):
    out = tmp_path / "output"
    (out / "a").mkdir(parents=True)
    for name in ("index.html", "a/index.html", "b.html", "c.html"):
        (out / name).write_text("same")
    m = Manifest(files=stamp(out, ["index.html", "a/index.html", "b.html"]), extra=stamp(out, ["c.html"]))
    assert m.files["index.html"] == (4, (out / "index.html").stat().st_mtime_ns)
    assert m.intact(out) == set()
    (out / "a/index.html").write_text("longer text")                   # another size
    (out / "b.html").unlink()                                          # deleted
    st = (out / "c.html").stat()
    os.utime(out / "c.html", ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # same size, another time
    assert m.intact(out) == {"a/index.html", "b.html", "c.html"}


ENV_TEMPLATES = {
    "page.html": "{% extends 'base.html' %}{% block b %}{% include 'row.html' %}{{ site.studies }}{% endblock %}",
    "base.html": "<html>{% block b %}{% endblock %}{{ site.config }}</html>",
    "row.html": "<tr></tr>",
    "whole.html": "{{ helper(site) }}",
    "dynamic.html": "{% include name %}",
    "lone.html": "plain",
}


def _deps(templates: dict, known=None) -> TemplateDeps:
    env = Environment(loader=DictLoader(templates))
    return TemplateDeps(env, {n: digest(t.encode()) for n, t in templates.items()}, known)


def test_a_template_depends_on_what_it_extends_and_includes():
    deps = _deps(ENV_TEMPLATES)
    closure, uses = deps.of("page.html")
    assert uses == {"studies", "config"}
    changed = _deps({**ENV_TEMPLATES, "row.html": "<tr>x</tr>"})
    assert changed.of("page.html")[0] != closure                     # an include changed
    assert changed.of("lone.html") == deps.of("lone.html")           # not included there
    assert _deps({**ENV_TEMPLATES, "base.html": "<html>{% block b %}{% endblock %}</html>"}).of(
        "page.html")[0] != closure                                   # the parent changed


def test_site_passed_whole_or_a_computed_include_depends_on_everything():
    deps = _deps(ENV_TEMPLATES)
    assert ALL in deps.of("whole.html")[1]
    dyn = deps.of("dynamic.html")[0]
    assert _deps({**ENV_TEMPLATES, "lone.html": "changed"}).of("dynamic.html")[0] != dyn


def test_known_scans_are_reused_only_for_unchanged_templates(monkeypatch):
    known = _deps(ENV_TEMPLATES)
    known.of("page.html")
    scans = known.scans()
    parsed = []
    real = Environment.parse
    monkeypatch.setattr(Environment, "parse", lambda self, src, *a: parsed.append(src) or real(self, src, *a))
    again = _deps({**ENV_TEMPLATES, "row.html": "<tr>new</tr>"}, scans)
    again.of("page.html")
    assert parsed == ["<tr>new</tr>"]                                  # only the changed one


@dataclasses.dataclass
class Entry:
    rel: str
    conditions: list = dataclasses.field(default_factory=list)
    regimens: list = dataclasses.field(default_factory=list)
    outcomes: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Regimen:
    drug: Entry


@dataclasses.dataclass
class Site:
    studies: list
    conditions: list
    drugs: list


def _site(drug_key: str = "d1"):
    cond, drug = Entry("c.yaml"), Entry("d.yaml")
    study = Entry("s.yaml", [cond], [Regimen(drug)])
    other = Entry("t.yaml")
    site = Site([study, other], [cond], [drug])
    return site, Fingerprints(site, {"c.yaml": "c1", "d.yaml": drug_key, "s.yaml": "s1", "t.yaml": "t1"})


def test_a_study_digest_follows_the_entries_it_links_to():
    (site, fp), (site2, fp2) = _site("d1"), _site("d2")
    assert fp.entity[id(site.studies[0])] != fp2.entity[id(site2.studies[0])]       # its drug changed
    assert fp.entity[id(site.studies[1])] == fp2.entity[id(site2.studies[1])]       # not linked
    assert fp.entity[id(site.studies[0].regimens[0])] == fp.entity[id(site.studies[0])]
    assert fp.lists["studies"] != fp2.lists["studies"] and fp.lists["conditions"] == fp2.lists["conditions"]


def _key(fp, extra, base="base", path="p/index.html"):
    deps = _deps({"lone.html": "plain", "page.html": "{{ site.studies }}"})
    return page_key((path, "page.html", extra), base, deps, fp)


def test_a_page_key_follows_its_context_base_and_path():
    site, fp = _site()
    key = _key(fp, {"study": site.studies[0], "n": 3, "names": ["a", "b"]})
    assert key and key == _key(fp, {"study": site.studies[0], "n": 3, "names": ["a", "b"]})
    assert key != _key(fp, {"study": site.studies[1], "n": 3, "names": ["a", "b"]})
    assert key != _key(fp, {"study": site.studies[0], "n": 4, "names": ["a", "b"]})
    assert key != _key(fp, {"study": site.studies[0], "n": 3, "names": ["a", "c"]})
    assert key != _key(fp, {"study": site.studies[0], "n": 3, "names": ["a", "b"]}, base="other")
    assert key != _key(fp, {"study": site.studies[0], "n": 3, "names": ["a", "b"]}, path="q/index.html")
    _, fp2 = _site("d2")                         # the page reads site.studies: any study counts
    assert _key(fp2, {"n": 3}) != _key(fp, {"n": 3})


def test_a_value_that_cannot_be_fingerprinted_renders_every_time():
    site, fp = _site()
    assert _key(fp, {"thing": object()}) is None
    assert _key(fp, {"fn": lambda: 1}) is None                        # a closure's code is not named
    assert _key(fp, {"fn": digest}) is not None                       # a module-level function is
    assert _key(fp, {"rows": [Regimen(Entry("new.yaml"))]}) is not None     # a dataclass of plain values
