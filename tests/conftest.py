"""Shared test setup: the helper modules in tests/ (helpers, sitekit, famhelp) are importable
from tests/unit, tests/site and tests/browser."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
