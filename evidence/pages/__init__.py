"""Pages: what the site shows and where. The page registry and plan, the Jinja
environment, one module per page family (studies, conditions, drugs, dosing, browse,
evidence, about), pictures, explained terms, citations, JSON-LD, feeds, open data and
the search index's settings.

Reads the site model from `evidence.content`; must not import `evidence.build`.
"""
