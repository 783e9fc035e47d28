"""Autoescape, tested directly (not only through the hostile-content site build): the Jinja
environment of evidence.pages.render escapes every content value it prints."""
from __future__ import annotations

from evidence.pages.render import make_env, render_page
from support import SEED, shipped, variant

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_the_environment_escapes_a_value():
    env = make_env()
    assert env.from_string("<p>{{ v }}</p>").render(v=HOSTILE) == f"<p>{ESCAPED}</p>"
    assert env.from_string("<a title='{{ v }}'>").render(v="' onmouseover='x") == (
        "<a title='&#39; onmouseover=&#39;x'>")


def test_a_study_page_escapes_its_fields():
    """A study whose population and design descriptions hold markup: the page shows
    them as text, and no <script> or onerror attribute reaches the page."""
    def change(data):
        data["population"]["description"] = HOSTILE
        data["design"]["description"] = HOSTILE

    study = variant(change)
    entry = (f"studies/{SEED}/index.html", "study.html", {"study": study})
    page = render_page(make_env(), shipped(), entry).body.decode("utf-8")
    assert ESCAPED in page
    assert "<script>alert" not in page and "<img src=x" not in page
