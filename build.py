#!/usr/bin/env python3
"""Build the evidence site: `python build.py [build|check|serve] --help`."""
import sys

from evidence.cli import process

if __name__ == "__main__":
    process(sys.argv[1:])
