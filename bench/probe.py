"""One measured start in a fresh process: ``python -m bench.probe KIND ARGS…``.

Prints one JSON line ``{"ready": true, "maxrss_kb": …}`` as soon as the list is interactive
(the parent times from spawn to that line), then exits. Kinds:

- ``list-app CASES TODAY``: Anjuan's TUI on the cases, ready when its case table holds every
  case (when ``tui.app`` has not landed: a stand-in DataTable fed by ``case_summaries``);
- ``list-bare ROWS.json``: a bare Textual app showing a DataTable of the same strings.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
from datetime import date
from pathlib import Path
from typing import Any

SIZE = (160, 50)


def _ready(extra: dict[str, Any] | None = None) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sys.stdout.write(json.dumps({"ready": True, "maxrss_kb": usage.ru_maxrss, **(extra or {})}))
    sys.stdout.write("\n")
    sys.stdout.flush()


async def _wait(app: Any, pilot: Any, count: int) -> None:
    from textual.widgets import DataTable

    while True:
        tables = app.screen.query(DataTable)
        if tables and tables.first().row_count >= count:
            return
        await pilot.pause(0.002)


def list_app(cases: Path, today: date, count: int) -> None:
    try:
        from tui.app.app import AnjuanApp
    except ImportError:
        AnjuanApp = None
    if AnjuanApp is not None:
        app: Any = AnjuanApp(cases, today=today)
        stand_in = False
    else:
        app = _stand_in(cases, today)
        stand_in = True

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await _wait(app, pilot, count)
            _ready({"stand_in": stand_in})

    asyncio.run(run())


def _stand_in(cases: Path, today: date) -> Any:
    """Until the TUI lands: the same index and a DataTable of its summaries."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from tui.core.index import case_summaries

    class StandIn(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(id="cases", cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("编号", "申报单位", "园区", "状态", "错误", "警告")
            for s in case_summaries(cases, today):
                table.add_row(
                    s.case_id, s.applicant, s.park, s.status, str(s.errors), str(s.warnings)
                )
            table.focus()

    return StandIn()


def list_bare(rows_file: Path) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            rows = json.loads(rows_file.read_text(encoding="utf-8"))
            table = self.query_one(DataTable)
            table.add_columns(*rows[0])
            table.add_rows(rows[1:])
            table.focus()

    app = Bare()
    count = len(json.loads(rows_file.read_text(encoding="utf-8"))) - 1

    async def run() -> None:
        async with app.run_test(headless=True, size=SIZE) as pilot:
            await _wait(app, pilot, count)
            _ready()

    asyncio.run(run())


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "list-app":
        list_app(Path(argv[1]), date.fromisoformat(argv[2]), int(argv[3]))
    elif kind == "list-bare":
        list_bare(Path(argv[1]))
    else:
        raise SystemExit(f"unknown probe {kind!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
