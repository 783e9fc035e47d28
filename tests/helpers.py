"""Earlier names of the shared test helpers (copy the shipped content, run the build, read
pages); they live in support.py now. New tests use support.py and tests/conftest.py."""
from support import ROOT, SEED, Rows, copy_content, run_pinned as run_build, snapshot_files as snapshot

__all__ = ["ROOT", "SEED", "Rows", "copy_content", "run_build", "snapshot"]
