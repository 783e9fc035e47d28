"""Content: reading the YAML, checking it (schema, consistency rules, quotes, reading level),
the site model built from it, and the authoring commands (init, new, import).

Owns everything about what a study says. Knows nothing of HTML or of the build engine:
it must not import `evidence.pages` or `evidence.build` (tests/unit/test_layers.py).
"""
