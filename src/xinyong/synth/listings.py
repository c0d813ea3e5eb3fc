"""Synthetic listing decisions for the generated subjects: court debtors, tax and wage-arrears
blacklists, customs lists, SAMR abnormal operations, A-grade taxpayers — with removals, so the
demo registry shows lists and measures in force, ended listings, pile-on and suspended incentives.

The subjects are made again from the same seed (the factory is deterministic), so these files
match the registry file `generate` wrote without reading it. Written as JSON Lines, one file per
deciding agency, in the listing format of docs/formats.md.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xinyong.synth.subjects import REFERENCE_DATE, Subject, SubjectFactory

# (list, share of subjects, deciding agency, term in days or None for the list's maximum)
PLAN: tuple[tuple[str, float, str], ...] = (
    ("court.dishonest_judgment_debtors", 0.015, "court"),
    ("tax.major_violations", 0.004, "tax"),
    ("tax.grade_a", 0.03, "tax"),
    ("mohrss.wage_arrears", 0.003, "mohrss"),
    ("mem.work_safety", 0.002, "mem"),
    ("customs.dishonest_enterprises", 0.002, "customs"),
    ("customs.aeo", 0.004, "customs"),
    ("samr.abnormal_operations", 0.006, "samr"),
    ("procurement.serious_violations", 0.002, "mof"),
)


def _authority(list_code: str, s: Subject) -> str:
    p, city = s.region.province, s.region.city
    county = s.region.county or city
    return {
        "court.dishonest_judgment_debtors": f"{city}{county if county != city else ''}人民法院",
        "tax.major_violations": f"国家税务总局{p.name}税务局",
        "tax.grade_a": f"国家税务总局{p.name}税务局",
        "mohrss.wage_arrears": f"{city}人力资源和社会保障局",
        "mem.work_safety": f"{city}应急管理局",
        "customs.dishonest_enterprises": f"{p.short}海关",
        "customs.aeo": "海关总署",
        "samr.abnormal_operations": f"{city}市场监督管理局",
        "procurement.serious_violations": f"{p.name}财政厅",
    }[list_code].replace("市市", "市")


def _rows(rng: random.Random, s: Subject, list_code: str, n: int) -> list[dict[str, Any]]:
    ref = REFERENCE_DATE
    abbr = s.region.province.abbr
    earliest = max(s.established, ref - dt.timedelta(days=1200))
    span = (ref - earliest).days
    if span < 30:
        return []
    start = earliest + dt.timedelta(days=rng.randrange(span - 10))
    year = start.year
    row: dict[str, Any] = {
        "subject": s.uscc,
        "subject_name": s.name,
        "list": list_code,
        "authority": _authority(list_code, s),
        "start": start.isoformat(),
    }
    if list_code == "court.dishonest_judgment_debtors":
        row["decision"] = f"({year}){abbr}{s.region.code[2:6]}执{1000 + n}号"
        row["records"] = f"({year - 1}){abbr}{s.region.code[2:6]}民初{2000 + n}号"
    elif list_code == "tax.grade_a":
        grade_year = rng.choice((2024, 2025))
        row["start"] = f"{grade_year + 1}-04-01"
        row["end"] = f"{grade_year + 2}-03-31"
        row["decision"] = f"{abbr}税信A〔{grade_year + 1}〕{n:05d}号"
        if dt.date.fromisoformat(row["start"]) > ref:
            return []
    elif list_code == "customs.aeo":
        row["decision"] = f"海关AEO〔{year}〕{n:05d}号"
    else:
        prefix = {
            "tax.major_violations": "税稽",
            "mohrss.wage_arrears": "人社欠薪",
            "mem.work_safety": "应急失信",
            "customs.dishonest_enterprises": "关信",
            "samr.abnormal_operations": "市监异",
            "procurement.serious_violations": "财采",
        }
        row["decision"] = f"{abbr}{prefix[list_code]}〔{year}〕{n:05d}号"
    rows = [row]
    # A third of the blacklistings were removed later (obligations performed, report filed).
    if list_code not in ("tax.grade_a", "customs.aeo") and rng.random() < 0.33:
        removed = start + dt.timedelta(days=rng.randrange(30, 500))
        if removed < ref:
            rows.append(
                {
                    "subject": s.uscc,
                    "subject_name": s.name,
                    "list": list_code,
                    "authority": row["authority"],
                    "action": "remove",
                    "date": removed.isoformat(),
                    "decision": row["decision"].replace("号", "-移出号"),
                    "reason": "履行完毕" if list_code.startswith("court") else "已纠正，申请移出",
                }
            )
    return rows


def generate_listings(
    out: Path, subjects: int, seed: int, progress: Callable[[int, int], None] | None = None
) -> list[dict[str, Any]]:
    """Write `listings/<agency>.jsonl`; return manifest entries {path, kind, source, rows}."""
    factory = SubjectFactory(seed)
    rng = random.Random(f"xinyong-listings-{seed}")
    folder = Path(out) / "listings"
    folder.mkdir(parents=True, exist_ok=True)
    by_source: dict[str, list[dict[str, Any]]] = {}
    counter = 0
    for done in range(1, subjects + 1):
        s = factory.make()
        for list_code, share, source in PLAN:
            if rng.random() < share:
                counter += 1
                by_source.setdefault(source, []).extend(_rows(rng, s, list_code, counter))
        if progress is not None and (done % 1000 == 0 or done == subjects):
            progress(done, subjects)
    entries = []
    for source, rows in sorted(by_source.items()):
        path = folder / f"{source}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        entries.append(
            {
                "path": f"listings/{source}.jsonl",
                "kind": "listing",
                "source": source,
                "rows": len(rows),
            }
        )
    (Path(out) / "listings.json").write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return entries
