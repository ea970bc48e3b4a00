"""Trial registration: a phased trial has a public registry id (checks ``ClinicalTrial-registry``
and ``ClinicalTrial-unregistered``).

"Has a registry id" means at least one id that is an identifier in a public trial registry
(:data:`REGISTRY_ID`): ClinicalTrials.gov (``registry.nct``), EudraCT (``registry.eudract``,
written "EudraCT 2016-000488-17" in the graph), or another WHO ICTRP registry in
``registry.other`` (ISRCTN, ChiCTR, ACTRN, DRKS, UMIN, jRCT, CTRI, EU CT). A sponsor protocol
code is not a registry id. A phased trial (phase 1 to 3) must be registered (ICMJE, FDAAA):
without an id it is a violation, unless ``design.model`` says it is a case report or case
series, which registries do not cover (the Charité case report of 2015, the von Spee-Mayer
2016 treatment series). A study without a phase (N/A, not stated) and without an id that
does not say so is a warning. The two never report the same trial. Both findings point at
``design.model``, the field that usually needs the fix.

The rule reads the trial records (registry block, phase, design.model), which hold all it
needs. It was a pair of SHACL shapes, each an ``sh:or`` of three branches that pyshacl
evaluated in full for every trial (with a failure report per failing branch); the check ids
and messages are unchanged. (The shapes' helper ``RegistryId``, a node shape for the id
pattern that never reported anything itself, is no longer a check id.)
"""

from __future__ import annotations

import re

from kg.curation.schema import Curation, Trial
from kg.namespaces import curie_of
from kg.rdf.findings import Issue
from kg.rdf.model import trial_iri

__all__ = [
    "REGISTERED",
    "REGISTRY_ID",
    "UNREGISTERED",
    "is_registered",
    "registration_issues",
]

REGISTERED = "ClinicalTrial-registry"
UNREGISTERED = "ClinicalTrial-unregistered"
#: an identifier in a public trial registry, as the graph writes it (kgv:registryId)
REGISTRY_ID = re.compile(
    r"^(NCT[0-9]{8}|EudraCT [0-9]{4}-[0-9]{6}-[0-9]{2}|EU CT [0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}"
    r"|ISRCTN[0-9]{8}|ChiCTR[-A-Za-z0-9]+|ACTRN[0-9]{14}|DRKS[0-9]{8}|UMIN[0-9]{9}"
    r"|jRCT[0-9a-z]+|CTRI/[0-9]{4}/[0-9]+/[0-9]+)$"
)
#: design.model values of studies that registries do not cover
NOT_REGISTRABLE = frozenset({"case report", "case series"})
#: phases of studies without a phase
UNPHASED = frozenset({"N/A", "not stated"})
MESSAGES = {
    REGISTERED: "a phased trial needs a registry id (registry.nct, registry.eudract, or an "
    "ISRCTN/ChiCTR/ACTRN/DRKS/UMIN/jRCT/CTRI id in registry.other) unless design.model is "
    "'case report' or 'case series'",
    UNREGISTERED: "no registry id: if this is a case report or case series, say so in design.model",
}


def is_registered(trial: Trial) -> bool:
    """Whether one of the trial's registry ids is an id of a public trial registry."""
    ids = (*trial.registry.nct, *(f"EudraCT {x}" for x in trial.registry.eudract),
           *trial.registry.other)  # fmt: skip
    return any(REGISTRY_ID.match(str(i)) for i in ids)


def registration_issues(curation: Curation) -> list[Issue]:
    """One issue per trial without a registry id that does not say it is a case report or
    series, at its design.model: check REGISTERED for a phased trial (a violation),
    UNREGISTERED for one without a phase (the caller reports it as a warning)."""
    issues = []
    for trial in curation.trials:
        if is_registered(trial) or trial.design.model in NOT_REGISTRABLE:
            continue
        check = UNREGISTERED if trial.phase in UNPHASED else REGISTERED
        focus = curie_of(str(trial_iri(trial.id, trial.registry.nct)))
        issues.append(Issue(trial.id, ("design", "model"), check, MESSAGES[check], focus))
    return issues
