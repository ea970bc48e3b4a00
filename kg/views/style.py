"""How nodes and edges look: colour and shape by category, line style by polarity and status."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["NEGATED_COLOUR", "CategoryStyle", "category_style"]


@dataclass(frozen=True)
class CategoryStyle:
    """Fill colour, vis-network shape (label inside for box/ellipse/database) and font colour."""

    colour: str
    shape: str
    font: str = "#1b1b1b"


#: trials and their parts are boxes and symbols; biology is ellipses; literature is a database
STYLES: dict[str, CategoryStyle] = {
    "ClinicalTrial": CategoryStyle("#1f5fa6", "box", "#ffffff"),
    "TrialArm": CategoryStyle("#9cc3e6", "box"),
    "Dose": CategoryStyle("#7fd3dd", "diamond"),
    "Endpoint": CategoryStyle("#ffbb78", "triangle"),
    "StudyResult": CategoryStyle("#f28e2b", "square"),
    "StudyResult (comparison)": CategoryStyle("#c44e00", "star"),
    "AdverseEventCount": CategoryStyle("#ff9da7", "triangleDown"),
    "ClinicalMeasurement": CategoryStyle("#d9d27a", "hexagon"),
    "Publication": CategoryStyle("#c5b0d5", "database"),
    "EvidenceItem": CategoryStyle("#e4d9ef", "dot"),
    "Unit": CategoryStyle("#c9c9c9", "dot"),
    "Agent": CategoryStyle("#a0a0a0", "box"),
    "Disease": CategoryStyle("#e377c2", "ellipse"),
    "PhenotypicFeature": CategoryStyle("#f4b6d8", "ellipse"),
    "Cell": CategoryStyle("#59a14f", "ellipse", "#ffffff"),
    "Protein": CategoryStyle("#8cd17d", "ellipse"),
    "Gene": CategoryStyle("#86bcb6", "ellipse"),
    "Drug": CategoryStyle("#8c6bb1", "ellipse", "#ffffff"),
    "ChemicalEntity": CategoryStyle("#b07aa1", "ellipse", "#ffffff"),
    "ClinicalIntervention": CategoryStyle("#9c6b4e", "ellipse", "#ffffff"),
    "BiologicalProcess": CategoryStyle("#edc948", "ellipse"),
    "MolecularActivity": CategoryStyle("#f1ce63", "ellipse"),
    "AnatomicalEntity": CategoryStyle("#d4a6c8", "ellipse"),
    "EvidenceType": CategoryStyle("#bab0ac", "ellipse"),
    "NamedThing": CategoryStyle("#e2e2e2", "ellipse"),
    "OntologyClass": CategoryStyle("#eeeeee", "ellipse"),
}
#: colours for categories not listed above, picked by a hash of the name (stable across runs)
SPARE = ("#4e79a7", "#76b7b2", "#ff9d9a", "#9d7660", "#d37295", "#a0cbe8", "#b6992d", "#79706e")
#: large views draw symbols with the label below: text inside shapes is measured per node
LARGE_SHAPES = {"box": "square", "ellipse": "dot", "database": "star"}
NEGATED_COLOUR = "#d62728"


def category_style(category: str, *, large: bool = False) -> CategoryStyle:
    """The style of a category; unknown categories get a stable spare colour and an ellipse."""
    style = STYLES.get(category)
    if style is None:
        index = hashlib.sha1(category.encode("utf-8")).digest()[0] % len(SPARE)
        style = CategoryStyle(SPARE[index], "ellipse")
    if large and style.shape in LARGE_SHAPES:
        return CategoryStyle(style.colour, LARGE_SHAPES[style.shape], "#1b1b1b")
    return style
