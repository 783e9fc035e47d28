"""SVG pictures for families (issue 6): built from the data, titled, with a text equivalent."""
from __future__ import annotations

import re
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from famhelp import content_with_new_study, shipped, study, variant  # noqa: E402

from evidence.pages import pictures  # noqa: E402
from evidence.cli import main  # noqa: E402


def outcome(s, ident):
    return next(o.data for o in s.outcomes if o.id == ident)


def test_icon_array_for_a_count_of_children():
    pic = pictures.icon_array(outcome(study(), "presenting-symptoms-improved"), "p1")
    assert pic.title == "All 7 children: Children whose main symptoms got better"
    assert [on for _, _, on in pic.icons] == [True] * 7
    assert pic.text == ("Children whose main symptoms got better: all 7 children. "
                        "Each figure is one child; filled means counted (all 7 figures are filled).")


def test_icon_array_rows_of_ten_with_outlined_others():
    pic = pictures.icon_array({"plain_name": "X", "events": 35, "of": 40}, "p")
    assert len(pic.icons) == 40 and sum(on for *_, on in pic.icons) == 35
    assert {y for _, y, _ in pic.icons} == {2, 30, 58, 86}
    assert "(35 filled, 5 outlined)" in pic.text


@pytest.mark.parametrize("o", [
    {"plain_name": "X", "events": 19, "of": 104, "counted_in": "courses"},      # courses are not people
    {"plain_name": "X", "events": 2, "of": "not-reported"},
    {"plain_name": "X", "events": "not-reported", "of": 9},
    {"plain_name": "X", "events": "not-reported", "of": "not-reported", "percent": 52.5},
    {"plain_name": "X", "events": 5, "of": 500},                                 # too many to draw
])
def test_no_icon_array_without_counts_of_people(o):
    assert pictures.icon_array(o, "p") is None


def test_before_after_chart_shows_the_range():
    pic = pictures.before_after(outcome(study(), "bilag-global"), "p2")
    assert [t for _, t in pic.ticks] == ["0", "10", "20", "30", "40"]
    before, after = pic.rows
    assert (before.value_label, before.low_label, before.high_label) == ("22", "14", "37")
    assert (after.value_label, after.low_label, after.high_label) == ("6", "4", "11")
    assert pic.x0 < after.low_x < after.value_x < after.high_x < before.low_x < before.value_x < before.high_x <= pic.x1
    assert pic.text == ("A score doctors use to measure how active lupus is; lower is better. "
                        "Before: median 22 (range 14–37). After: median 6 (range 4–11).")
    assert pic.legend == "Marks show the median; lines show the range."


def test_before_after_with_unlabelled_figures_intervals_and_units():
    pic = pictures.before_after(outcome(study("watson-2015"), "oral-corticosteroid-dose"), "p")
    assert pic.ticks[-1][1] == "0.5" and pic.unit == "mg/kg"
    assert "Before: 0.26 mg/kg (0.09–0.44, as written)" in pic.text
    assert "spread as the study writes it" in pic.legend


def test_close_range_ends_share_one_label():
    pic = pictures.before_after({"plain_name": "X", "better": "lower", "baseline": {"median": 2.2, "min": 2.0, "max": 2.5},
                                 "follow_up": {"median": 30, "min": 1, "max": 40}}, "p")
    assert [(r.low_label, r.high_label) for r in pic.rows] == [("2.0–2.5", ""), ("1", "40")]


@pytest.mark.parametrize("baseline, follow_up", [
    ("not-reported", "not-reported"), ({"median": 3}, "not-reported"), ({"min": 1, "max": 4}, {"median": 2})])
def test_no_chart_without_two_central_figures(baseline, follow_up):
    assert pictures.before_after({"plain_name": "X", "better": "lower", "baseline": baseline,
                                  "follow_up": follow_up}, "p") is None


def test_dosing_timeline_two_drips_within_two_weeks_with_co_treatments():
    pic = pictures.timeline(study(), "pd")
    (row,) = pic.rows
    assert row.label == "Rituximab: 2 drips into a vein" and len(row.doses) == 2
    assert row.bracket_label == "all within 2 weeks"
    assert [(e.label, e.route) for e in pic.extras] == [
        ("Cyclophosphamide, into a vein", "intravenous"), ("Corticosteroids, by mouth", "oral")]
    assert pic.text.startswith("Rituximab was given as 2 drips into a vein over 2 weeks.")
    assert "not the days between them" in pic.text


def test_timeline_for_a_range_of_doses_and_none_when_not_reported():
    pic = pictures.timeline(variant(lambda d: d["regimens"][0].update(count={"min": 2, "max": 4})), "p")
    assert [d.optional for d in pic.rows[0].doses] == [False, False, True, True]
    assert pic.rows[0].label == "Rituximab: 2 to 4 drips into a vein"
    assert pictures.timeline(study("watson-2015"), "p") is None


@pytest.mark.parametrize("hi, ticks", [(37, [0, 10, 20, 30, 40]), (0.44, [0, 0.1, 0.2, 0.3, 0.4, 0.5]),
                                       (9, [0, 2, 4, 6, 8, 10]), (1, [0, 0.2, 0.4, 0.6, 0.8, 1])])
def test_nice_ticks(hi, ticks):
    assert pictures.nice_ticks(hi) == ticks


# ---- the pictures on built pages ----

SVG_NS = "{http://www.w3.org/2000/svg}"


def figures(html: str) -> list[str]:
    return re.findall(r'<figure class="pic[^"]*">.*?</figure>', html, re.S)


def check_figure(fig: str) -> None:
    """A title referenced by aria-labelledby, a text equivalent holding every number the SVG shows."""
    svg = re.search(r"<svg.*?</svg>", fig, re.S).group(0)
    root = ElementTree.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG_NS[1:-1]}" ', 1))
    assert root.get("role") == "img"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text.strip() and root.get("aria-labelledby") == title.get("id")
    caption = re.sub(r"<[^>]+>", "", re.search(r"<figcaption>(.*?)</figcaption>", fig, re.S).group(1))
    for t in root.iter(f"{SVG_NS}text"):
        for n in re.findall(r"\d+(?:\.\d+)?", t.text or ""):
            assert n in caption or _is_tick(t), (n, caption)
    assert "style=" not in svg


def _is_tick(t) -> bool:
    """Axis tick labels are scale marks, not figures from the study."""
    return t.get("y") is not None and t.get("font-size") == "11" and t.get("text-anchor") in ("middle", "end") \
        and float(t.get("y")) > 110


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("pics")
    out = tmp / "out"
    assert main(["--content", str(content_with_new_study(tmp)), "--output", str(out), "--quiet"]) == 0
    return out


@pytest.mark.parametrize("ident", [s.id for s in shipped().studies] + ["made-up-2030"])
def test_every_picture_has_a_title_and_a_text_equivalent(built, ident):
    html = (built / "studies" / ident / "index.html").read_text(encoding="utf-8")
    for fig in figures(html):
        check_figure(fig)
    # the JSON-LD block (issue 5) is data, not script
    html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    assert " style=" not in html and "<script" not in html


def test_a_new_study_gets_its_pictures_with_no_new_template(built):
    html = (built / "studies" / "made-up-2030" / "index.html").read_text(encoding="utf-8")
    figs = figures(html)
    kinds = [re.search(r'class="pic ([a-z-]+)"', f).group(1) for f in figs]
    assert kinds == ["pic-timeline", "pic-chart", "pic-icons"]
    timeline, chart, icons = figs
    assert ">Rituximab: 3 drips into a vein</text>" in timeline and timeline.count("<path d=\"M") == 3 + 1
    assert ">all within 3 weeks</text>" in timeline and ">Corticosteroids, by mouth</text>" in timeline
    assert "Before: median 10 (range 6–20). After: median 3 (range 1–8)." in re.sub(r"<[^>]+>", "", chart)
    assert "<title id=\"pic-2-t\">9 of 12 children: Children whose rash got better</title>" in icons
    assert icons.count('fill="currentColor" stroke="currentColor"') == 9
    assert icons.count('fill="none" stroke="currentColor"') == 3


def test_pictures_sit_in_the_family_part(built):
    html = (built / "studies" / "rituximab-childhood-sle-2005" / "index.html").read_text(encoding="utf-8")
    families = html.split('id="for-families"')[1].split('id="for-clinicians"')[0]
    assert len(figures(families)) == 3          # the timeline, the BILAG chart, 7 of 7 children
    assert "Children who could stop dialysis" not in "".join(figures(families))   # total not reported: no icons
