"""The review queue over the API comes in pages: an agency that enters a thousand rows gets them
back `limit` at a time, in the order they were entered, every entry exactly once."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.workflows.conftest import as_user
from tests.workflows.test_workflow_rules import enter, row


def _pages(world: dict[str, Any], who: str, limit: int) -> tuple[list[list[int]], set[int]]:
    client: TestClient = world["client"]
    pages: list[list[int]] = []
    totals: set[int] = set()
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"after": after} if after else {})
        answer = client.get("/api/v1/reviews", params=params, headers=as_user(world, who))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append([r["id"] for r in body["results"]])
        totals.add(body["total"])
        after = body["next"]
        if after is None:
            return pages, totals


def test_pages_cover_the_queue_once_in_entry_order(world: dict[str, Any]) -> None:
    # two submissions: rows of one submission share a journal entry
    first = enter(world, [row(f"杭市监罚〔2026〕{n}号") for n in range(1, 5)])
    second = enter(world, [row(f"杭市监罚〔2026〕{n}号") for n in range(5, 8)])
    entered = [r["id"] for r in first + second]
    pages, totals = _pages(world, "bob", 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for p in pages for i in p] == entered
    assert totals == {7}
    # the auditor sees every agency's queue, paged the same way
    pages, totals = _pages(world, "dave", 5)
    assert [i for p in pages for i in p] == entered
    assert totals == {7}


def test_a_page_that_holds_everything_says_there_is_no_next(world: dict[str, Any]) -> None:
    enter(world, [row(f"杭市监罚〔2026〕{n}号") for n in range(1, 3)])
    pages, totals = _pages(world, "bob", 100)
    assert [len(p) for p in pages] == [2]
    assert totals == {2}


def test_a_bad_cursor_or_limit_is_refused_with_the_reason(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    bob = as_user(world, "bob")
    bad = client.get("/api/v1/reviews", params={"after": "12;DROP"}, headers=bob)
    assert bad.status_code == 422
    assert "is not a `next` value" in bad.text
    for limit in (0, 501):
        answer = client.get("/api/v1/reviews", params={"limit": limit}, headers=bob)
        assert answer.status_code == 422, limit


def test_an_entry_decided_while_paging_is_not_skipped(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    bob = as_user(world, "bob")
    first, second, third = (enter(world, [row(f"杭市监罚〔2026〕{n}号")])[0] for n in (1, 2, 3))

    def approve(entry: dict[str, Any]) -> None:
        answer = client.post(f"/api/v1/reviews/{entry['id']}/approve", headers=bob)
        assert answer.status_code == 200, answer.text

    def page(after: str | None) -> dict[str, Any]:
        params = {"status": "approved", "limit": 1} | ({"after": after} if after else {})
        answer = client.get("/api/v1/reviews", params=params, headers=bob)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    approve(third)
    approve(second)
    one = page(None)
    # decided after the first page was read, though submitted before everything on it
    approve(first)
    two = page(one["next"])
    three = page(two["next"])
    seen = [r["id"] for p in (one, two, three) for r in p["results"]]
    assert seen == [third["id"], second["id"], first["id"]]
    assert three["next"] is None and three["total"] == 3


def test_cursor_values_that_are_not_plain_numbers_are_refused(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    for after in ("².1", "99999999999999999999.1", "1.", ".1", "1.2.3"):
        answer = client.get(
            "/api/v1/reviews", params={"after": after}, headers=as_user(world, "bob")
        )
        assert answer.status_code == 422, after
