"""Evaluation: listings, measures and flags for a subject on a date — pure functions over data.

Public face: `Rules`, `evaluate`, `Evaluation`, the facts `Listing`, `Record`, `SubjectFacts`,
and `derive` (listings the catalogue's criteria call for).
"""

from xinyong.evaluate.engine import Evaluation, MeasureInForce, Rules, evaluate, listing_link
from xinyong.evaluate.facts import Listing, Record, SubjectFacts

__all__ = [
    "Evaluation",
    "Listing",
    "MeasureInForce",
    "Record",
    "Rules",
    "SubjectFacts",
    "evaluate",
    "listing_link",
]
