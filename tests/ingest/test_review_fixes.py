"""Regressions from review: personal data in odd columns, history kept on re-sends, exports that
Excel would execute, quarantine ids from elsewhere."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import Engine, select
from tests.ingest.test_ingest_files import HEADERS, A, _rows, _write_csv

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.ingest.export import escape_formula, export_entries
from xinyong.ingest.quarantine import Filter, QuarantineCipher, list_entries
from xinyong.store.reads import subject
from xinyong.store.schema import journal, quarantine, subjects

ID_ALSO_USCC = "110101199003071049"  # a valid resident ID that also passes every USCC check


def test_a_resident_id_in_the_code_column_is_a_person_never_published(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    row = _rows()[0]
    row[1], row[2] = "个体工商户", ID_ALSO_USCC
    ingest_files(
        engine, [_write_csv(tmp_path / "p.csv", [row])], source="samr", actor="op", hasher=hasher
    )
    with engine.connect() as conn:
        payloads = " ".join(conn.execute(select(journal.c.payload)).scalars())
        codes = list(conn.execute(select(subjects.c.code, subjects.c.kind)))
    assert ID_ALSO_USCC not in payloads
    assert codes == [("110101********1049", "person")]


def test_quarantine_reasons_and_data_never_show_an_id(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    bad_id = "110101199013071049"  # month 13: an ID-shaped typo
    rows = _rows()
    rows[0][2] = ID_ALSO_USCC[:-1] + "0"  # ID-shaped, fails as a USCC
    rows[2][4] = bad_id
    ingest_files(
        engine, [_write_csv(tmp_path / "p.csv", rows)], source="samr", actor="op", hasher=hasher
    )
    with engine.connect() as conn:
        stored = " ".join(conn.execute(select(quarantine.c.reasons)).scalars())
        entries, _ = list_entries(conn, QuarantineCipher(hasher), Filter())
    shown = json.dumps([e.as_json() for e in entries], ensure_ascii=False)
    for secret in (ID_ALSO_USCC[:-1], bad_id, "19901307", "19900307"):
        assert secret not in stored and secret not in shown


def test_registry_sent_again_keeps_the_former_names_it_learned(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    def registry(name: str, tag: str) -> Path:
        path = tmp_path / f"registry-{tag}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["统一社会信用代码", "企业名称", "成立日期"])
            writer.writerow([A, name, "2015-06-01"])
        return path

    ingest_files(engine, [registry("旧名有限公司", "1")], source="samr", actor="op", hasher=hasher)
    ingest_files(engine, [registry("新名有限公司", "2")], source="samr", actor="op", hasher=hasher)
    again = ingest_files(
        engine, [registry("新名有限公司", "3")], source="samr", actor="op", hasher=hasher
    )
    assert (again.corrected, again.duplicates) == (0, 1)
    with engine.connect() as conn:
        now = subject(conn, A)
    assert now is not None
    assert {(n.name, n.type) for n in now.names} == {
        ("新名有限公司", "current"),
        ("旧名有限公司", "former"),
    }


def test_csv_export_keeps_formulas_inert_and_the_round_trip_exact(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    rows = _rows()
    rows[3][0] = '=HYPERLINK("http://x","坏代码公司")'
    ingest_files(
        engine, [_write_csv(tmp_path / "p.csv", rows)], source="samr", actor="op", hasher=hasher
    )
    with engine.connect() as conn:
        entries, _ = list_entries(conn, QuarantineCipher(hasher), Filter(), unmasked=True)
    [out] = export_entries(entries, tmp_path / "fix")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert exported[0]["行政相对人名称"] == escape_formula(rows[3][0]) != rows[3][0]
    again = ingest_files(engine, [out], source="samr", actor="op", hasher=hasher)
    assert again.quarantined == 1
    with engine.connect() as conn:
        [entry], _ = list_entries(conn, QuarantineCipher(hasher), Filter(), unmasked=True)
    assert entry.data["行政相对人名称"] == rows[3][0]  # unescaped on the way back in


def test_a_quarantine_id_from_another_agency_closes_nothing(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    ingest_files(
        engine, [_write_csv(tmp_path / "p.csv", _rows())], source="samr", actor="op", hasher=hasher
    )
    with engine.connect() as conn:
        [entry], _ = list_entries(conn, QuarantineCipher(hasher), Filter())
    fixed = tmp_path / "other.csv"
    good = _rows()[0]
    good[5] = "别局罚〔2024〕9号"
    with fixed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*HEADERS, "quarantine_id"])
        writer.writerow([*good, str(entry.id)])
    s = ingest_files(engine, [fixed], source="mee", actor="op", hasher=hasher)
    assert (s.accepted, s.closed) == (1, 0)
    with engine.connect() as conn:
        assert list_entries(conn, QuarantineCipher(hasher), Filter())[1] == 1


def test_bad_bytes_deep_in_a_csv_quarantine_that_row_and_the_file_goes_on(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "p.csv", _rows()[:2])
    good = _rows()[0]
    good[5] = "杭市监罚〔2024〕77号"
    tail = tmp_path / "tail.csv"
    _write_csv(tail, [good])
    last_line = tail.read_bytes().split(b"\r\n")[1]
    path.write_bytes(path.read_bytes() + b"\xff\xfe,broken\r\n" + last_line + b"\r\n")
    s = ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    assert (s.rows, s.accepted, s.quarantined) == (4, 3, 1)
    with engine.connect() as conn:
        [reasons] = list(conn.execute(select(quarantine.c.reasons)).scalars())
    assert json.loads(reasons) == ["row 4 has bytes that are not valid utf-8 text"]


def test_one_decision_in_two_bracket_styles_is_one_record(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    first = _rows()[0]  # 杭市监罚〔2024〕1号
    again = list(first)
    again[5] = "杭市监罚［２０２４］ 1号"
    s1 = ingest_files(
        engine, [_write_csv(tmp_path / "a.csv", [first])], source="samr", actor="op", hasher=hasher
    )
    s2 = ingest_files(
        engine, [_write_csv(tmp_path / "b.csv", [again])], source="samr", actor="op", hasher=hasher
    )
    assert (s1.accepted, s2.accepted, s2.corrected, s2.duplicates) == (1, 0, 0, 1)
