"""A case's audit trail: who, when, why, which fields old → new; view, compare, restore.

Keys: Enter views the highlighted version read-only, ``m`` marks a version, ``d`` shows
the field difference between the marked and the highlighted one, ``r`` restores the
highlighted version as a new commit (history is never rewritten).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...core import history, store
from ...core.paths import PathError
from ...core.schema import Form, FormError, load_form
from ..model import change_line, flatten
from ..widgets.footer import KeyFooter
from ..widgets.grid import TextTable
from ..widgets.text import literal, plain
from .base import AnjuanScreen


def change_lines(changes: list[Any], form: Form | None) -> list[Text]:
    out = []
    for c in changes:
        label = c.path
        if form is not None:
            try:
                label = form.label(c.path)
            except (PathError, ValueError):
                label = c.path
        out.append(Text("  " + change_line(plain(label), c)))
    return out


class HistoryScreen(AnjuanScreen[bool]):
    """Dismisses True when a restore made a new commit (the editor then reloads)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "返回", id="history.back"),
        Binding("enter", "view", "查看版本", id="history.view"),
        Binding("m", "mark", "标记", id="history.mark"),
        Binding("d", "diff", "比较", id="history.diff"),
        Binding("r", "restore", "恢复", id="history.restore"),
    ]

    def __init__(self, case_id: str, form: Form | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.form = form
        self.entries: list[history.LogEntry] = []
        self.marked: str | None = None
        self.restored = False

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.case_id} · 修改历史（读取中…）"), id="history-title")
        table = TextTable(id="log", cursor_type="row", zebra_stripes=True)
        yield table
        yield VerticalScroll(Static(id="history-detail"), id="history-detail-box")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#log", DataTable)
        table.add_column("时间", key="time")
        table.add_column("作者", key="author")
        table.add_column("改动", key="n")
        table.add_column("说明", key="what")
        self._load()

    @work(thread=True, exclusive=True, group="history")
    def _load(self) -> None:
        app = self.anjuan
        try:
            entries = history.case_log(app.cases_dir, self.case_id)
        except store.StoreError as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        app.call_from_thread(self._loaded, entries)

    def _loaded(self, entries: list[history.LogEntry]) -> None:
        self.entries = entries
        table = self.query_one("#log", DataTable)
        table.clear()
        for e in entries:
            mark = "◆ " if e.commit == self.marked else ""
            what = e.reason or e.subject
            table.add_row(
                Text(f"{mark}{e.time:%Y-%m-%d %H:%M}"),
                literal(e.author),
                Text(str(len(e.changes)), justify="right"),
                literal(what),
                key=e.commit,
            )
        self.query_one("#history-title", Static).update(
            Text(
                f"{self.case_id} · 修改历史 {len(entries)} 次提交（Enter 查看 · m 标记 · d 比较 · r 恢复）"
            )
        )
        table.focus()
        self._detail()

    def current(self) -> history.LogEntry | None:
        table = self.query_one("#log", DataTable)
        if not self.entries or table.cursor_row >= len(self.entries):
            return None
        return self.entries[table.cursor_row]

    @on(DataTable.RowHighlighted, "#log")
    def _detail(self) -> None:
        e = self.current()
        if e is None:
            return
        lines = [
            Text(
                f"{e.commit[:10]} · {plain(e.author)} <{plain(e.email)}> · {e.time:%Y-%m-%d %H:%M}",
                style="bold",
            ),
        ]
        if e.reason:
            lines.append(Text(f"理由：{plain(e.reason)}"))
        lines.append(literal(e.subject))
        lines += change_lines(e.changes, self.form)
        self.query_one("#history-detail", Static).update(Text("\n").join(lines))

    @on(DataTable.RowSelected, "#log")
    def _selected(self) -> None:
        self.action_view()

    def action_view(self) -> None:
        e = self.current()
        if e is not None:
            self._view(e.commit)

    @work(thread=True, group="history-view")
    def _view(self, commit: str) -> None:
        app = self.anjuan
        try:
            data = version_data(app.cases_dir, self.case_id, commit)
        except store.StoreError as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        app.call_from_thread(app.push_screen, VersionScreen(self.case_id, commit, data))

    def action_mark(self) -> None:
        e = self.current()
        if e is not None:
            self.marked = None if self.marked == e.commit else e.commit
            row = self.query_one("#log", DataTable).cursor_row
            self._loaded(self.entries)
            self.query_one("#log", DataTable).move_cursor(row=row)

    def action_diff(self) -> None:
        e = self.current()
        if e is None:
            return
        older = self.marked or (e.commit + "~1")
        self._diff(older, e.commit)

    @work(thread=True, group="history-diff")
    def _diff(self, a: str, b: str) -> None:
        app = self.anjuan
        try:
            changes = history.case_diff(app.cases_dir, self.case_id, a, b)
        except store.StoreError as exc:
            app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        lines = [Text(f"{a[:10]} → {b[:10]}：{len(changes)} 处不同", style="bold")]
        lines += change_lines(changes, self.form)
        app.call_from_thread(
            self.query_one("#history-detail", Static).update, Text("\n").join(lines)
        )

    def action_restore(self) -> None:
        from .dialogs import ReasonScreen

        e = self.current()
        if e is None:
            return

        def go(reason: str | None) -> None:
            if reason is not None and e is not None:
                self._restore(e.commit, reason or None)

        self.app.push_screen(
            ReasonScreen(
                [f"恢复到 {e.commit[:10]}（{e.time:%Y-%m-%d %H:%M}）的版本，作为一次新提交"]
            ),
            go,
        )

    @work(thread=True, exclusive=True, group="history-restore")
    def _restore(self, commit: str, reason: str | None) -> None:
        app = self.anjuan
        try:
            result = history.restore_case(
                app.cases_dir,
                self.case_id,
                commit,
                as_name=app.as_name,
                reason=reason,
                today=app.today,
            )
        except store.StoreError as exc:
            app.call_from_thread(self.notify, f"未恢复：{exc}", severity="error", markup=False)
            return
        self.restored = True
        done = (
            f"已恢复，新提交 {result.commit[:10]}"
            if result.commit
            else "内容与该版本相同，无需恢复"
        )
        app.call_from_thread(self.notify, done, markup=False)
        app.call_from_thread(self._load)

    def action_back(self) -> None:
        self.dismiss(self.restored)

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("查看版本", "只读查看选中的版本 (enter)", self.action_view),
            SystemCommand("标记版本", "标记一个版本用于比较 (m)", self.action_mark),
            SystemCommand("比较版本", "标记版本与选中版本的字段差异 (d)", self.action_diff),
            SystemCommand("恢复版本", "把案卷恢复到选中版本，作为新提交 (r)", self.action_restore),
        ]


def version_data(cases_dir: Any, case_id: str, commit: str) -> dict[str, Any]:
    """The case as it was at a commit (read from git, never from the working file)."""
    repo = store.open_repo(cases_dir)
    root = repo.working_tree_dir or "."
    from pathlib import Path

    rel = (Path(cases_dir) / case_id).resolve().relative_to(Path(root).resolve()).as_posix()
    sha = store.object_id(repo, f"{commit}:{rel}/case.toml")
    data = history.data_of_blob(repo, sha)
    if data is None:
        raise store.StoreError(f"版本 {commit[:10]} 的 case.toml 无法解析")
    return data


class VersionScreen(Screen[None]):
    """One version of a case, every field read-only."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "返回", id="version.back")
    ]

    def __init__(self, case_id: str, commit: str, data: dict[str, Any]) -> None:
        super().__init__()
        self.case_id, self.commit, self.data = case_id, commit, data

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.case_id} @ {self.commit[:10]}（只读）"), id="version-title")
        table = TextTable(id="version", cursor_type="row", zebra_stripes=True)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#version", DataTable)
        table.add_column("字段", key="label", width=min(36, max(16, self.app.size.width // 3)))
        table.add_column("值", key="value")
        form: Form | None
        try:
            form = load_form(str(self.data.get("form", "")))
        except FormError:
            form = None
        for path, value in flatten(self.data).items():
            label = path
            if form is not None:
                try:
                    label = form.label(path)
                except (PathError, ValueError):
                    label = path
            table.add_row(literal(label), literal(value))
        table.focus()
