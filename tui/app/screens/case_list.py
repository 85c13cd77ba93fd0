"""Home: every case with applicant, park, status and findings; filter, sort, open, new."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from ...core.index import CaseSummary, case_summaries
from ..widgets.footer import KeyFooter
from ..widgets.grid import TextTable
from ..widgets.text import literal, plain, visible
from .base import AnjuanScreen

READ_AHEAD_AFTER = 0.15  # seconds the cursor rests on a case before it is read ahead
PROGRESS_EVERY = 0.2  # seconds between progress updates while the list loads

STATUS_WORDS = {
    "draft": "草稿",
    "submitted": "已提交",
    "in_review": "评审中",
    "approved": "已立项",
    "rejected": "未立项",
    "withdrawn": "已撤回",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str


COLUMNS = (
    Column("case_id", "编号"),
    Column("applicant", "申报单位"),
    Column("park", "园区"),
    Column("status", "状态"),
    Column("errors", "错误"),
    Column("warnings", "警告"),
    Column("last_edited", "最后修改"),
    Column("last_editor", "修改人"),
)


WIDE = 120  # from this many columns the list shows whole names and full times
GAP = {False: 1, True: 2}  # blank cells after each column: narrow, wide
EDITOR_MAX = {False: 8, True: 16}  # cells of the last editor's name at most
PARK_SHARE = 0.4  # of the room left for the two names, what the park may take
NAME_MIN = 6  # cells under which a name is not shortened further


@dataclass(frozen=True)
class ListLayout:
    """How the list fits a width: each column's width in cells (the gap after it included)
    and whether times are written short."""

    widths: dict[str, int]
    wide: bool

    def fit(self, key: str, text: str) -> Text:
        """``text`` in column ``key``, cut with … when it is wider (double-width aware)."""
        shown = plain(text)
        room = self.widths[key] - GAP[self.wide]
        if cell_len(shown) <= room:
            return Text(shown)
        while shown and cell_len(shown) > room - 1:  # one cell for …; a wide character
            shown = shown[:-1]  # that does not fit is left out rather than halved
        return Text(shown.rstrip() + "…")


def list_layout(
    width: int, summaries: list[CaseSummary], today: date | None, wide: bool | None = None
) -> ListLayout:
    """Every column in ``width`` cells without scrolling sideways: the fixed columns take what
    their contents need; the applicant and the park share the rest and are shortened with ….
    ``wide`` (default: ``width`` ≥ 120) gives full times and wider gaps."""
    wide = width >= WIDE if wide is None else wide
    gap = GAP[wide]

    def need(label: str, texts: list[str], most: int | None = None) -> int:
        cells = max([cell_len(label), *(cell_len(plain(t)) for t in texts)])
        return (min(cells, most) if most else cells) + gap

    widths = {
        "case_id": need("编号", [s.case_id for s in summaries]),
        "status": need("状态", [status_word(s).plain for s in summaries]),
        "errors": need("错误", [str(s.errors) for s in summaries]),
        "warnings": need("警告", [str(s.warnings) for s in summaries]),
        "last_edited": need("最后修改", [when(s.last_edited, wide, today) for s in summaries]),
        "last_editor": need("修改人", [s.last_editor or "" for s in summaries], EDITOR_MAX[wide]),
    }
    applicant = need("申报单位", [s.applicant for s in summaries])
    park = need("园区", [s.park for s in summaries])
    room = width - sum(widths.values())
    if applicant + park > room:
        park = min(park, max(NAME_MIN + gap, int(room * PARK_SHARE)))
        applicant = max(NAME_MIN + gap, room - park)
    widths["applicant"], widths["park"] = applicant, park
    return ListLayout({c.key: widths[c.key] for c in COLUMNS}, wide)


def status_word(summary: CaseSummary) -> Text:
    if summary.broken:
        return Text("文件损坏", style="bold red")
    return literal(STATUS_WORDS.get(summary.status, summary.status))


def matches(summary: CaseSummary, query: str) -> bool:
    q = query.strip().lower()
    return not q or any(q in s.lower() for s in (summary.case_id, summary.applicant, summary.park))


class CaseListScreen(AnjuanScreen[None]):
    """The cases of the directory; ``/`` filters live, Enter opens, ``n`` makes a new case."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "筛选", id="list.filter"),
        Binding("enter", "open", "打开", id="list.open", show=False),
        Binding("s", "sort", "排序", id="list.sort"),
        Binding("n", "new_case", "新建", id="list.new"),
        Binding("w", "new_from_docx", "从Word新建", id="list.from_docx"),
        Binding("r", "reload", "刷新", id="list.reload"),
        Binding("escape", "clear_filter", "清除筛选", id="list.clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[CaseSummary] = []
        self.sort_index = 0
        self._ahead_timer: Timer | None = None
        self.sort_reverse = False
        self.fitted: ListLayout | None = None  # the columns as last laid out

    def compose(self) -> ComposeResult:
        yield Static(id="list-title")
        yield Input(
            placeholder="筛选：编号、申报单位或园区（Enter 打开第一个，Esc 清除）",
            id="filter",
            compact=True,
        )
        table = TextTable(id="cases", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.action_reload()

    # --- loading ------------------------------------------------------------------------
    def action_reload(self) -> None:
        self.query_one("#cases").loading = True
        self.query_one("#list-title", Static).update(Text("正在读取并检查案卷…"))
        self._load()

    @work(thread=True, exclusive=True, group="case-list")
    def _load(self) -> None:
        app = self.anjuan
        shown = 0.0

        def progress(done: int, total: int) -> None:
            # cases already in the index come in thousands a second: say where the
            # checking is a few times a second, not at every case
            nonlocal shown
            now = time.monotonic()
            if now - shown >= PROGRESS_EVERY and done < total:
                shown = now
                app.call_from_thread(self.show_progress, done, total)

        summaries = case_summaries(app.cases_dir, app.today, progress=progress)
        app.call_from_thread(self._loaded, summaries)

    def show_progress(self, done: int, total: int) -> None:
        """How far reading and checking the cases has got (a large repository's first list)."""
        percent = done * 100 // total if total else 100
        self.query_one("#list-title", Static).update(
            Text(f"正在读取并检查案卷… {done}/{total}（{percent}%）")
        )

    def _loaded(self, summaries: list[CaseSummary]) -> None:
        self.summaries = summaries
        self.query_one("#cases").loading = False
        self._fill()
        self.query_one("#cases").focus()

    def _fill(self) -> None:
        table = self.query_one("#cases", DataTable)
        query = self.query_one("#filter", Input).value
        shown = [s for s in self.summaries if matches(s, query)]
        key = COLUMNS[self.sort_index].key
        shown.sort(key=lambda s: _sort_key(s, key), reverse=self.sort_reverse)
        layout = self._layout()
        table.clear(columns=layout != self.fitted)
        if layout != self.fitted:
            self.fitted = layout
            for col in COLUMNS:
                table.add_column(col.label, key=col.key, width=layout.widths[col.key])
        fit, wide, today = layout.fit, layout.wide, self.anjuan.today
        for s in shown:
            table.add_row(
                literal(s.case_id),
                fit("applicant", s.applicant),
                fit("park", s.park),
                status_word(s),
                Text(str(s.errors), style="bold red" if s.errors else "dim"),
                Text(str(s.warnings), style="yellow" if s.warnings else "dim"),
                Text(when(s.last_edited, wide, today), style="dim"),
                fit("last_editor", s.last_editor or ""),
                key=s.case_id,
            )
        broken = sum(1 for s in self.summaries if s.broken)
        title = f"案卷 {len(shown)}/{len(self.summaries)}"
        if broken:
            title += f" · {broken} 个文件损坏"
        arrow = "↓" if self.sort_reverse else "↑"
        title += f" · 按{COLUMNS[self.sort_index].label}{arrow} · {self.anjuan.cases_dir.name}"
        self.query_one("#list-title", Static).update(Text(plain(title)))

    def _layout(self) -> ListLayout:
        """The columns for the screen's width, less the table's margin and, when the rows
        will not fit its height, its scrollbar."""
        table = self.query_one("#cases", DataTable)
        width, height = self.app.size
        scrollbar = table.styles.scrollbar_size_vertical if len(self.summaries) > height - 4 else 0
        return list_layout(
            width - table.styles.padding.width - scrollbar,
            self.summaries,
            self.anjuan.today,
            wide=width >= WIDE,
        )

    def on_resize(self) -> None:
        if self.fitted is not None and self._layout() != self.fitted:
            self._fill()

    # --- filter, sort, open ------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value or box.display:
            box.value = ""
            box.display = False
            self._fill()
            self.query_one("#cases").focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        table = self.query_one("#cases", DataTable)
        if table.row_count:
            self.anjuan.open_case(str(table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value))

    def action_sort(self) -> None:
        if self.sort_reverse:
            self.sort_index = (self.sort_index + 1) % len(COLUMNS)
        self.sort_reverse = not self.sort_reverse
        self._fill()

    @on(DataTable.HeaderSelected, "#cases")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        if event.column_index == self.sort_index:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_index, self.sort_reverse = event.column_index, False
        self._fill()

    # --- reading ahead -------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#cases")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """When the cursor rests on a case, parse it in the background, so that Enter opens
        it without waiting (the editor reuses the parse only if the file is unchanged)."""
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
        case_id = str(event.row_key.value)
        summary = next((s for s in self.summaries if s.case_id == case_id), None)
        if summary is None or summary.broken:
            return
        self._ahead_timer = self.set_timer(READ_AHEAD_AFTER, lambda: self._read_ahead(case_id))

    @work(thread=True, exclusive=True, group="read-ahead", exit_on_error=False)
    def _read_ahead(self, case_id: str) -> None:
        from ...core.store import read_case_cached  # the store (and git) only when needed

        read_case_cached(self.anjuan.cases_dir / case_id, case_id)

    @on(DataTable.RowSelected, "#cases")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.anjuan.open_case(str(event.row_key.value))

    def action_open(self) -> None:
        table = self.query_one("#cases", DataTable)
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.anjuan.open_case(str(row_key.value))

    # --- new case ------------------------------------------------------------------------
    def action_new_case(self) -> None:
        from .new_case import NewCaseScreen

        def made(case_id: str | None) -> None:
            if case_id:
                self._create(case_id)

        self.app.push_screen(NewCaseScreen([s.case_id for s in self.summaries]), made)

    @work(thread=True, group="new-case")
    def _create(self, case_id: str) -> None:
        from ...core.setup import SetupError, new_case
        from ...core.store import StoreError

        app = self.anjuan
        try:
            message = new_case(app.cases_dir, case_id, None, None, app.as_name)
        except (SetupError, StoreError) as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", markup=False)
            return
        app.call_from_thread(app.notify, message, markup=False)
        app.call_from_thread(self.action_reload)
        app.call_from_thread(app.open_case, case_id)

    # --- new case from a filled Word form -------------------------------------------------
    def action_new_from_docx(self) -> None:
        from ...core.document.cases import next_number
        from .from_docx import FromDocxScreen

        ids = [s.case_id for s in self.summaries]
        suggested = f"XH-2022-{next_number(ids, 'XH-2022-') + 1:03d}"

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer:
                self._create_from_docx(*answer)

        self.app.push_screen(FromDocxScreen(ids, suggested), chosen)

    @work(thread=True, group="new-case")
    def _create_from_docx(self, path: str, case_id: str) -> None:
        from pathlib import Path

        from ...core.document.cases import DocxUnreadable, plan_docx, save_plan
        from ...core.schema import available_forms, load_form
        from ...core.setup import SetupError
        from ...core.store import StoreError
        from .from_docx import DocxReportScreen

        app = self.anjuan
        words = {"error": "错误", "warning": "警告"}
        try:
            form = load_form(available_forms()[-1])
            plan = plan_docx(Path(path).expanduser(), form, date.today())
        except DocxUnreadable as exc:
            app.call_from_thread(app.notify, str(exc), severity="error", markup=False)
            return
        lines = [
            f"{plan.source.name}：读出 {plan.read} 个栏目，{len(plan.unread)} 处无法读取，"
            f"{plan.errors} 个错误，{plan.warnings} 个警告"
        ]
        try:
            lines.append(save_plan(app.cases_dir, plan, case_id, form, app.as_name))
        except (SetupError, StoreError) as exc:
            lines.append(f"未建立案卷：{exc}")
        for u in plan.unread:
            lines.append(f"无法读取  {u.label}：{u.text!r}")
        for f in plan.findings:
            lines.append(f"{words.get(f.severity, f.severity)}  {f.path or ''}  {f.message}")
        app.call_from_thread(self.action_reload)
        app.call_from_thread(app.push_screen, DocxReportScreen(visible("\n".join(lines))))

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("新建案卷", "从申报书模板建立一个案卷并提交 (n)", self.action_new_case),
            SystemCommand(
                "从 Word 文件新建案卷",
                "读入填好的申报书 .docx，列出无法读取的栏目 (w)",
                self.action_new_from_docx,
            ),
            SystemCommand("筛选案卷", "按编号、申报单位或园区筛选 (/)", self.action_filter),
            SystemCommand("排序", "换一列排序或倒序 (s)", self.action_sort),
            SystemCommand("刷新列表", "重新读取并检查全部案卷 (r)", self.action_reload),
        ]


def when(iso: str | None, wide: bool, today: date | None) -> str:
    """``2026-11-20T10:12:00+08:00`` → ``2026-11-20 10:12``; narrow: ``11-20 10:12`` this
    year, ``2025-11-20`` before."""
    if not iso:
        return ""
    if wide:
        return iso[:16].replace("T", " ")
    if iso[:4] == str((today or date.today()).year):
        return iso[5:16].replace("T", " ")
    return iso[:10]


def _sort_key(summary: CaseSummary, key: str) -> tuple[int, object]:
    if key == "status":
        return (0, (summary.broken, summary.status))
    value = getattr(summary, key)
    return (0, value) if value is not None else (1, "")
