"""Reading a large XLSX: rows/s and peak RSS, loaded whole (python-calamine) against streamed
(ingest/xlsx_stream.py), for a workbook with inline strings, one with a shared-string table as
Excel saves it, and one whose table holds a distinct text per row (`--strings distinct`). Each
read runs in a child process, so its peak RSS is its own; the ingest's own reader
(`read_tables` + `rows()`: the header probe and every row) is what is timed.

    python bench/xlsx_read.py --rows 1000000
    python bench/xlsx_read.py --rows 200000 --strings shared --mode stream
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from common import OUT


def child(path: Path, mode: str) -> None:
    os.environ["XINYONG_XLSX_STREAM_MIB"] = "0" if mode == "stream" else "1000000"
    from xinyong.ingest.readers import read_tables

    started = time.perf_counter()
    rows = sum(1 for table in read_tables(path) for _ in table.rows())
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mib": _peak_mib()}))


def _peak_mib() -> float:
    """This process's own high-water mark (VmHWM). Not ru_maxrss: Linux carries that across
    exec, so a child of the parent that just wrote a workbook in memory reports the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--strings", choices=("inline", "shared", "distinct"), action="append")
    parser.add_argument("--mode", choices=("load", "stream"), action="append")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    from bigfile import write_xlsx

    OUT.mkdir(parents=True, exist_ok=True)
    for strings in args.strings or ["inline", "shared"]:
        name = (
            f"penalties-{args.rows}.xlsx"
            if strings == "inline"
            else f"penalties-{args.rows}-{strings}.xlsx"
        )
        path = write_xlsx(
            OUT / name,
            args.rows,
            shared_strings=strings != "inline",
            distinct=strings == "distinct",
        )
        with zipfile.ZipFile(path) as archive:
            parts = {i.filename: i.file_size for i in archive.infolist()}
        sheet = max(v for k, v in parts.items() if k.startswith("xl/worksheets/"))
        table = parts.get("xl/sharedStrings.xml", 0)
        print(
            f"\n## {args.rows:,} rows, {strings} strings ({path.stat().st_size / 2**20:.0f} MiB "
            f"file; sheet XML {sheet / 2**20:.0f} MiB, shared strings {table / 2**20:.0f} MiB)"
        )
        for mode in args.mode or ["load", "stream"]:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path), mode],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"{mode:<6} {r['rows']:,} rows in {r['seconds']:.1f} s = "
                f"{r['rows'] / r['seconds']:,.0f} rows/s, peak RSS {r['peak_rss_mib']:,.0f} MiB"
            )


if __name__ == "__main__":
    main()
