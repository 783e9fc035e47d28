"""The build as a maintainer meets it: new study files, failed builds, exit codes."""
from __future__ import annotations

import re

import yaml

from helpers import SEED, copy_content, run_build, snapshot


def _second_study(content):
    """A different, conforming study made from the seed: new id, figures and quotes."""
    data = yaml.safe_load((content / "studies" / f"{SEED}.yaml").read_text(encoding="utf-8"))
    data["id"] = "example-second-study-2030"
    data["title"] = "An example second study"
    data["plain_title"] = "A second example study for the test"
    data["citation"].update(pmid="99999999", doi="10.9999/example.2", year=2020)
    data["added"] = "2026-11-25"
    data["population"].update(n=9, female=5, age_years={"median": 12}, quote="Nine children, 5 girls, median age 12 years.")
    data["safety"].update(serious_adverse_events=1, derived=[], quote="One child had a serious adverse event.")
    data["outcomes"] = [data["outcomes"][0]]
    (content / "studies" / "example-second-study-2030.yaml").write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    src = (content / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")
    (content / "sources" / "example-second-study-2030.txt").write_text(
        src + "\nNine children, 5 girls, median age 12 years. One child had a serious adverse event.\n",
        encoding="utf-8")


def test_new_study_file_builds_its_own_page(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "output"
    before = run_build("--content", str(content), "--output", str(out))
    assert before.returncode == 0, before.stderr
    _second_study(content)
    r = run_build("--content", str(content), "--output", str(out))
    assert r.returncode == 0, r.stderr
    page = (out / "studies" / "example-second-study-2030" / "index.html").read_text(encoding="utf-8")
    assert "A second example study for the test" in page
    assert "1 of 9" in page   # its own safety figure
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="studies/example-second-study-2030/index.html"' in home
    assert f'href="studies/{SEED}/index.html"' in home


def test_broken_study_leaves_output_byte_for_byte(tmp_path):
    content = copy_content(tmp_path)
    out = tmp_path / "output"
    assert run_build("--content", str(content), "--output", str(out)).returncode == 0
    before = snapshot(out)
    path = content / "studies" / f"{SEED}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("female: 4", "female: 9"), encoding="utf-8")
    r = run_build("--content", str(content), "--output", str(out))
    assert r.returncode == 1
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "female: 4" in ln)
    assert re.search(rf"studies/{SEED}\.yaml:{line}:\d+: population\.female: 9 is more than population\.n \(7\)",
                     r.stderr), r.stderr
    assert "Traceback" not in r.stderr
    assert "output/ left unchanged" in r.stderr or "left unchanged" in r.stderr
    assert snapshot(out) == before


def test_yaml_syntax_error_is_located_to_its_line(tmp_path):
    content = copy_content(tmp_path)
    path = content / "studies" / f"{SEED}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, ln in enumerate(lines) if ln.startswith("plain_title:"))
    lines[n] = "   " + lines[n]   # indented under the key before it: a mapping where none can be
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_build("check", "--content", str(content))
    assert r.returncode == 1
    assert re.search(rf"studies/{SEED}\.yaml:{n + 1}:\d+: \(file\): YAML syntax error", r.stderr), r.stderr


def test_check_writes_nothing(tmp_path):
    r = run_build("check", "--content", str(copy_content(tmp_path)), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "nothing written" in r.stdout
    assert not (tmp_path / "output").exists()


def test_all_errors_listed_not_only_first(tmp_path):
    content = copy_content(tmp_path)
    path = content / "studies" / f"{SEED}.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("female: 4", "female: 9").replace("rating: very-low", "rating: very-lowish")
    path.write_text(text, encoding="utf-8")
    (content / "drugs" / "rituximab.yaml").write_text("id: rituximab\nname: Rituximab\n", encoding="utf-8")
    r = run_build("check", "--content", str(content))
    assert r.returncode == 1
    assert "certainty.rating: expected one of high, moderate, low, very-low" in r.stderr
    assert "missing required field `drug_class`" in r.stderr
    assert re.search(r"\d+ errors in 2 files; nothing written\.", r.stderr), r.stderr


def test_bad_command_line_exits_2():
    r = run_build("--no-such-option")
    assert r.returncode == 2
    assert "unrecognized arguments" in r.stderr


def test_missing_content_folder_is_one_line_exit_3(tmp_path):
    r = run_build("--content", str(tmp_path / "nowhere"), "--output", str(tmp_path / "o"))
    assert r.returncode == 3
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_help_on_each_command():
    for cmd in ([], ["build"], ["check"], ["serve"]):
        r = run_build(*cmd, "--help")
        assert r.returncode == 0
        assert "usage:" in r.stdout
