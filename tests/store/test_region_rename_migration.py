"""Migration 0017: names of companies in renamed divisions (大连市, once 旅大市) lose their region
in their core and initials, so their short name and its initials find them."""

from __future__ import annotations

from sqlalchemy import Engine, select, text
from tests.factories import agency, make_uscc, subject

from xinyong.codes.company import core_name
from xinyong.codes.names import normalise_name
from xinyong.search.subjects import search_subjects
from xinyong.store import apply, upgrade
from xinyong.store.schema import core_grams, subject_names

WANDA = make_uscc("MA5CJQ4N", region="210200")
NAME = "大连万达集团股份有限公司"


def test_renamed_divisions_are_region_names() -> None:
    assert core_name(normalise_name(NAME)) == "万达集团"
    assert core_name(normalise_name("襄阳市汉江科技有限公司")) == "汉江科技"
    assert core_name(normalise_name("五大连池市某某商店")) == "某某商店"
    # Places abolished long ago live on as trade names: no short forms from their old names.
    assert core_name(normalise_name("新汶矿业集团有限责任公司")) == "新汶矿业集团"
    assert core_name(normalise_name("云南下关沱茶(集团)股份有限公司")) == "下关沱茶(集团)"


def test_stored_keys_of_such_names_are_recomputed(engine: Engine) -> None:
    apply(engine, [agency(), subject(WANDA, NAME)], actor="test")
    with engine.begin() as conn:  # as a registry written before the fix stored it
        conn.execute(
            text("UPDATE subject_names SET core_key = :c, initials = :i"),
            {"c": "大连万达集团", "i": "dlwdjt"},
        )
        conn.execute(text("DELETE FROM core_grams"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0016'"))
    upgrade(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(subject_names.c.core_key, subject_names.c.initials)).one()
        grams = set(conn.execute(select(core_grams.c.gram, core_grams.c.core_key)).all())
        by_initials = search_subjects(conn, "wdjt", limit=5)
        by_short = search_subjects(conn, "万达集团", limit=5)
    assert tuple(stored) == ("万达集团", "wdjt")
    assert ("万达", "万达集团") in grams
    assert [h.code for h in by_initials.results][:1] == [WANDA]
    assert [h.code for h in by_short.results][:1] == [WANDA]
