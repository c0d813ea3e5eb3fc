"""Weighted random choice over a fixed table.

``random.choices`` rebuilds its cumulative table on every call unless handed one, and the generator
draws millions of times from a few dozen fixed tables, so each table is accumulated once here.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed list of items with weights, drawn from with any ``random.Random``.

    The generator owns its ``Random`` instances (one per concern), so the table takes the
    instance at draw time rather than holding one.
    """

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items: list[T] = []
        weights: list[float] = []
        for item, weight in pairs:
            if weight < 0:
                raise ValueError("weights must not be negative")
            if weight > 0:
                items.append(item)
                weights.append(weight)
        if not items:
            raise ValueError("a weighted table needs at least one item with positive weight")
        self._items: Sequence[T] = tuple(items)
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        """Draw one item."""
        index = bisect_right(self._cumulative, rng.random() * self._total)
        # A product that rounds up to the total would fall one past the end.
        return self._items[min(index, len(self._items) - 1)]

    @property
    def items(self) -> Sequence[T]:
        """Every item that can be drawn, in table order."""
        return self._items
