"""Earlier names of the family-layer tests' helpers (the shipped site, studies from dicts, a new
study); they live in support.py now."""
from support import (CONTENT, NEW_SOURCE, NEW_STUDY, ROOT, SEED, content_with_new_study, shipped, study,
                     variant)

__all__ = ["CONTENT", "NEW_SOURCE", "NEW_STUDY", "ROOT", "SEED", "content_with_new_study", "shipped",
           "study", "variant"]
