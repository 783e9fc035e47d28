#!/usr/bin/env python3
"""Build the evidence site: `python build.py [build|check|serve] --help`."""
import sys

from evidence.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
