"""Evidence integrity (issue 5): every rule of docs/content-model.md "Provenance: quote"
(warnings; errors under --strict) and "Consistency" (errors), each located by file,
line, column and field; and the build summary's figure counts."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from evidence import cli
from evidence.content.load import load_all, parse_yaml, read_sources
from evidence.content.provenance import fold, fragments, numbers_in
from evidence.content.validate import validate

ROOT = Path(__file__).resolve().parents[2]
SEED = "rituximab-childhood-sle-2005"
REL = f"content/studies/{SEED}.yaml"
SEED_TEXT = (ROOT / REL).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shipped():
    docs, errors = load_all(ROOT / "content")
    assert errors == []
    return docs, read_sources(ROOT / "content")


def check(shipped, text: str, source: str | None = "keep"):
    """Validate the shipped content with the seed study replaced by `text`."""
    docs, sources = shipped
    seed = parse_yaml(text.encode("utf-8"), REL, "study", ROOT / REL)
    docs = [seed if d.kind == "study" and d.data["id"] == SEED else d for d in docs]
    sources = dict(sources)
    if source is None:
        del sources[SEED]
    elif source != "keep":
        sources[SEED] = source
    return validate(docs, sources, reading=False)


def edit(old: str, new: str, text: str = SEED_TEXT) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def where(text: str, needle: str, nth_line_containing: str | None = None) -> tuple[int, int]:
    """1-based line and column of `needle` on the line containing `nth_line_containing`."""
    for i, line in enumerate(text.splitlines(), 1):
        if (nth_line_containing or needle) in line and needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


def found(problems, field: str, message: str) -> bool:
    return any(p.field == field and message in p.message for p in problems)


def test_shipped_content_is_clean(shipped):
    report = check(shipped, SEED_TEXT)
    assert report.errors == [] and report.warnings == []
    assert report.figures_checked == report.figures_found > 0


# --- Provenance: numbers must appear in their block's quote (warnings) -------------------

def test_edited_bilag_figure_is_a_located_warning(shipped):
    text = edit("baseline: {median: 22, min: 14, max: 37}", "baseline: {median: 23, min: 14, max: 37}")
    report = check(shipped, text)
    assert report.errors == []
    [w] = report.warnings
    line, col = where(text, "23", "baseline:")
    assert (w.path, w.line, w.column, w.field, w.severity) == (REL, line, col, "outcomes[0].baseline.median",
                                                                "warning")
    assert (line, col) == (67, 24)
    assert w.message == "23 does not appear in the quote"


@pytest.fixture()
def edited_content(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    seed = tmp_path / "content/studies" / f"{SEED}.yaml"
    seed.write_text(edit("baseline: {median: 22, min: 14, max: 37}", "baseline: {median: 23, min: 14, max: 37}"),
                    encoding="utf-8")
    return tmp_path, seed


def test_cli_warns_then_strict_fails_and_keeps_output(shipped, edited_content, capsys):
    tmp, seed = edited_content
    clean = check(shipped, SEED_TEXT)
    total, found_, derived = clean.figures_checked + clean.figures_derived, clean.figures_found, clean.figures_derived
    content, output = str(tmp / "content"), str(tmp / "output")
    assert cli.main(["--content", content, "--output", output]) == 0
    first = capsys.readouterr()
    shown = re.escape(seed.as_posix())
    assert re.search(rf"^{shown}:67:24: warning: outcomes\[0\]\.baseline\.median: 23 does not appear in "
                     r"the quote$", first.err, re.M)
    assert "   67 |     baseline: {median: 23, min: 14, max: 37}\n      |                        ^" in first.err
    assert "hint: check the figure against the source" in first.err
    assert f"\nFigures: {total} ({found_ - 1} found in their quotes, {derived} derived, 1 unquoted); " \
           "1 warning\n" in first.out
    before = {p: p.read_bytes() for p in (tmp / "output").rglob("*") if p.is_file()}
    assert cli.main(["--content", content, "--output", output, "--strict"]) == 1
    second = capsys.readouterr()
    assert re.search(rf"^{shown}:67:24: outcomes\[0\]\.baseline\.median: 23 does not appear in the quote$",
                     second.err, re.M)
    assert second.err.rstrip().endswith(f"1 error in 1 file; {output}/ left unchanged.")
    assert {p: p.read_bytes() for p in (tmp / "output").rglob("*") if p.is_file()} == before
    assert cli.main(["check", "--content", content, "--strict"]) == 1
    assert "1 error in 1 file; nothing written." in capsys.readouterr().err


def test_summary_counts_figures(shipped, capsys):
    clean = check(shipped, SEED_TEXT)
    assert clean.figures_checked > 100 and clean.figures_derived > 0
    assert cli.main(["check", "--content", str(ROOT / "content")]) == 0
    # every figure of the shipped content is found in its quote (issue 10: 0 unquoted)
    assert (f"\nFigures: {clean.figures_checked + clean.figures_derived} ({clean.figures_found} found in "
            f"their quotes, {clean.figures_derived} derived, 0 unquoted); 0 warnings\n") in capsys.readouterr().out


def test_number_rules():
    assert numbers_in("ages 7.7-16.1 years") == {7.7, 16.1}               # a range, not minus 16.1
    assert numbers_in("16/18 patients") == {16, 18}
    assert numbers_in("(P = 0.002)") == {0.002}
    assert numbers_in("P=.002") == {0.002}
    assert numbers_in("1,500 mg in 93% of them") == {1500, 93}
    assert numbers_in("Seven patients, two infusions, Eighteen, zero, twenty") == {7, 2, 18, 0, 20}
    assert numbers_in("750 mg/m2, C3 and 2K") == {750}                   # the 2 of m2, C3, 2K: no numbers
    assert numbers_in("a median of 1.0 years") == {1.0} and 1 in numbers_in("1.0") and 1.0 in numbers_in("1")
    assert numbers_in("twenty-one and Sixty-three") == {21, 63}          # compounds, not 20 and 1
    assert numbers_in("a two-week period") == {2}


def test_folding():
    assert fold("a\u00a0b \n\t c") == "a b c"
    assert fold("‘a’ “b” ‚c‘ „d“") == "'a' \"b\" 'c' \"d\""
    assert fold("7.7‐16.1 ‑ ‒ – — −") == "7.7-16.1 - - - - -"
    assert fold("12 ± 3 …") == "12 +/- 3 ..."
    assert fold("750 mg/m²") == "750 mg/m2"
    assert fragments("one ... two … three") == ["one", "two", "three"]


def test_typography_differences_still_match(shipped):
    text = edit("ages 7.7-16.1 years (median 14.8 years)", "ages 7.7–16.1\u00a0years (median 14.8 years)")
    report = check(shipped, text)
    assert report.warnings == [] and report.errors == []


def test_quote_not_in_source(shipped):
    text = edit("quote: from a median score of 22", "quote: from a mean score of 22")
    [w] = check(shipped, text).warnings
    assert w.field == "outcomes[0].quote" and w.line == 70 and w.column == 12
    assert w.message.startswith(f"quote not found in content/sources/{SEED}.txt: \"from a mean score of 22")


def test_fragments_in_order(shipped):
    # (fragments without figures: the corticosteroids' count is not-reported, so a number
    # of its quote would be an unused one)
    ok = edit("quote: and high-dose oral corticosteroids",
              "quote: intravenous infusions of rituximab ... and high-dose oral corticosteroids")
    assert check(shipped, ok).warnings == []
    swapped = edit("quote: and high-dose oral corticosteroids",
                   "quote: and high-dose oral corticosteroids ... intravenous infusions of rituximab")
    [w] = check(shipped, swapped).warnings
    assert w.field == "regimens[2].quote" and "(fragments must be in the source's order)" in w.hint


def test_quote_never_starts_or_ends_with_ellipsis(shipped):
    for bad in ("quote: ... and high-dose oral corticosteroids", "quote: and high-dose oral corticosteroids ..."):
        report = check(shipped, edit("quote: and high-dose oral corticosteroids", bad))
        assert found(report.errors, "regimens[2].quote", 'a quote never starts or ends with "..."')


def test_conclusion_is_checked(shipped):
    text = edit("conclusion: This open-label study demonstrates",
                "conclusion: This randomised study demonstrates")
    assert found(check(shipped, text).warnings, "conclusion", "quote not found")


def test_missing_source_text_is_a_warning(shipped):
    assert found(check(shipped, SEED_TEXT, source=None).warnings, "id", "no source text")


def test_derived_values(shipped):
    text = edit("    derived: [events, of]\n", "")
    report = check(shipped, text)
    assert found(report.warnings, "outcomes[1].events", "7 does not appear in the quote")
    assert found(report.warnings, "outcomes[1].of", "7 does not appear in the quote")
    wrong = edit("derived: [events, of]", "derived: [events, of, baseline.median]")
    assert found(check(shipped, wrong).warnings, "outcomes[1].derived",
                 "derived names `baseline.median`, which is not a number in this block")


def test_adverse_events_use_their_own_quote_else_the_safety_quote(shipped):
    own = edit("  adverse_events: not-reported\n",
               "  adverse_events:\n    - name: Renal function\n      events: 2\n      of: 7\n"
               "      serious: false\n      derived: [of]\n"
               "      quote: These 2 patients have subsequently shown further significant improvement\n")
    assert check(shipped, own).warnings == []
    shared = edit("  adverse_events: not-reported\n",
                  "  adverse_events:\n    - name: Renal function\n      events: 2\n      of: 7\n"
                  "      serious: false\n")
    report = check(shipped, shared)
    assert found(report.warnings, "safety.adverse_events[0].events", "2 does not appear in the quote")
    assert found(report.warnings, "safety.adverse_events[0].of", "7 does not appear in the quote")


# --- Consistency: numbers that contradict each other (errors) -----------------------------

AGE = "age_years: {min: 7.7, max: 16.1, median: 14.8}"
CONSISTENCY = [
    ("median above max", AGE, "age_years: {min: 7.7, max: 16.1, median: 17}",
     "population.age_years.median", "median 17 is above max 16.1"),
    ("mean below min", AGE, "age_years: {min: 7.7, max: 16.1, mean: 5}",
     "population.age_years.mean", "mean 5 is below min 7.7"),
    ("q1 above median", AGE, "age_years: {q1: 15, median: 14.8}", "population.age_years.q1",
     "q1 15 is above the median 14.8"),
    ("median above q3", AGE, "age_years: {median: 14.8, q3: 14}", "population.age_years.q3",
     "q3 14 is below the median 14.8"),
    ("age min above max", AGE, "age_years: {min: 16.1, max: 7.7}", "population.age_years.min",
     "min 16.1 is above max 7.7"),
    ("outcome median outside range", "baseline: {median: 22, min: 14, max: 37}",
     "baseline: {median: 40, min: 14, max: 37}", "outcomes[0].baseline.median", "median 40 is above max 37"),
    ("follow-up outside range", "  median: {value: 1.0, unit: years}\n",
     "  median: {value: 1.0, unit: years}\n  min: 2\n  max: 3\n", "follow_up_time.median",
     "median 1.0 is below min 2"),
    ("female above n", "female: 4", "female: 8", "population.female", "8 is more than population.n (7)"),
    ("events above of", "    events: 7\n    of: 7\n", "    events: 7\n    of: 6\n", "outcomes[1].events",
     "events (7) is more than of (6)"),
    ("people above n", "    events: 2\n    of: not-reported\n", "    events: 9\n    of: not-reported\n",
     "outcomes[2].events", "9 people is more than population.n (7)"),
    ("at_least above n", "serious_adverse_events: 0", "serious_adverse_events: {at_least: 8}",
     "safety.serious_adverse_events", "8 people is more than population.n (7)"),
    ("deaths above serious adverse events", "  adverse_events: not-reported\n",
     "  adverse_events: not-reported\n  deaths: 1\n", "safety.deaths",
     "1 deaths is more than serious_adverse_events (0)"),
    ("p-value above 1", "p_value: 0.002", "p_value: 1.5", "outcomes[0].p_value", ""),
    ("p-value zero", "p_value: 0.002", "p_value: 0", "outcomes[0].p_value", ""),
    ("dose min above max", "dose: {value: 750, unit: mg/m2}", "dose: {min: 450, max: 350, unit: mg/m2}",
     "regimens[0].dose.min", "min 450 is above max 350"),
    ("count min above max", "    count: 2\n    over: {value: 2", "    count: {min: 12, max: 2}\n    over: {value: 2",
     "regimens[0].count.min", "min 12 is above max 2"),
    ("added before the year", 'added: "2026-11-24"', 'added: "2004-11-24"', "added",
     "added (2004-11-24) is before citation.year (2005)"),
    ("drugs differ from studied regimens", "drugs: [rituximab]", "drugs: [rituximab, cyclophosphamide]",
     "drugs", "expected the studied regimens' drugs [rituximab]"),
    ("two outcomes with one id", "id: presenting-symptoms-improved", "id: bilag-global", "outcomes[1].id",
     "two outcomes with id `bilag-global`"),
    ("percent far from events / of", "    events: 7\n    of: 7\n", "    events: 7\n    of: 7\n    percent: 90\n",
     "outcomes[1].percent", "90 is more than 1 away from 100 × events / of (100.0)"),
    ("female percent far from female / n", "female: 4\n", "female: 4\n  female_percent: 50\n",
     "population.female_percent", "50 is more than 1 away from 100 × female / of (57.1)"),
    ("adverse event people above n", "  adverse_events: not-reported\n",
     "  adverse_events:\n    - {name: Infection, events: 8, of: not-reported, serious: true}\n",
     "safety.adverse_events[0].events", "8 people is more than population.n (7)"),
]


@pytest.mark.parametrize("old, new, field, message", [c[1:] for c in CONSISTENCY],
                         ids=[c[0] for c in CONSISTENCY])
def test_consistency_rule(shipped, old, new, field, message):
    text = edit(old, new)
    report = check(shipped, text)
    assert found(report.errors, field, message), [(e.field, e.message) for e in report.errors]
    e = next(e for e in report.errors if e.field == field and message in e.message)
    assert e.path == REL and e.line > 1 and e.column >= 1 and e.severity == "error"
    assert e.source_line == text.splitlines()[e.line - 1]


def test_close_enough_percent_and_courses_are_not_errors(shipped):
    text = edit("    events: 7\n    of: 7\n", "    events: 7\n    of: 7\n    percent: 99.5\n")
    assert check(shipped, text).errors == []
    courses = edit("    events: 2\n    of: not-reported\n", "    events: 9\n    of: not-reported\n"
                   "    counted_in: courses\n")
    assert check(shipped, courses).errors == []


def test_nested_derived_path_is_not_checked(shipped):
    clean = check(shipped, SEED_TEXT)
    text = edit("baseline: {median: 22, min: 14, max: 37}",
                "baseline: {median: 23, min: 14, max: 37}\n    derived: [baseline.median]")
    report = check(shipped, text)
    assert report.warnings == [] and report.errors == []
    assert report.figures_derived == clean.figures_derived + 1
    assert report.figures_checked == clean.figures_checked - 1


def test_a_block_without_its_quote_is_a_schema_error(shipped):
    text = edit("    quote: and high-dose oral corticosteroids\n", "")
    report = check(shipped, text)
    assert any(e.field.startswith("regimens[2]") and "quote" in e.message for e in report.errors), \
        [(e.field, e.message) for e in report.errors]


# --- Provenance (1.2): a number of the quote that no field uses, while a field is not-reported ---

SEED_SOURCE = (ROOT / "content/sources" / f"{SEED}.txt").read_text(encoding="utf-8")
WILLEMS_SENTENCE = "Patients received 2 to 12 intravenous infusions of rituximab (350-450 mg/m2/infusion)"
# the Willems slip on the seed's rituximab regimen: the quote gives 2 and 12, count says not-reported
WILLEMS_LIKE = edit("    dose: {value: 750, unit: mg/m2}\n    route: intravenous\n    count: 2\n"
                    "    over: {value: 2, unit: weeks}\n",
                    "    dose: {min: 350, max: 450, unit: mg/m2}\n    route: intravenous\n"
                    "    count: not-reported\n    over: not-reported\n",
                    edit("quote: During a 2-week period, patients received two 750-mg/m2 intravenous "
                         "infusions of rituximab", f'quote: "{WILLEMS_SENTENCE}"'))
WILLEMS_SOURCE = SEED_SOURCE + f"\n{WILLEMS_SENTENCE}, with corticosteroids.\n"
UNUSED_HINT = "not_used: with the reason it is not a value of this block"


@pytest.fixture(scope="module")
def seed_only():
    """The shipped content with the seed as its one study (the other studies are not these tests')."""
    docs, errors = load_all(ROOT / "content")
    docs = [d for d in docs if d.kind != "study" or d.rel == REL]
    assert [e for e in errors if not e.path.startswith("content/studies/")] == []
    return docs, read_sources(ROOT / "content")


def seed_warnings(report) -> list:
    """The seed's warnings, with no error anywhere."""
    assert report.errors == [], [(e.field, e.message) for e in report.errors]
    assert {w.path for w in report.warnings} <= {REL}
    return report.warnings


def test_unused_number_with_a_not_reported_field_is_a_located_warning(seed_only):
    [w] = seed_warnings(check(seed_only, WILLEMS_LIKE, WILLEMS_SOURCE))
    line, col = where(WILLEMS_LIKE, "not-reported", "count: not-reported")
    assert (w.path, w.line, w.column, w.field, w.severity) == (REL, line, col, "regimens[0].count", "warning")
    assert w.source_line == "    count: not-reported"
    # 350 and 450 are the dose's; the 2 of "mg/m2" is no number; max_dose is the studied
    # regimen's third not-reported figure field; rate and premedication are words
    assert w.message == "the quote gives 2 and 12, but count, over and max_dose are not-reported"
    assert w.hint == "use the figures, or list each under " + UNUSED_HINT


def test_unused_number_is_an_error_under_strict(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for study in (content / "studies").glob("*.yaml"):      # the seed alone: an exact count
        if study.stem != SEED:
            study.unlink()
            (content / "sources" / f"{study.stem}.txt").unlink()
    (content / "studies" / f"{SEED}.yaml").write_text(WILLEMS_LIKE, encoding="utf-8")
    (content / "sources" / f"{SEED}.txt").write_text(WILLEMS_SOURCE, encoding="utf-8")
    line, col = where(WILLEMS_LIKE, "not-reported", "count: not-reported")
    shown = re.escape(f"{(content / 'studies' / f'{SEED}.yaml').as_posix()}:{line}:{col}:")
    message = r"regimens\[0\]\.count: the quote gives 2 and 12, but count, over and max_dose are not-reported$"
    assert cli.main(["check", "--content", str(content)]) == 0
    assert re.search(rf"^{shown} warning: {message}", capsys.readouterr().err, re.M)
    assert cli.main(["check", "--content", str(content), "--strict"]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"^{shown} {message}", err, re.M)
    assert "1 error in 1 file; nothing written." in err


def test_no_unused_warning_when_no_figure_field_is_not_reported(seed_only):
    # 14.8 (the median age) is left out, but nothing in the population is not-reported
    dropped = edit(AGE, "age_years: {min: 7.7, max: 16.1}")
    assert seed_warnings(check(seed_only, dropped)) == []
    [w] = seed_warnings(check(seed_only, edit("female: 4", "female: not-reported", dropped)))
    assert (w.field, w.message) == ("population.female", "the quote gives 4 and 14.8, but female is not-reported")


def test_words_only_fields_leave_no_number_unused(seed_only):
    # years in a design quote: blinding and comparison are choices, never figures
    sentence = "Patients treated from 2009 to 2023 were studied."
    design = SEED_TEXT.split("design:\n", 1)[1].split("population:\n", 1)[0]
    quote = next(ln for ln in design.splitlines() if ln.startswith("  quote: "))
    text = edit("  blinding: open-label\n  comparison: none\n", "  blinding: not-reported\n  comparison: not-reported\n",
                edit(quote, f"  quote: {sentence}"))
    assert seed_warnings(check(seed_only, text, SEED_SOURCE + sentence)) == []


def test_a_number_a_field_uses_is_not_unused(seed_only):
    used = edit("count: not-reported\n    over: not-reported\n    max_dose",
                "count: {min: 2, max: 12}\n    over: not-reported\n    max_dose", WILLEMS_LIKE)
    assert seed_warnings(check(seed_only, used, WILLEMS_SOURCE)) == []
    # the p-value is a field, so "P = 0.002" is used; the follow-up figures are not
    [w] = seed_warnings(check(seed_only, edit("follow_up: {median: 6, min: 4, max: 11}", "follow_up: not-reported")))
    assert (w.field, w.message) == ("outcomes[0].follow_up",
                                    "the quote gives 4, 6 and 11, but follow_up is not-reported")
    assert w.hint == "use the figures, or list each under " + UNUSED_HINT


def test_not_used_silences_an_unused_number(seed_only):
    why = "      - {number: 12, why: the most infusions any patient had}\n"
    one = edit("    quote: \"Patients received", "    not_used:\n" + why + "    quote: \"Patients received",
               WILLEMS_LIKE)
    [w] = seed_warnings(check(seed_only, one, WILLEMS_SOURCE))
    assert (w.field, w.message) == ("regimens[0].count", "the quote gives 2, but count, over and max_dose are "
                                                          "not-reported")
    assert w.hint == "use the figure, or list it under " + UNUSED_HINT
    both = edit(why, why + "      - {number: 2, why: the fewest infusions any patient had}\n", one)
    report = check(seed_only, both, WILLEMS_SOURCE)
    assert seed_warnings(report) == []
    clean = check(seed_only, WILLEMS_LIKE, WILLEMS_SOURCE)       # not_used holds no figure of the block
    assert (report.figures_checked, report.figures_found) == (clean.figures_checked, clean.figures_found)


def test_not_used_naming_a_number_not_in_the_quote_warns(seed_only):
    text = edit("  quote: Seven patients", "  not_used:\n    - number: 14\n      why: over 14 years\n"
                                           "  quote: Seven patients")
    [w] = seed_warnings(check(seed_only, text))     # 14.8 is in the quote; 14 is not
    line, col = where(text, "14", "- number: 14")
    assert (w.line, w.column, w.field, w.severity) == (line, col, "population.not_used[0].number", "warning")
    assert w.message == "not_used names 14, which is not in the quote"
    assert seed_warnings(check(seed_only, edit("number: 14", "number: 14.8", text))) == []


SUBGROUP = ("  subgroups:\n    - id: girls\n      name: Girls\n      plain_name: Girls\n      n: {n}\n"
            "      quote: 4 of whom were female\n")
PRIOR = ("  prior_treatments:\n    - drug: cyclophosphamide\n      n: {n}\n      when: before\n"
         "      quote: 4 of whom were female\n")


@pytest.mark.parametrize("key, block", [("subgroups", SUBGROUP), ("prior_treatments", PRIOR)],
                         ids=["subgroup", "prior-treatment"])
def test_a_subgroup_is_checked_against_its_own_quote(seed_only, key, block):
    def with_n(n):
        return edit("  description: Children with active SLE",
                    block.replace("{n}", n) + "  description: Children with active SLE")
    assert seed_warnings(check(seed_only, with_n("4"))) == []
    # 5 is not in its quote (nor in the population's: the population does not check it)
    [w] = seed_warnings(check(seed_only, with_n("5")))
    assert (w.field, w.message) == (f"population.{key}[0].n", "5 does not appear in the quote")
    # its own quote gives 4, which its n does not use
    text = with_n("not-reported")
    [w] = seed_warnings(check(seed_only, text))
    line, col = where(text, "not-reported", "n: not-reported")
    assert (w.line, w.column, w.field) == (line, col, f"population.{key}[0].n")
    assert w.message == "the quote gives 4, but n is not-reported"


@pytest.mark.parametrize("block", [SUBGROUP, PRIOR], ids=["subgroup", "prior-treatment"])
def test_the_populations_unused_rule_counts_a_subgroups_numbers_as_used(seed_only, block):
    no_female = edit("female: 4", "female: not-reported")
    [w] = seed_warnings(check(seed_only, no_female))
    assert (w.field, w.message) == ("population.female", "the quote gives 4, but female is not-reported")
    text = edit("  description: Children with active SLE",
                block.replace("{n}", "4") + "  description: Children with active SLE", no_female)
    assert seed_warnings(check(seed_only, text)) == []


def test_adverse_events_sharing_the_safety_quote_are_checked_with_it(seed_only):
    renal = "These 2 patients have subsequently shown further significant improvement"
    shared = edit("  serious_adverse_events: 0\n  adverse_events: not-reported\n  derived: [serious_adverse_events]\n"
                  "  quote: no serious adverse effects were noted\n",
                  "  serious_adverse_events: not-reported\n  adverse_events:\n"
                  "    - {name: Renal function, events: 2, of: 7, serious: false, derived: [of]}\n"
                  "    - {name: Proteinuria, events: not-reported, of: not-reported, serious: false}\n"
                  f"  quote: {renal}\n")
    # the safety block uses 2 through its first event; the second has no quote of its own
    assert seed_warnings(check(seed_only, shared)) == []
    own = edit("serious: false}\n  quote:", f"serious: false, quote: {renal}}}\n  quote:", shared)
    [w] = seed_warnings(check(seed_only, own))
    assert (w.field, w.message) == ("safety.adverse_events[1].events",
                                    "the quote gives 2, but events and of are not-reported")
