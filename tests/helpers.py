"""Shared test helpers: copy the shipped content, run the build, read pages."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "rituximab-childhood-sle-2005"


def copy_content(tmp: Path) -> Path:
    """A private copy of content/ to edit in a test."""
    dest = tmp / "content"
    shutil.copytree(ROOT / "content", dest)
    return dest


def run_build(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run build.py in a subprocess, as a maintainer would."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764115200", "CI": "true"}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=env, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, for byte-for-byte comparison."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
