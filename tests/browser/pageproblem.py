"""One failed browser check (Problem), the report of a list of them, and the JavaScript
helpers the page checks share (a CSS path and a short outer HTML per element)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One failed check: which page, which rule, which element, and what is wrong."""

    page: str  # path in the output folder, e.g. studies/x/index.html, plus [variant]
    rule: str  # axe rule id, "html", "missing-page", "focus-not-visible", ...
    element: str  # CSS selector and outer HTML, or line:column and source extract
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.rule}: {self.detail}\n      element: {self.element}"


def report(problems: list[Problem], limit: int = 40) -> str:
    """The assertion message: one block per problem, the first `limit` of them."""
    shown = "\n".join(f"  - {p}" for p in problems[:limit])
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} problem(s):\n{shown}{more}"


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# JavaScript helpers shared by the page checks: a CSS path and a short outer HTML per element.
_JS_HELPERS = r"""
const cssPath = (el) => {
  if (!(el instanceof Element)) return String(el);
  const parts = [];
  while (el && el.nodeType === 1 && el !== document.documentElement) {
    if (el.id) { parts.unshift('#' + CSS.escape(el.id)); break; }
    let part = el.localName;
    const parent = el.parentElement;
    if (parent) {
      const same = [...parent.children].filter(c => c.localName === el.localName);
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(el) + 1})`;
    }
    parts.unshift(part);
    el = parent;
  }
  return parts.join(' > ') || 'html';
};
const outer = (el) => {
  const h = el.outerHTML.replace(/\s+/g, ' ');
  return h.length > 160 ? h.slice(0, 157) + '...' : h;
};
const describe = (el) => `${cssPath(el)}  ${outer(el)}`;
"""


def _js(body: str) -> str:
    """Wrap a function body so it can use the helpers above; it gets one argument, arg."""
    return f"(arg) => {{ {_JS_HELPERS}\n{body} }}"
