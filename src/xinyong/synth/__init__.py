"""Synthetic data: a registry of organisations and the licence and penalty files agencies publish.

Realistic enough to test ingest, search, screening and evaluation at scale (composed names with
shared trade names, census-weighted regions, industry-matched agencies and statutes, valid codes),
reproducible byte for byte from a seed, and optionally damaged the way real files are
(``defects``). Everything is dated relative to ``REFERENCE_DATE``, never to today.
"""

from xinyong.synth.agencies import AGENCIES, Agency
from xinyong.synth.defects import DEFECT_KINDS
from xinyong.synth.generator import (
    REGISTRY_HEADERS,
    GeneratedFile,
    Manifest,
    generate,
    registry_row,
)
from xinyong.synth.records import LICENCE_HEADERS, PENALTY_HEADERS
from xinyong.synth.subjects import REFERENCE_DATE, Subject, iter_subjects

__all__ = [
    "AGENCIES",
    "DEFECT_KINDS",
    "LICENCE_HEADERS",
    "PENALTY_HEADERS",
    "REFERENCE_DATE",
    "REGISTRY_HEADERS",
    "Agency",
    "GeneratedFile",
    "Manifest",
    "Subject",
    "generate",
    "iter_subjects",
    "registry_row",
]
