"""The case editor: the form's sections as tabs, fields and row tables built from the schema.

Every finding shows at its field and in the findings panel; edits can be undone until saved;
``ctrl+s`` saves through the store (one commit) and a file changed on disk is never
overwritten: the conflict screen shows what changed and offers reload or merge.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from ...core import store
from ...core.case import Case, read_case
from ...core.edit import diff_data
from ...core.findings import Finding
from ...core.paths import Part, PathError, format_path, parse_path
from ...core.schema import Form
from ...core.validate import CaseReport, validate_case
from ..model import EditModel, change_line, clone
from ..widgets.fields import MISSING, FieldRow
from ..widgets.findings import FindingsPanel
from ..widgets.footer import KeyFooter
from ..widgets.goto import FieldProvider
from ..widgets.row_table import RowTable
from ..widgets.text import literal, plain
from .base import AnjuanScreen

VALIDATE_DELAY = 0.25  # seconds of quiet typing before the case is checked again
TABLES_BUILT_AT_ONCE = ("budget", "annex1")  # 经费预算 is small; 附件1 is where the work is


def section_tab_title(key: str, title: str, node: dict[str, Any]) -> str:
    mark = node.get("x-section", key)
    return str(mark) if mark != "封面" else "封面"


class CaseForm(Widget):
    """The sections as tabs. Only the first section is built at once; the others are mounted
    the first time they are shown, so a large case opens fast and idle widgets cost nothing."""

    def __init__(self, sections: list[tuple[str, str, str, list[Widget]]]) -> None:
        super().__init__(id="case-form")
        self.sections = sections
        self.pending: dict[str, tuple[str, list[Widget]]] = {}

    def compose(self) -> ComposeResult:
        with TabbedContent(id="sections"):
            for n, (key, tab, title, widgets) in enumerate(self.sections):
                table_only = len(widgets) == 1 and isinstance(widgets[0], RowTable)
                if table_only:
                    # a section that is one table (附件1, 附件2, 经费预算) fills its tab; a grid
                    # of hundreds of rows costs as much to build as the rest of the form, so
                    # only the tables most worked on are built at once, others when first shown
                    widgets[0].add_class("-full")
                    if key in TABLES_BUILT_AT_ONCE:
                        yield TabPane(tab, widgets[0], id=f"sec-{key}")
                    else:
                        self.pending[key] = (title, widgets)
                        yield TabPane(tab, id=f"sec-{key}")
                elif n:
                    self.pending[key] = (title, widgets)
                    yield TabPane(tab, VerticalScroll(classes="section"), id=f"sec-{key}")
                else:
                    with TabPane(tab, id=f"sec-{key}"), VerticalScroll(classes="section"):
                        yield Static(Text(title, style="bold underline"), classes="section-title")
                        yield from widgets
            with TabPane("评审", id="sec-reviews"), VerticalScroll(classes="section"):
                yield Static(id="reviews-overview")

    async def ensure(self, key: str) -> None:
        """Mount a section's fields if they are not mounted yet."""
        if key not in self.pending:
            return
        title, widgets = self.pending.pop(key)
        pane = self.query_one(f"#sec-{key}", TabPane)
        if len(widgets) == 1 and isinstance(widgets[0], RowTable):
            await pane.mount(widgets[0])
        else:
            scroll = pane.query_one(VerticalScroll)
            await scroll.mount_all(
                [Static(Text(title, style="bold underline"), classes="section-title"), *widgets]
            )

    @on(TabbedContent.TabActivated)
    async def _activated(self, event: TabbedContent.TabActivated) -> None:
        pane_id = event.pane.id or ""
        await self.ensure(pane_id.removeprefix("sec-"))


class CaseEditorScreen(AnjuanScreen[None]):
    """One case, edited field by field; nothing reaches the file before ``ctrl+s``."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {FieldProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "保存", id="editor.save", priority=True),
        Binding("escape", "back", "返回", id="editor.back"),
        Binding("ctrl+z", "undo", "撤销", id="editor.undo", priority=True),
        Binding("ctrl+y", "redo", "重做", id="editor.redo", priority=True),
        Binding("ctrl+f", "toggle_findings", "问题", id="editor.findings"),
        Binding("ctrl+g", "go_to_field", "转到", id="editor.goto"),
        Binding("ctrl+b", "blame", "谁改的", id="editor.blame", show=False),
        Binding("ctrl+l", "history", "历史", id="editor.history"),
        Binding("ctrl+r", "reviews", "评审", id="editor.reviews"),
        Binding("ctrl+o", "export", "导出", id="editor.export", show=False),
        Binding(
            "ctrl+pagedown,alt+right",
            "next_section",
            "下一部分",
            id="editor.next",
            show=False,
            priority=True,
        ),
        Binding(
            "ctrl+pageup,alt+left",
            "prev_section",
            "上一部分",
            id="editor.prev",
            show=False,
            priority=True,
        ),
    ]

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.case: Case | None = None
        self.form: Form | None = None
        self.model: EditModel | None = None
        self.report: CaseReport | None = None
        self.fields: dict[str, FieldRow] = {}
        self.tables: dict[str, RowTable] = {}
        self.saving = False
        self.after_save: Callable[[], None] | None = None  # run once the save is committed
        self.ready = False
        self._section_target: str | None = None  # where section keys typed ahead lead

    # --- building --------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Text(self.case_id), id="editor-title")
        yield VerticalScroll(id="editor-body")
        panel = FindingsPanel(id="findings")
        panel.display = False
        yield panel
        yield Static("", id="editor-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#editor-body").loading = True
        self._read()

    @property
    def cases_dir(self) -> Any:
        return self.anjuan.cases_dir

    @work(thread=True, exclusive=True, group="editor-read")
    def _read(self) -> None:
        # the list has usually read this file ahead (the case under its cursor): the parse
        # is reused when the bytes are the same (shared, read only: EditModel edits a copy)
        case = store.read_case_cached(self.cases_dir / self.case_id, self.case_id)
        report = validate_case(case, self.anjuan.today)
        self.app.call_from_thread(self.call_later, self._build, case, report)

    async def _build(self, case: Case, report: CaseReport) -> None:
        self.case, self.report, self.form = case, report, report.form
        body = self.query_one("#editor-body", VerticalScroll)
        if case.data is None or self.form is None:
            body.loading = False
            problem = report.findings[0].message if report.findings else "无法读取"
            await body.mount(
                Static(
                    Text(
                        f"无法编辑 {self.case_id}：{plain(problem)}\n请用文本编辑器改正 case.toml 后按 Esc 返回列表。"
                    ),
                    classes="broken",
                )
            )
            return
        self.model = EditModel(case.data)
        await body.remove()
        sections = [
            (key, section_tab_title(key, title, node), title, self._widgets_for((key,), node))
            for key, title, node in self.form.sections()
        ]
        await self.mount(CaseForm(sections), before=self.query_one("#findings"))
        self.ready = True
        self._title()
        self._show_report(report)
        first = next(iter(self.fields.values()), None)
        if first is not None:
            first.focus_input()

    def _widgets_for(self, parts: tuple[Part, ...], node: dict[str, Any]) -> list[Widget]:
        assert self.model is not None and self.form is not None
        path = format_path(parts)
        kind = node.get("type")
        if kind == "array" and node.get("items", {}).get("type") == "object":
            rows = self.model.get(parts)
            kind_of_periods = node.get("x-periods")
            periods = (
                [p.label for p in self.form.periods(kind_of_periods)] if kind_of_periods else []
            )
            table = RowTable(
                path,
                node,
                str(node.get("title", path)),
                rows if isinstance(rows, list) else [],
                periods,
            )
            self.tables[path] = table
            return [table]
        if kind == "object":
            out: list[Widget] = []
            if len(parts) > 1:
                out.append(
                    Static(Text(str(node.get("title", path)), style="bold"), classes="group-title")
                )
            for key, child in node.get("properties", {}).items():
                out.extend(self._widgets_for((*parts, key), child))
            return out
        label = str(node.get("title", path))
        row = FieldRow(path, node, label, self.model.get(parts))
        self.fields[path] = row
        return [row]

    def _title(self) -> None:
        assert self.model is not None
        applicant = self.model.get(("applicant", "name"))
        mark = " ●未保存" if self.model.dirty else ""
        title = Text(
            f"{plain(self.case_id)} · {plain(applicant) if applicant is not MISSING else ''}"
        )
        title.append(mark, style="bold yellow")
        self.query_one("#editor-title", Static).update(title)

    # --- findings ----------------------------------------------------------------------
    def _show_report(self, report: CaseReport) -> None:
        if not self.ready or not self.is_attached:
            return
        try:
            self._place_findings(report)
        except NoMatches:
            return  # the editor is closing while a check finished: nothing to show it on

    def _place_findings(self, report: CaseReport) -> None:
        self.report = report
        by_path: dict[str, list[Finding]] = defaultdict(list)
        table_rows: dict[str, dict[int | None, list[Finding]]] = defaultdict(
            lambda: defaultdict(list)
        )
        table_cells: dict[str, set[tuple[int, str]]] = defaultdict(set)
        for f in report.findings:
            if not f.path:
                continue
            placed = self._place(f.path)
            if placed is None:
                continue
            kind, key, row, col = placed
            if kind == "field":
                by_path[key].append(f)
            else:
                table_rows[key][row].append(f)
                if row and col:
                    table_cells[key].add((row, col))
        for path, field in self.fields.items():
            field.show_findings(by_path.get(path, []))
        for path, table in self.tables.items():
            table.show_findings(dict(table_rows.get(path, {})), table_cells.get(path, set()))
        self.query_one(FindingsPanel).show(report.findings, self.form)
        self._show_notes(report)
        self._status()

    def _place(self, path: str) -> tuple[str, str, int | None, str | None] | None:
        """Where a field path shows: ("field", path) or ("table", table path, row, column)."""
        if path in self.fields:
            return ("field", path, None, None)
        try:
            parts = parse_path(path)
        except PathError:
            return None
        for i, part in enumerate(parts):
            prefix = format_path(parts[:i]) if i else ""
            if prefix in self.tables:
                row = part if isinstance(part, int) else None
                col = parts[i + 1] if row is not None and i + 1 < len(parts) else None
                return ("table", prefix, row, str(col) if col is not None else None)
        if format_path(parts) in self.tables:
            return ("table", format_path(parts), None, None)
        # a field inside a table given without row, or a table-level path like "budget"
        for n in range(len(parts), 0, -1):
            prefix = format_path(parts[:n])
            if prefix in self.fields:
                return ("field", prefix, None, None)
        return None

    def _show_notes(self, report: CaseReport) -> None:
        from .review import decision_word, note_line

        notes: dict[str, list[Text]] = defaultdict(list)
        table_notes: dict[str, dict[int | None, list[Text]]] = defaultdict(
            lambda: defaultdict(list)
        )
        lines: list[Text] = []
        for review in report.reviews:
            head = Text(f"{plain(review.reviewer)}：", style="bold")
            head.append(
                literal(
                    f"{decision_word(review.decision)} · 分数 {review.score if review.score is not None else '—'}"
                )
            )
            lines.append(head)
            summary = (review.data or {}).get("summary")
            if isinstance(summary, str) and summary:
                lines.append(literal("  " + summary))
            for note in review.notes():
                text = note_line(review.reviewer, note)
                path = note.get("path")
                placed = self._place(path) if isinstance(path, str) and path else None
                if placed is not None and placed[0] == "field":
                    notes[placed[1]].append(text)
                elif placed is not None:  # a table, a row or a cell: shown with the row
                    table_notes[placed[1]][placed[2]].append(text)
                lines.append(Text(f"  {plain(path) if path else ''} ").append_text(text))
            for _n, rule, reason in review.waivers():
                lines.append(Text(f"  豁免 {plain(rule)}：{plain(reason)}", style="cyan"))
        for path, field in self.fields.items():
            field.show_remarks(notes.get(path, []))
        for path, table in self.tables.items():
            table.show_remarks(dict(table_notes.get(path, {})))
        if not lines:
            lines.append(Text("还没有评审。按 ctrl+r 写评审。", style="dim"))
        overview = self.query("#reviews-overview")
        if overview:
            overview.first(Static).update(Text("\n").join(lines))

    def _status(self) -> None:
        if self.report is None:
            return
        r = self.report
        text = Text()
        text.append(f"错误 {r.errors}", style="bold red" if r.errors else "green")
        text.append(f" · 警告 {r.warnings}", style="yellow" if r.warnings else "green")
        if r.waived:
            text.append(f" · 已豁免 {r.waived}", style="dim")
        invalid = [f.label for f in self.fields.values() if f.typing_invalid]
        if invalid:
            text.append(f" · {len(invalid)} 处输入待改正", style="bold red")
        text.append("  ctrl+f 问题列表 · ctrl+g 转到字段", style="dim")
        self.query_one("#editor-status", Static).update(text)

    def _revalidate(self) -> None:
        if self.model is None or self.case is None:
            return
        data = clone(self.model.data)
        self._validate(data)

    @work(thread=True, exclusive=True, group="editor-validate")
    def _validate(self, data: dict[str, Any]) -> None:
        time.sleep(VALIDATE_DELAY)
        if get_current_worker().is_cancelled or self.case is None:
            return
        case = Case(self.case_id, self.case.directory, data, self.case.version)
        report = validate_case(case, self.anjuan.today)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_report, report)

    # --- edits -------------------------------------------------------------------------
    @on(FieldRow.Edited)
    def _field_edited(self, event: FieldRow.Edited) -> None:
        if self.model is None:
            return
        typing = event.row.kind in ("text", "textarea", "int", "number", "date")
        if self.model.set(parse_path(event.row.path), event.value, typing=typing):
            self._after_edit()
        else:
            self._status()  # the typing check may have changed, the case has not

    @on(RowTable.Changed)
    def _table_changed(self, event: RowTable.Changed) -> None:
        if self.model is None:
            return
        if self.model.set(parse_path(event.table.path), event.rows):
            self._after_edit()

    def _after_edit(self) -> None:
        self._title()
        self._status()
        self._revalidate()

    def _show_value(self, parts: tuple[Part, ...]) -> None:
        """Bring the widgets showing ``parts`` (or anything under it) in line with the model."""
        assert self.model is not None
        path = format_path(parts)
        for fpath, field in self.fields.items():
            if fpath == path or fpath.startswith(path + ".") or not path:
                field.set_value(self.model.get(parse_path(fpath)))
        for tpath, table in self.tables.items():
            if tpath == path or tpath.startswith(path + ".") or path.startswith(tpath) or not path:
                rows = self.model.get(parse_path(tpath))
                table.load(rows if isinstance(rows, list) else [])

    def action_undo(self) -> None:
        if self.model is None:
            return
        edit = self.model.undo()
        if edit is None:
            self.notify("没有可撤销的修改")
            return
        self._show_value(edit.path)
        self._jump_parts(edit.path)
        self._after_edit()

    def action_redo(self) -> None:
        if self.model is None:
            return
        edit = self.model.redo()
        if edit is None:
            self.notify("没有可重做的修改")
            return
        self._show_value(edit.path)
        self._jump_parts(edit.path)
        self._after_edit()

    # --- navigation --------------------------------------------------------------------
    def field_index(self) -> list[tuple[str, str]]:
        """(path, Chinese label) of every field and table, for "go to field"."""
        out: list[tuple[str, str]] = []
        if self.form is None:
            return out
        for path in self.fields:
            out.append((path, self.form.label(path)))
        for path, table in self.tables.items():
            out.append((path, self.form.label(path)))
            props = table.item.get("properties", {})
            for col in table.columns:
                out.append(
                    (f"{path}[1].{col}", f"{self.form.label(path)} {props[col].get('title', col)}")
                )
        return out

    def jump_to(self, path: str) -> None:
        try:
            parts = parse_path(path)
        except PathError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if not self._jump_parts(parts):
            self.notify(f"没有字段 {path}", severity="warning", markup=False)

    def _jump_parts(self, parts: tuple[Part, ...]) -> bool:
        placed = self._place(format_path(parts))
        if placed is None:
            return False
        kind, key, row, col = placed
        section = str(parse_path(key)[0])
        self.call_later(self._reveal, section, kind, key, row, col)
        return True

    async def _reveal(
        self, section: str, kind: str, key: str, row: int | None, col: str | None
    ) -> None:
        """Show a section (building it if needed), then put the cursor on the field."""
        await self.query_one(CaseForm).ensure(section)
        self.query_one("#sections", TabbedContent).active = f"sec-{section}"
        if kind == "field":
            self.call_after_refresh(self._focus_field, self.fields[key])
        else:
            self.call_after_refresh(self.tables[key].go_to, row, col)

    def _focus_field(self, field: FieldRow) -> None:
        field.focus_input()
        field.scroll_visible(animate=False)

    def action_go_to_field(self) -> None:
        self.app.action_command_palette()

    @on(FindingsPanel.Jump)
    def _jump(self, event: FindingsPanel.Jump) -> None:
        self.jump_to(event.path)

    def action_toggle_findings(self) -> None:
        panel = self.query_one(FindingsPanel)
        panel.display = not panel.display
        if panel.display:
            panel.focus()

    def _step_section(self, step: int) -> None:
        tabs = self.query("#sections")
        if not tabs:
            return
        tabbed = tabs.first(TabbedContent)
        ids = [p.id for p in tabbed.query(TabPane) if p.id]
        # keys typed ahead while a section is built count from where the last one goes
        current = self._section_target or tabbed.active
        if current in ids:
            target = ids[(ids.index(current) + step) % len(ids)]
            self._section_target = target
            self.call_later(self._show_section, target)

    async def _show_section(self, pane_id: str) -> None:
        if self._section_target not in (None, pane_id):
            return  # a later key goes further: don't build the sections passed over
        await self.query_one(CaseForm).ensure(pane_id.removeprefix("sec-"))
        tabbed = self.query_one("#sections", TabbedContent)
        tabbed.active = pane_id
        if self._section_target == pane_id:
            self._section_target = None
        self.call_after_refresh(self._focus_first, tabbed.get_pane(pane_id))

    def _focus_first(self, pane: Widget) -> None:
        """Focus the first field or table of a section, so that typing goes there."""
        for widget in pane.query("Input, TextArea, Select, SelectionList, Checkbox, DataTable"):
            if widget.focusable:
                widget.focus()
                return

    def action_next_section(self) -> None:
        self._step_section(1)

    def action_prev_section(self) -> None:
        self._step_section(-1)

    # --- save, conflict, leave ---------------------------------------------------------------
    def action_save(self) -> None:
        self._begin_save()

    def _begin_save(self) -> bool:
        """Ask the reason and save; False when nothing was started (nothing to save, or an
        input that cannot be saved)."""
        from .dialogs import ReasonScreen

        if self.model is None or self.form is None or self.saving:
            return False
        for table in [t for t in self.tables.values() if t.editing is not None]:
            if not table.finish_edit():  # a cell being edited is kept first, as Enter keeps it
                return False
            self.model.set(parse_path(table.path), table.rows)
        invalid = [f for f in self.fields.values() if f.typing_invalid]
        if invalid:
            names = "、".join(f.label for f in invalid[:3])
            self.notify(
                f"{names} 的输入不能保存：{invalid[0].typing_problem}；请改正或按 ctrl+z 撤销",
                severity="error",
                markup=False,
            )
            return False
        if not self.model.dirty:
            self.notify("没有修改，无需保存")
            return False
        changes = [
            change_line(self.form.label(d.path), d)
            for d in diff_data(self.model.saved, self.model.data)
        ]

        def go(reason: str | None) -> None:
            if reason is not None:
                self._save(reason or None)
            else:
                self.after_save = None  # back to editing: a later save is not the quit's

        self.app.push_screen(ReasonScreen(changes), go)
        return True

    @work(thread=True, exclusive=True, group="editor-save")
    def _save(self, reason: str | None) -> None:
        assert self.model is not None and self.case is not None
        self.saving = True
        data = clone(self.model.data)
        app = self.anjuan
        try:
            result = store.save_case(
                self.cases_dir,
                self.case_id,
                data,
                as_name=app.as_name,
                reason=reason,
                expected_version=self.case.version,
                today=app.today,
            )
        except store.ConflictError:
            self.after_save = None
            disk = read_case(self.cases_dir / self.case_id, self.case_id)
            app.call_from_thread(self._conflict, disk)
        except store.StoreError as exc:
            self.after_save = None
            app.call_from_thread(
                self.notify,
                f"未保存：{exc}（你的修改仍在，可改正后再按 ctrl+s）",
                severity="error",
                timeout=12,
                markup=False,
            )
        else:
            app.call_from_thread(self._saved, data, result)
        finally:
            self.saving = False

    def _saved(self, data: dict[str, Any], result: Any) -> None:
        assert self.model is not None and self.case is not None
        self.case.version = result.version
        self.case.data = data  # the copy made for the save: nothing changes it
        self.model.mark_saved(data)
        self.notify(
            f"已保存并提交 {result.commit[:10]}（{len(result.changes)} 处修改）", markup=False
        )
        self._after_edit()
        done, self.after_save = self.after_save, None
        if done is not None:
            done()

    def has_unsaved(self) -> bool:
        return self.model is not None and self.model.dirty

    def save_then(self, done: Callable[[], None]) -> None:
        """Save (asking the reason), and call ``done`` once it is committed."""
        self.after_save = done
        if not self._begin_save():
            self.after_save = None  # nothing was saved (an invalid field, say): stay

    def _conflict(self, disk: Case) -> None:
        from .conflict import ConflictScreen

        assert self.model is not None
        if disk.data is None:
            self.notify(
                "文件在磁盘上已被改坏（TOML 错误），未保存；你的修改仍在。请先修复文件。",
                severity="error",
                timeout=12,
            )
            return

        def resolved(merged: dict[str, Any] | None) -> None:
            if merged is None or self.model is None or self.case is None:
                return
            self.case = disk
            self.model.mark_saved(disk.data or {}, merged)
            self._show_value(())
            self._after_edit()
            self.notify(
                "已载入磁盘上的新版本"
                + ("，你的修改已合并，按 ctrl+s 保存" if self.model.dirty else ""),
                markup=False,
            )

        self.app.push_screen(
            ConflictScreen(self.form, self.model.saved, disk.data, self.model.data), resolved
        )

    def action_back(self) -> None:
        from .dialogs import ChoiceScreen

        if self.model is None or not self.model.dirty:
            self.dismiss_editor()
            return

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.dismiss_editor()
            elif choice == "save":
                self.save_then(self.dismiss_editor)

        self.app.push_screen(
            ChoiceScreen(
                "有未保存的修改。",
                [("save", "保存并返回"), ("cancel", "继续编辑"), ("discard", "放弃修改并返回")],
            ),
            chosen,
        )

    def dismiss_editor(self) -> None:
        self.app.pop_screen()
        refresh = getattr(self.app.screen, "action_reload", None)
        if refresh is not None:
            refresh()

    # --- other screens ------------------------------------------------------------------
    def _current_path(self) -> str | None:
        """The field under the cursor (a form field, or a table cell), if any."""
        if self.focused is None:
            return None
        for node in self.focused.ancestors_with_self:
            if isinstance(node, FieldRow):
                return node.path
            if isinstance(node, RowTable):
                n, col = node.current()
                return f"{node.path}[{n}].{col}" if n and col else node.path
        return None

    def action_blame(self) -> None:
        path = self._current_path()
        if path is None:
            self.notify("请先把光标放到一个字段上", severity="warning")
            return
        self._blame(path)

    @work(thread=True, group="editor-blame")
    def _blame(self, path: str) -> None:
        from ...core.history import case_blame

        try:
            lines = case_blame(self.cases_dir, self.case_id, path)
        except store.StoreError as exc:
            self.app.call_from_thread(
                self.notify, f"查不到修改记录：{exc}", severity="warning", markup=False
            )
            return
        self.app.call_from_thread(self._show_blame, path, lines)

    def _show_blame(self, path: str, lines: list[Any]) -> None:
        line = next((b for b in lines if b.path == path), lines[0] if lines else None)
        if line is None or line.commit is None:
            text = "尚未提交（只在工作区中）"
        else:
            when = f"{line.time:%Y-%m-%d %H:%M}" if line.time else ""
            text = f"{line.author or ''} · {when} · 提交 {line.commit[:10]}"
        field = self.fields.get(path)
        if field is not None:
            field.show_remarks([*field.remarks, Text(f"⌚ 最后修改：{plain(text)}", style="cyan")])
        label = self.form.label(path) if self.form else path
        self.notify(f"{label}：{text}", title="谁改的", timeout=10, markup=False)

    def action_history(self) -> None:
        from .history import HistoryScreen

        def back(restored: bool | None) -> None:
            if restored:
                self.reload_from_disk()

        self.app.push_screen(HistoryScreen(self.case_id, self.form), back)

    def reload_from_disk(self) -> None:
        """After a restore: show the file as it is now, unless there are unsaved edits (then
        the next save meets the conflict screen, which keeps them)."""
        if self.model is not None and self.model.dirty:
            self.notify(
                "案卷已在历史中恢复；你有未保存的修改，保存时将提示合并", severity="warning"
            )
            return
        self._reread()

    @work(thread=True, exclusive=True, group="editor-read")
    def _reread(self) -> None:
        case = read_case(self.cases_dir / self.case_id, self.case_id)
        self.app.call_from_thread(self._reread_done, case)

    def _reread_done(self, case: Case) -> None:
        if case.data is None or self.model is None:
            self.notify("文件无法读取，未重新载入", severity="error")
            return
        self.case = case
        self.model.mark_saved(case.data, clone(case.data))
        self._show_value(())
        self._after_edit()

    def action_reviews(self) -> None:
        from .review import ReviewScreen

        if self.form is None:
            return
        self.app.push_screen(
            ReviewScreen(
                self.case_id,
                self.form,
                self._current_path(),
            ),
            lambda _saved: self._revalidate(),
        )

    def action_export(self) -> None:
        from .export import ExportScreen

        if self.model is not None and self.form is not None:
            self.app.push_screen(ExportScreen(self.case_id, self.model.data, self.form))

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("保存", "保存并提交修改 (ctrl+s)", self.action_save),
            SystemCommand("撤销", "撤销上一处修改 (ctrl+z)", self.action_undo),
            SystemCommand("重做", "重做 (ctrl+y)", self.action_redo),
            SystemCommand(
                "问题列表",
                "显示或隐藏全部问题，Enter 转到字段 (ctrl+f)",
                self.action_toggle_findings,
            ),
            SystemCommand("谁改的", "当前字段最后由谁、何时修改 (ctrl+b)", self.action_blame),
            SystemCommand("历史", "案卷的修改记录、版本比较与恢复 (ctrl+l)", self.action_history),
            SystemCommand(
                "评审", "阅读评审、写自己的评审、批注与豁免 (ctrl+r)", self.action_reviews
            ),
            SystemCommand("导出", "导出附件或表格到文件 (ctrl+o)", self.action_export),
            SystemCommand("返回列表", "回到案卷列表 (esc)", self.action_back),
        ]
