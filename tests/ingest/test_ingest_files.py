"""Agency files in: rows journaled or quarantined with every reason; reruns idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import Engine, select
from tests.factories import make_uscc

from xinyong.codes import IdHasher
from xinyong.ingest import UnreadableFile, ingest_files
from xinyong.ingest.quarantine import QuarantineCipher
from xinyong.store.reads import journal_seq, subject, subject_records
from xinyong.store.schema import journal, quarantine, records

HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "处罚类别",
    "罚款金额（万元）",
    "处罚决定日期",
    "公示截止期",
    "处罚机关",
    "处罚依据",
]
A = make_uscc("MA5CJQ4N")
B = make_uscc("77604965", region="440305")
PERSON = "11010519491231002X"


def _bad_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def _rows() -> list[list[str]]:
    return [
        [
            "杭州锦泰网络科技有限公司",
            "法人及非法人组织",
            A,
            "",
            "",
            "杭市监罚〔2024〕1号",
            "罚款",
            "2.5",
            "2024/3/1",
            "2027年3月1日",
            "杭州市市场监督管理局",
            "《中华人民共和国广告法》第五十五条",
        ],
        [
            "深圳锦泰建设有限公司",
            "法人及非法人组织",
            B.lower(),
            "",
            "",
            "深市监罚〔2023〕8号",
            "警告",
            "",
            "20230801",
            "",
            "深圳市市场监督管理局",
            "",
        ],
        [
            "张三",
            "自然人",
            "",
            "身份证",
            PERSON,
            "京市监罚〔2024〕3号",
            "罚款",
            "0.2",
            "2024-05-06",
            "2024-08-06",
            "北京市市场监督管理局",
            "",
        ],
        [
            "坏代码公司",
            "法人及非法人组织",
            _bad_check(A),
            "",
            "",
            "杭市监罚〔2024〕2号",
            "罚款",
            "-3",
            "2024-02-30",
            "",
            "",
            "",
        ],
        ["", "", "", "", "", "", "", "", "", "", "", ""],
    ]


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def test_csv_rows_are_applied_or_quarantined_with_every_reason(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "penalties.csv", _rows())
    summary = ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    assert (summary.rows, summary.accepted, summary.quarantined, summary.skipped_empty) == (
        4,
        3,
        1,
        1,
    )
    assert summary.kinds[str(path)] == "penalty"  # detected from the headers
    with engine.connect() as conn:
        q = conn.execute(select(quarantine)).one()
        recs = subject_records(conn, A, dt.date(2024, 6, 1))
    reasons = json.loads(q.reasons)
    assert q.row == 5 and q.file == str(path) and q.status == "open"
    assert (
        f"统一社会信用代码 (uscc): '{_bad_check(A)}': "
        f"check character should be '{A[-1]}', got '{_bad_check(A)[-1]}'" in reasons
    )
    assert "罚款金额（万元） (fine_wan): '-3' is negative; amounts are non-negative 万元" in reasons
    assert "处罚决定日期 (decision_date): '2024-02-30' is not a real calendar date" in reasons
    kept = QuarantineCipher(hasher).open(q.data)  # the row kept verbatim, encrypted at rest
    assert kept["行政相对人名称"] == "坏代码公司" and "坏代码公司" not in q.data
    assert [r.doc_no for r in recs] == ["杭市监罚〔2024〕1号"]
    assert recs[0].in_force_to == dt.date(2027, 3, 1) and recs[0].fields["fine_wan"] == "2.5"
    assert recs[0].origin["row"] == 2


def test_unknown_valid_code_creates_a_provisional_subject(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    ingest_files(
        engine, [_write_csv(tmp_path / "p.csv", _rows())], source="samr", actor="op", hasher=hasher
    )
    with engine.connect() as conn:
        created = subject(conn, B)
    assert created is not None and created.provisional and created.name == "深圳锦泰建设有限公司"


def test_person_ids_never_reach_the_journal_or_records(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    ingest_files(
        engine, [_write_csv(tmp_path / "p.csv", _rows())], source="samr", actor="op", hasher=hasher
    )
    with engine.connect() as conn:
        payloads = " ".join(conn.execute(select(journal.c.payload)).scalars())
        stored = " ".join(r.fields for r in conn.execute(select(records)))
        person = subject(conn, hasher.digest(PERSON))
    assert PERSON not in payloads and PERSON not in stored
    assert person is not None and person.code == "110105********002X" and person.kind == "person"


def test_same_file_twice_adds_nothing_and_a_change_becomes_a_correction(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = _write_csv(tmp_path / "p.csv", _rows())
    ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    with engine.connect() as conn:
        seq = journal_seq(conn)
    again = ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    assert (again.accepted, again.duplicates, again.corrected) == (0, 3, 0)
    with engine.connect() as conn:
        assert journal_seq(conn) == seq
    rows = _rows()
    rows[0][7] = "3"  # the fine was mistyped
    changed = ingest_files(
        engine, [_write_csv(tmp_path / "p2.csv", rows)], source="samr", actor="op", hasher=hasher
    )
    assert (changed.corrected, changed.duplicates) == (1, 2)
    with engine.connect() as conn:
        before = subject_records(conn, A, dt.date(2024, 6, 1), known_at=seq)
        after = subject_records(conn, A, dt.date(2024, 6, 1))
    assert before[0].fields["fine_wan"] == "2.5" and after[0].fields["fine_wan"] == "3"


def test_gb18030_csv_is_detected(engine: Engine, hasher: IdHasher, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "gbk.csv", _rows()[:2], encoding="gb18030")
    summary = ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    assert summary.accepted == 2


def test_xlsx_with_title_row_and_excel_date_cells(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = tmp_path / "penalties.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("处罚")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["2024年行政处罚信息公示"])
    sheet.write_row(1, 0, HEADERS)
    row = _rows()[0]
    sheet.write_row(2, 0, row)
    excel_day = dt.datetime(2024, 3, 1)  # noqa: DTZ001 - Excel date cells have no zone
    sheet.write_datetime(2, 8, excel_day, date_format)
    sheet.write_number(2, 7, 2.5)
    book.close()
    summary = ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    assert (summary.accepted, summary.quarantined) == (1, 0)
    with engine.connect() as conn:
        [rec] = subject_records(conn, A, dt.date(2024, 6, 1))
    assert rec.decision_date == dt.date(2024, 3, 1)
    assert rec.origin == {
        "batch": summary.batch,
        "file": "penalties.xlsx",
        "sheet": "处罚",
        "row": 3,
    }


def test_unreadable_file_is_refused_before_anything_is_written(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    good = _write_csv(tmp_path / "good.csv", _rows())
    junk = tmp_path / "junk.csv"
    junk.write_text("just,some,words\n1,2,3\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no header row"):
        ingest_files(engine, [good, junk], source="samr", actor="op", hasher=hasher)
    with engine.connect() as conn:
        assert journal_seq(conn) == 0


def test_registry_rename_keeps_the_old_name_as_former(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    def registry(name: str) -> Path:
        path = tmp_path / f"registry-{len(name)}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(
                [
                    "统一社会信用代码",
                    "企业名称",
                    "曾用名",
                    "法定代表人",
                    "行政区划代码",
                    "成立日期",
                    "登记状态",
                ]
            )
            writer.writerow([A, name, "", "李四", "330106", "2015-06-01", "存续"])
        return path

    first = ingest_files(
        engine, [registry("杭州锦泰科技有限公司")], source="samr", actor="op", hasher=hasher
    )
    second = ingest_files(
        engine, [registry("杭州锦泰网络科技有限公司")], source="samr", actor="op", hasher=hasher
    )
    assert first.accepted == 1 and second.corrected == 1
    with engine.connect() as conn:
        now = subject(conn, A)
    assert now is not None and now.name == "杭州锦泰网络科技有限公司"
    assert {(n.name, n.type) for n in now.names} == {
        ("杭州锦泰网络科技有限公司", "current"),
        ("杭州锦泰科技有限公司", "former"),
    }


def test_resident_ids_are_masked_in_free_text_and_in_reasons(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*HEADERS, "税务登记号", "备注"])
        good = _rows()[0]
        writer.writerow([*good, PERSON, f"经营者身份证{PERSON}，已告知"])
        bad = _rows()[2]
        bad[4] = PERSON[:-1] + "1"
        writer.writerow([*bad, "", ""])
    ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    with engine.connect() as conn:
        [rec] = subject_records(conn, A, dt.date(2024, 6, 1))
        reasons = conn.execute(select(quarantine.c.reasons)).scalar_one()
        payloads = " ".join(conn.execute(select(journal.c.payload)).scalars())
    assert rec.fields["tax_reg_no"] == "110105********002X"
    assert rec.fields["remarks"] == "经营者身份证110105********002X，已告知"
    assert PERSON not in payloads
    assert PERSON[:-1] not in reasons and "110105********0021" in reasons


def test_registry_confirming_a_provisional_subject_keeps_its_name_as_alternative(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    ingest_files(
        engine,
        [_write_csv(tmp_path / "p.csv", _rows()[:1])],
        source="samr",
        actor="op",
        hasher=hasher,
    )
    registry = tmp_path / "registry.csv"
    with registry.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["统一社会信用代码", "企业名称", "成立日期"])
        writer.writerow([A, "杭州锦泰网络技术有限公司", "2015-06-01"])
    summary = ingest_files(engine, [registry], source="samr", actor="op", hasher=hasher)
    assert summary.corrected == 1
    with engine.connect() as conn:
        confirmed = subject(conn, A)
    assert confirmed is not None and not confirmed.provisional
    assert {(n.name, n.type) for n in confirmed.names} == {
        ("杭州锦泰网络技术有限公司", "current"),
        ("杭州锦泰网络科技有限公司", "alternative"),
    }


def test_source_must_be_an_agency_code(engine: Engine, hasher: IdHasher, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'SAMR' is not an agency code"):
        ingest_files(
            engine,
            [_write_csv(tmp_path / "p.csv", _rows())],
            source="SAMR",
            actor="op",
            hasher=hasher,
        )
    with engine.connect() as conn:
        assert journal_seq(conn) == 0


def test_repeated_and_unnamed_columns_are_kept_in_quarantine(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*HEADERS, "备注", "备注", ""])
        row = _rows()[3]
        writer.writerow([*row, "一", "二", "三", "四"])
    ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    with engine.connect() as conn:
        data = QuarantineCipher(hasher).open(conn.execute(select(quarantine.c.data)).scalar_one())
    assert (data["备注"], data["备注 #2"], data["column 15"], data["column 16"]) == (
        "一",
        "二",
        "三",
        "四",
    )


def test_a_file_with_its_own_corrections_sent_twice_adds_nothing(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    rows = _rows()[:2]
    fixed = list(rows[0])
    fixed[7] = "4"  # the same decision, its fine corrected further down the same file
    path = _write_csv(tmp_path / "p.csv", [*rows, fixed])
    first = ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    assert (first.accepted, first.corrected) == (2, 1)
    with engine.connect() as conn:
        seq = journal_seq(conn)
    again = ingest_files(engine, [path], source="samr", actor="op", hasher=hasher)
    assert (again.accepted, again.corrected, again.duplicates) == (0, 0, 3)
    with engine.connect() as conn:
        assert journal_seq(conn) == seq
        [rec] = subject_records(conn, A, dt.date(2024, 6, 1))
    assert rec.fields["fine_wan"] == "4"
