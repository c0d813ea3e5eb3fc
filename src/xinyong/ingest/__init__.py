"""Ingest: agency files (CSV, Excel) read, validated, resolved to subjects and applied.

Public face: `ingest_files`, `IngestSummary`, `UnreadableFile`.
"""

from xinyong.ingest.pipeline import IngestSummary, UnreadableFile, ingest_files

__all__ = ["IngestSummary", "UnreadableFile", "ingest_files"]
