"""Preview: `build.py serve`, a local HTTP server over `output/` that rebuilds on change
and reloads the page. Never used by a published site.
"""
