"""Helpers for checking and projecting runs of changes in a few statements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

# Well under SQLite's bound-parameter limit, and small enough for PostgreSQL's planner.
IN_CHUNK = 500


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    part: list[T] = []
    for value in values:
        part.append(value)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part
