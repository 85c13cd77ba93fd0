"""``python -m bench.index_days [count]``: ``case_summaries`` cold, warm, and on the next days.

Writes ``count`` (default 1,000) generated cases into a temporary git repository, then times
(wall clock, best of 3 where the index is not changed by the call):

- cold: no index (first list ever, or after a code or schema change);
- warm: same day, index in place;
- next day: the first list of the following day (no case has a date between the two days);
- a day later with 10 cases dated that day: only those are read and checked again.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from tui.core.index import IndexStats, case_summaries

from .__main__ import TODAY, git
from .cases import write_cases


def timed(cases: Path, day: date) -> tuple[float, IndexStats]:
    stats = IndexStats()
    start = time.perf_counter()
    case_summaries(cases, day, stats=stats)
    return time.perf_counter() - start, stats


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 1000
    work = Path(tempfile.mkdtemp(prefix="anjuan-index-days-"))
    try:
        cases = work / "cases"
        ids = write_cases(cases, count)
        git(cases, "init", "-q", "-b", "main")
        git(cases, "add", "-A")
        git(cases, "commit", "-q", "--no-verify", "-m", "fictitious cases")
        figures: list[tuple[str, float, IndexStats]] = []
        figures.append(("cold (no index)", *timed(cases, TODAY)))
        warm = min((timed(cases, TODAY) for _ in range(3)), key=lambda t: t[0])
        figures.append(("warm, same day", *warm))
        next_day = TODAY + timedelta(days=1)
        figures.append(("warm, next day (first list)", *timed(cases, next_day)))
        later = TODAY + timedelta(days=2)
        for cid in ids[:10]:  # a deal dated the day after next in ten cases
            path = cases / cid / "case.toml"
            text = re.sub(
                r"^date = \d{4}-\d{2}-\d{2}",
                f"date = {later.isoformat()}",
                path.read_text(encoding="utf-8"),
                count=1,
                flags=re.MULTILINE,
            )
            path.write_text(text, encoding="utf-8")
        git(cases, "commit", "-q", "--no-verify", "-am", "ten deals dated later")
        timed(cases, next_day)  # the ten edited cases checked once for the next day
        figures.append(("day after next, 10 cases dated it", *timed(cases, later)))
        print(f"{count} cases, case_summaries wall time")
        for name, seconds, stats in figures:
            print(f"  {name:<36} {seconds:7.3f} s  checked {stats.checked}, reused {stats.reused}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
