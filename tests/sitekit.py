"""Earlier names of the hardening tests' helpers (copy the small valid site, run the build,
snapshot output/, read bad cases); they live in support.py and badcases.py now."""
from badcases import Case, case as read_case_named, load_cases
from support import (BAD, DATA, ROOT, SITE, SEED_FILE as SEED, Run, copy_site, run_cli as run_build,
                     run_inprocess, snapshot)

__all__ = ["BAD", "DATA", "ROOT", "SITE", "SEED", "Run", "Case", "copy_site", "run_build",
           "run_inprocess", "snapshot", "load_cases", "read_case_named"]
