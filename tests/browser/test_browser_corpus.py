"""The generated test corpus uses every optional field of the content model (issue 4)."""

from __future__ import annotations

from typing import Any

import corpus
from sitebuild import BuiltSite


def _values(node: Any, path: list[str]) -> list[Any]:
    """Values at a dotted path; "[]" steps into every item of a list."""
    if not path:
        return [node]
    head, rest = path[0], path[1:]
    if head.endswith("[]"):
        items = node.get(head[:-2]) if isinstance(node, dict) else None
        return [v for item in items or [] if isinstance(items, list) for v in _values(item, rest)]
    if isinstance(node, dict) and head in node:
        return _values(node[head], rest)
    return []


def test_corpus_uses_every_optional_field(site: BuiltSite) -> None:
    studies = corpus.generated_studies(site.content)
    unused = []
    for spec in corpus.OPTIONAL_FIELDS:
        path, _, want = spec.partition("=")
        found = [v for s in studies for v in _values(s, path.split(".")) if v is not None]
        found = [v for v in found if v != ""]
        if not found or (want and want not in [str(v) for v in found]):
            unused.append(spec)
    assert not unused, f"no generated study sets {unused}"


def test_corpus_studies_have_pages(site: BuiltSite) -> None:
    ids = [s["id"] for s in corpus.generated_studies(site.content)]
    assert len(ids) >= 2
    missing = [i for i in ids if f"studies/{i}/index.html" not in site.pages]
    assert not missing, f"generated studies without a page: {missing}"
