"""The catalogue: record kinds (and, later, lists, measures, memoranda) as linted data.

Public face: `load_catalogue`, `Catalogue`, `CatalogueError`, `classify`.
"""

from xinyong.catalogue.load import Catalogue, CatalogueError, catalogue_dir, load_catalogue
from xinyong.catalogue.model import RecordKind
from xinyong.catalogue.severity import Severity, classify

__all__ = [
    "Catalogue",
    "CatalogueError",
    "RecordKind",
    "Severity",
    "catalogue_dir",
    "classify",
    "load_catalogue",
]
