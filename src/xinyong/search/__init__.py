"""Search: find subjects by code or by name, in any script or bracket style.

Public face: `search_subjects`, `SearchHit`, `SearchPage`.
"""

from xinyong.search.subjects import SearchHit, SearchPage, search_subjects

__all__ = ["SearchHit", "SearchPage", "search_subjects"]
