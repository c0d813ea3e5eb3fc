"""Screening benchmark (issue 5): rows/s screening a counterparty list against the registry.

10,000 input rows (seeded; `CATEGORIES`: names with and without codes, name variants, a name with
its legal representative, ambiguous trade names, unknown and malformed codes, unregistered names,
nonsense) against a registry of N synthetic subjects built through the real ingest
(`bench/registry_db.py`).

- in-process: `screen_rows(conn, rules, inputs, on, hasher)` in a child process (so its peak RSS is
  the screening's alone), timed per row; optionally under cProfile;
- end to end: `xinyong screen IN.xlsx -o OUT.xlsx` (read, screen, write), wall time and peak RSS.

Outcomes are checked as a sanity column: per category, the share of rows matched to the subject
they were made from, and rows claimed for another subject (should be none).

    python bench/screen.py --subjects 20000 --rows 2000
    python bench/screen.py --subjects 1000000 --rows 10000 --backend sqlite --profile
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import shlex
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from common import OUT, percentile
from registry_db import (
    KEY,
    Registered,
    measured_commit,
    nonmatch,
    postgres_registry,
    registered,
    sqlite_registry,
    variant,
)

ON = dt.date(2026, 9, 30)
HERE = Path(__file__).resolve().parent

# category: share of rows
CATEGORIES: dict[str, float] = {
    "code+name": 0.20,  # the USCC and the registered name
    "code_only": 0.05,
    "code_unknown": 0.03,  # a well-formed USCC not in the registry, with an unregistered name
    "code_bad": 0.02,  # a malformed code
    "exact": 0.15,
    "traditional": 0.08,
    "no_region": 0.08,
    "other_form": 0.08,
    "typo1": 0.08,
    "typo1+rep": 0.08,  # one wrong character, the legal representative given
    "short": 0.05,  # the trade name alone: often ambiguous
    "nonmatch": 0.07,  # a plausible unregistered name
    "nonsense": 0.03,  # punctuation, digits, one character, an empty name
}
NONSENSE = ("???", "123456", "—", "测", "N/A", "", "无", "#REF!", "公司", "有限公司")


def make_inputs(everyone: list[Registered], rows: int, seed: int) -> list[dict[str, Any]]:
    """Input rows: {row, name, code, legal_representative, category, expected}."""
    import match_quality as mq

    rng = random.Random(f"screen-bench-{seed}")
    taken_names = {s.name for s in everyone}
    org_codes = {s.code[8:17] for s in everyone}
    plan: list[str] = []
    for cat, share in CATEGORIES.items():
        plan += [cat] * round(rows * share)
    plan = (plan + ["exact"] * rows)[:rows]
    rng.shuffle(plan)
    out: list[dict[str, Any]] = []
    for number, cat in enumerate(plan, start=1):
        name = code = rep = ""
        expected = None
        while True:
            s = everyone[rng.randrange(len(everyone))]
            if cat in ("code+name", "code_only"):
                code, name, expected = s.code, (s.name if cat == "code+name" else ""), s.code
            elif cat == "code_unknown":
                name = nonmatch(rng, taken_names)
                code = mq.made_up_uscc(name, org_codes)
            elif cat == "code_bad":
                code, name = s.code[:-3] + "IOZ", s.name  # wrong length and letters
            elif cat == "typo1+rep":
                name, rep, expected = mq.typo(s.name, 1, rng) or "", s.legal_rep, s.code
            elif cat == "nonmatch":
                name = nonmatch(rng, taken_names)
            elif cat == "nonsense":
                name = rng.choice(NONSENSE)
                code = rng.choice(("", "", "abc"))
            else:
                name, expected = variant(cat, s, rng) or "", s.code
            if name or code or cat == "nonsense":
                break
        out.append(
            {"row": number, "name": name, "code": code, "legal_representative": rep,
             "category": cat, "expected": expected}
        )  # fmt: skip
    return out


def write_xlsx(path: Path, inputs: list[dict[str, Any]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("suppliers")
    sheet.write_row(0, 0, ["序号", "企业名称", "统一社会信用代码", "法定代表人"])
    for i, r in enumerate(inputs, start=1):
        sheet.write_row(i, 0, [str(i), r["name"], r["code"], r["legal_representative"]])
    book.close()


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


# -- the child: screening in-process -------------------------------------------------------------


def child(url: str, inputs_path: Path, out_path: Path, profile: Path | None) -> None:
    from registry_db import hasher
    from xinyong.catalogue import load_catalogue
    from xinyong.evaluate import Rules
    from xinyong.screen import ScreenInput, screen_rows
    from xinyong.store import make_engine

    inputs = json.loads(inputs_path.read_text(encoding="utf-8"))
    rows = [ScreenInput(r["row"], r["name"], r["code"], r["legal_representative"]) for r in inputs]
    rules = Rules(load_catalogue(None))
    steps = time_steps()
    engine = make_engine(url)
    h = hasher()
    rss_before = vm_hwm_kib()
    results: list[dict[str, Any]] = []
    prof = cProfile.Profile() if profile else None
    with engine.connect() as conn:
        # Warm-up, not counted: the first rows pay for imports and statement compilation.
        for _ in screen_rows(conn, rules, rows[:20], ON, h):
            pass
        conn.rollback()
        t_start, cpu_start = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        last = time.perf_counter()
        for res in screen_rows(conn, rules, rows, ON, h):
            now = time.perf_counter()
            results.append(
                {"row": res.row, "seconds": now - last, "matched_code": res.matched_code,
                 "confidence": res.confidence, "explanation": res.explanation,
                 "candidates": len(res.candidates), "error": res.error}
            )  # fmt: skip
            last = now
        if prof:
            prof.disable()
        wall = time.perf_counter() - t_start
        cpu = time.process_time() - cpu_start
    engine.dispose()
    peak = vm_hwm_kib()
    if prof and profile:
        buf = io.StringIO()
        st = pstats.Stats(prof, stream=buf)
        st.sort_stats("cumulative").print_stats(80)
        st.sort_stats("tottime").print_stats(40)
        profile.write_text(buf.getvalue(), encoding="utf-8")
    out_path.write_text(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "steps": steps,
                "rss_before_kib": rss_before,
                "peak_rss_kib": peak,
                "results": results,
            }
        ),
        encoding="utf-8",
    )


def time_steps() -> dict[str, float]:
    """Seconds spent in each step of `screen_rows`, by wrapping the names `xinyong.screen.match`
    calls (the package is not changed)."""
    from xinyong.screen import match

    sink: dict[str, float] = defaultdict(float)

    def wrap(owner: Any, name: str, label: str) -> None:
        fn = getattr(owner, name)

        def timed(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                sink[label] += time.perf_counter() - t0

        setattr(owner, name, timed)

    wrap(match, "search_subjects", "search_subjects (by name)")
    wrap(match.reads, "subject", "reads.subject (by code)")
    wrap(match, "_in_force", "_in_force (lists and measures)")
    return sink


def watched(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, float, float, str]:
    """Run `cmd`: (wall seconds, CPU seconds, peak RSS MiB, stdout). The peak is the process's own
    VmHWM, polled until it exits (`ru_maxrss` would not do: Linux carries the parent's high-water
    mark over fork and exec, and this parent holds the whole registry's names)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE)
    status_file = Path(f"/proc/{proc.pid}/status")
    hwm_kib = 0
    while True:
        try:
            for line in status_file.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    hwm_kib = max(hwm_kib, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    stdout = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{shlex.join(cmd)} failed")
    return wall, usage.ru_utime + usage.ru_stime, hwm_kib / 1024, stdout


def run_child(url: str, inputs_path: Path, profile: Path | None) -> tuple[dict[str, Any], float]:
    out_path = inputs_path.with_suffix(".results.json")
    cmd = [sys.executable, str(HERE / "screen.py"), "--child", url, str(inputs_path), str(out_path)]
    if profile:
        cmd.append(str(profile))
    _, _, peak, _ = watched(cmd, cwd=HERE)
    return json.loads(out_path.read_text(encoding="utf-8")), peak


def run_cli(url: str, xlsx: Path, workers: int) -> tuple[float, float, dict[str, Any]]:
    out = xlsx.with_name(xlsx.stem + f".screened-{workers}.xlsx")
    env = {**os.environ, "XINYONG_ID_KEY_FILE": str(KEY)}
    cmd = [sys.executable, "-m", "xinyong", "screen", str(xlsx), "-o", str(out),
           "--db", url, "--on", ON.isoformat(), "--workers", str(workers), "--json"]  # fmt: skip
    wall, cpu, peak, stdout = watched(cmd, env=env)
    summary = json.loads(stdout[stdout.index("{") :]) if "{" in stdout else {}
    summary["cpu"] = cpu
    return wall, peak, summary


# -- report --------------------------------------------------------------------------------------


def report(backend: str, size: int, inputs: list[dict[str, Any]], data: dict[str, Any],
           child_rss: float) -> None:  # fmt: skip
    results = data["results"]
    n = len(results)
    print(f"\nin-process screen_rows: {n:,} rows in {data['wall']:.1f} s = "
          f"**{n / data['wall']:,.0f} rows/s** (CPU {data['cpu']:.1f} s: "
          f"{n / data['cpu']:,.0f} rows per CPU-second); peak RSS {child_rss:.0f} MiB "
          f"(VmHWM; {data['rss_before_kib'] / 1024:.0f} MiB before the first row)")  # fmt: skip
    if data.get("steps"):
        print(
            "time by step: "
            + "; ".join(f"{k} {v:.1f} s ({v / data['wall']:.0%})" for k, v in data["steps"].items())
        )
    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(inputs):
        by_cat[r["category"]].append(i)
    print("\n| category | rows | ms/row median / p99 | share of time | matched right | "
          "claimed wrong | ambiguous | not matched | errors |")  # fmt: skip
    print("| --- " * 10 + "|")
    total = sum(r["seconds"] for r in results)
    for cat in CATEGORIES:
        idx = by_cat.get(cat, [])
        if not idx:
            continue
        secs = [results[i]["seconds"] for i in idx]
        outcome: Counter[str] = Counter()
        for i in idx:
            r, inp = results[i], inputs[i]
            if r["error"]:
                outcome["error"] += 1
            elif r["matched_code"] is None:
                outcome["ambiguous" if r["explanation"].startswith("ambiguous") else "none"] += 1
            elif r["matched_code"] == inp["expected"]:
                outcome["right"] += 1
            else:
                outcome["wrong"] += 1
        print(f"| {cat} | {len(idx)} | {statistics.median(secs) * 1000:.1f} / "
              f"{percentile(secs, 99) * 1000:.1f} | {sum(secs) / total:.0%} | {outcome['right']} | "
              f"{outcome['wrong']} | {outcome['ambiguous']} | {outcome['none']} | "
              f"{outcome['error']} |")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]),
              Path(sys.argv[5]) if len(sys.argv) > 5 else None)  # fmt: skip
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--profile", action="store_true", help="also a cProfile'd run")
    parser.add_argument("--no-cli", action="store_true", help="skip the `xinyong screen` run")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="also run `xinyong screen --workers N` (always with 1 as baseline)",
    )
    parser.add_argument("--url", help="an already built registry (see registry_db.py --serve)")
    args = parser.parse_args()
    commit = measured_commit()
    print(f"## screen: {args.rows:,} rows against {args.subjects:,} subjects "
          f"(seed {args.seed}), commit {commit}")  # fmt: skip
    everyone = registered(args.subjects, args.seed)
    inputs = make_inputs(everyone, args.rows, args.seed)
    del everyone
    stem = OUT / f"screen-{args.subjects}-{args.rows}-{args.seed}"
    inputs_path = Path(f"{stem}.json")
    inputs_path.write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    xlsx = Path(f"{stem}.xlsx")
    write_xlsx(xlsx, inputs)
    if args.url:
        backend = "sqlite" if args.url.startswith("sqlite") else "postgresql"
        run_backend(backend, args.url, args, inputs, inputs_path, xlsx)
        return
    for backend in args.backend or ["sqlite", "postgresql"]:
        if backend == "sqlite":
            url = sqlite_registry(args.subjects, args.seed)
            run_backend(backend, url, args, inputs, inputs_path, xlsx)
        else:
            with postgres_registry(args.subjects, args.seed) as url:
                run_backend(backend, url, args, inputs, inputs_path, xlsx)


def run_backend(backend: str, url: str, args: argparse.Namespace, inputs: list[dict[str, Any]],
                inputs_path: Path, xlsx: Path) -> None:  # fmt: skip
    load = os.getloadavg()
    print(f"\n### {backend}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    data, rss = run_child(url, inputs_path, None)
    report(backend, args.subjects, inputs, data, rss)
    if not args.no_cli:
        rates = {}
        for workers in sorted({1, args.workers}):
            wall, cli_rss, summary = run_cli(url, xlsx, workers)
            rows = summary.get("rows", len(inputs))
            rates[workers] = rows / wall
            print(f"\nend to end `xinyong screen {xlsx.name} -o ….xlsx --workers {workers}`: "
                  f"{rows:,} rows in {wall:.1f} s = **{rows / wall:,.0f} rows/s** (process start, "
                  f"XLSX read and write included; CPU {summary['cpu']:.1f} s); "
                  f"peak RSS of the main process {cli_rss:.0f} MiB; {summary}")  # fmt: skip
        if len(rates) > 1:
            print(f"\n{args.workers} workers vs 1: ×{rates[args.workers] / rates[1]:.2f}")
    if args.profile:
        path = OUT / f"screen-profile-{backend}-{args.subjects}.txt"
        data, _ = run_child(url, inputs_path, path)
        print(f"\ncProfile'd run: {len(data['results']):,} rows in {data['wall']:.1f} s "
              f"(full report: {path}); top by internal time:\n")  # fmt: skip
        text = path.read_text(encoding="utf-8")
        part = text[text.index("Ordered by: internal time") :]
        print("\n".join(line for line in part.splitlines()[:30] if line.strip()))


if __name__ == "__main__":
    main()
