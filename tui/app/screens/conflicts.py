"""Sync with the remote, and the conflicts it found, each chosen by keyboard.

``anjuan sync`` in a screen: the merge runs in a worker; a field changed two ways is one row
(本地 ours / 远端 theirs / 原值 base), chosen with ``o`` / ``t`` / ``b``. Choices are kept
in the repository as they are made (the CLI sees them too); nothing is committed until
every one is chosen and the person completes the sync (``ctrl+s``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ...core.store import StoreError
from ...core.sync import Conflict, SyncResult, SyncState, choose, sync
from ..widgets.footer import KeyFooter
from ..widgets.grid import TextTable
from ..widgets.text import literal, plain

SIDE_WORDS = {"ours": "本地", "theirs": "远端", "base": "原值"}


def outcome_message(result: SyncResult) -> str:
    where = f"{result.remote}/{result.branch}"
    words = {
        "up-to-date": f"已是最新：与 {where} 一致",
        "pushed": f"已推送本地的修改到 {where}",
        "fast-forward": f"已取回 {where} 的修改",
        "merged": f"已合并 {where} 的修改并推送",
    }
    text = words.get(result.outcome, result.outcome)
    if result.changed_cases:
        text += "；更新了 " + "、".join(result.changed_cases)
    return text


class SyncScreen(ModalScreen[bool]):
    """Dismisses True when the sync brought or sent changes (the list should reload)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "take('ours')", "取本地", id="sync.ours"),
        Binding("t", "take('theirs')", "取远端", id="sync.theirs"),
        Binding("b", "take('base')", "取原值", id="sync.base"),
        Binding("ctrl+s", "finish", "完成同步", id="sync.finish", priority=True),
        Binding("escape", "close", "关闭", id="sync.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[Conflict] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="sync-dialog"):
            yield Static(Text("同步 · 取回远端的修改，按字段合并，再推送"), id="sync-title")
            yield Static(Text("正在同步…"), id="sync-status")
            table = TextTable(id="sync-conflicts", cursor_type="row")
            yield table
            yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#sync-conflicts", DataTable)
        for key, label in (
            ("n", "编号"),
            ("field", "字段"),
            ("ours", "本地 ours"),
            ("theirs", "远端 theirs"),
            ("base", "原值 base"),
            ("choice", "选择"),
        ):
            table.add_column(label, key=key)
        table.display = False
        self._run()

    # --- the sync in a worker -----------------------------------------------------------------
    def _say(self, text: str, style: str = "") -> None:
        self.query_one("#sync-status", Static).update(Text(plain(text), style=style))

    def _run(self) -> None:
        self.busy = True
        self._say("正在同步…")
        self._sync()

    @work(thread=True, exclusive=True, group="sync")
    def _sync(self) -> None:
        app: Any = self.app
        try:
            result = sync(app.cases_dir, app.as_name)
        except StoreError as exc:
            app.call_from_thread(self._failed, str(exc))
            return
        app.call_from_thread(self._done, result)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._say(f"未能同步：{message}", "bold red")

    def _done(self, result: SyncResult) -> None:
        self.busy = False
        if result.outcome != "conflicts":
            self.app.notify(outcome_message(result), markup=False)
            self.dismiss(True)
            return
        self.conflicts = list(result.conflicts)
        self._fill()

    # --- the conflicts --------------------------------------------------------------------
    def _fill(self, keep_row: int = 0) -> None:
        table = self.query_one("#sync-conflicts", DataTable)
        table.clear()
        for n, c in enumerate(self.conflicts, 1):
            chosen = SIDE_WORDS.get(c.choice or "", "")
            table.add_row(
                Text(str(n)),
                literal(f"{c.where}  {c.label}" if c.label else c.where),
                literal(c.ours),
                literal(c.theirs),
                literal(c.base),
                Text(chosen or "待选", style="bold" if chosen else "yellow"),
                key=str(n),
            )
        table.display = True
        if self.conflicts:
            table.move_cursor(row=min(keep_row, len(self.conflicts) - 1))
        table.focus()
        left = sum(1 for c in self.conflicts if c.choice is None)
        if left:
            self._say(
                f"{len(self.conflicts)} 处冲突（同一字段两边改得不同），还有 {left} 处待选；"
                "o 取本地 · t 取远端 · b 取原值。合并已撤销，未提交任何内容。",
                "yellow",
            )
        else:
            self._say(
                "全部选定：按 Ctrl+S 完成同步（一次合并提交并推送），或继续修改选择。", "bold"
            )

    def action_take(self, side: str) -> None:
        if self.busy or not self.conflicts:
            return
        table = self.query_one("#sync-conflicts", DataTable)
        row = table.cursor_row
        app: Any = self.app
        try:
            state: SyncState = choose(app.cases_dir, side, [str(row + 1)])  # type: ignore[arg-type]
        except StoreError as exc:
            self._say(str(exc), "bold red")
            return
        self.conflicts = list(state.conflicts)
        following = [i for i, c in enumerate(self.conflicts) if c.choice is None and i > row] or [
            i for i, c in enumerate(self.conflicts) if c.choice is None
        ]
        self._fill(following[0] if following else row)

    def action_finish(self) -> None:
        if self.busy:
            return
        if not self.conflicts or any(c.choice is None for c in self.conflicts):
            self._say("还有冲突待选：每一处都选定后才能完成同步（此前不提交任何内容）", "yellow")
            return
        self._run()

    def action_close(self) -> None:
        if not self.busy:
            self.dismiss(False)  # a sync that completes dismisses itself with True


def start_sync(app: App[Any]) -> None:
    """The app's sync action: only from the case list, where no edit is open."""
    from .case_list import CaseListScreen

    screen = app.screen
    if not isinstance(screen, CaseListScreen):
        app.notify(
            "请先回到案卷列表（保存或放弃正在编辑的修改）再同步", severity="warning", markup=False
        )
        return

    def finished(changed: bool | None) -> None:
        if changed:
            screen.action_reload()

    app.push_screen(SyncScreen(), finished)
