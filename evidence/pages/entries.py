"""Entries' pages: the plan of one page per study, condition and drug (the registry's
study, condition and drug types). A condition's or drug's page also names its studies,
so it is rebuilt when one of them changes."""
from __future__ import annotations

from .registry import TYPES
from ..content.model import Site


def pages(site: Site) -> list[tuple[str, str, dict]]:
    """(output path, template, context) of every study, condition and drug page."""
    study, condition, drug = TYPES["study"], TYPES["condition"], TYPES["drug"]
    return ([(study.path(id=s.id), study.template, {"study": s}) for s in site.studies]
            + [(condition.path(id=c.id), condition.template,
                {"condition": c, "studies": site.studies_for("condition", c.id)}) for c in site.conditions]
            + [(drug.path(id=d.id), drug.template,
                {"drug": d, "studies": site.studies_for("drug", d.id)}) for d in site.drugs])
