"""Reviews: read every reviewer's file, write one's own ``reviews/<login>.toml``.

Decision, score and summary; notes pinned to a field (shown beside that field in the
editor for everyone, with their author and state); waivers with reasons for waivable
rules. Everyone's notes are listed; only a note's author resolves it (``ctrl+o``), since a
reviewer writes only their own file (case-format.md, "Reviews").
``ctrl+s`` writes the file atomically as one commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.validation import Integer
from textual.widgets import DataTable, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ...core import store
from ...core.paths import PathError, parse_path
from ...core.people import my_reviewer_name
from ...core.review import Review, read_reviews, reviewer_file_name, save_review
from ...core.schema import Form, load_review_schema
from ..model import clone
from ..widgets.footer import KeyFooter
from ..widgets.grid import TextTable
from ..widgets.text import literal, plain
from .base import AnjuanScreen
from .dialogs import Dialog


def decision_options() -> list[tuple[str, str]]:
    node = load_review_schema()["properties"]["decision"]
    return list(zip(node["x-enum-titles"], node["enum"], strict=True))


def decision_word(decision: str) -> str:
    titles = {v: t for t, v in decision_options()}
    return titles.get(decision, decision) or "未定"


def note_line(reviewer: str, note: dict[str, Any]) -> Text:
    """A note as everyone sees it beside its field: who wrote it and whether it is resolved."""
    if note.get("resolved"):
        return Text(
            f"☑ 批注（{plain(reviewer)}，已解决）：{plain(note.get('text', ''))}", style="dim"
        )
    return Text(
        f"✎ 批注（{plain(reviewer)}，待解决）：{plain(note.get('text', ''))}", style="magenta"
    )


def not_yours(author: str, me: str) -> str:
    """Why a note by someone else cannot be resolved here, and what to do instead."""
    return (
        f"这条批注是 {author} 写的，只有 {author} 本人能标记已解决：每位评审只写自己的"
        f" reviews/{reviewer_file_name(me)}。可以写一条自己的批注回应它。"
    )


class ReviewScreen(AnjuanScreen[bool]):
    """Dismisses True when the review was saved."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "保存评审", id="review.save", priority=True),
        Binding("escape", "back", "返回", id="review.back"),
        Binding("ctrl+n", "add_note", "批注", id="review.note"),
        Binding("ctrl+t", "add_waiver", "豁免", id="review.waiver"),
        Binding("ctrl+o", "toggle_resolved", "已解决", id="review.resolve"),
    ]

    def __init__(self, case_id: str, form: Form, at_path: str | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.form = form
        self.at_path = at_path
        self.reviews: list[Review] = []
        self.mine: dict[str, Any] = {}
        self.version: str | None = None
        self.saved = False
        self.baseline: dict[str, Any] | None = None  # what the screen showed when loaded/saved
        self.after_save: Callable[[], None] | None = None
        self.note_rows: list[tuple[str, dict[str, Any], bool]] = []  # (author, note, mine)
        self.my_name: str | None = None

    @property
    def me(self) -> str:
        """The reviewer name this account writes as (people.toml); until known, or when
        refused, the name asked for — a save then refuses with the reason."""
        return self.my_name or self.anjuan.as_name or store.login_name()

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.case_id} · 评审"), id="review-title")
        with VerticalScroll(id="review-body"):
            yield Static(id="others")
            yield Label("我的结论")
            yield Select(decision_options(), id="decision", allow_blank=False, compact=True)
            yield Label("评分（0–100）")
            yield Input(
                id="score",
                restrict=r"[0-9]*",
                max_length=3,
                validators=[Integer(0, 100)],
                valid_empty=True,
                compact=True,
            )
            yield Label("评审意见")
            yield TextArea(id="summary", soft_wrap=True)
            yield Label("批注，所有评审的（ctrl+n 新建 · ctrl+o 标记自己的批注已解决）")
            notes = TextTable(id="notes", cursor_type="row")
            yield notes
            yield Label("豁免（ctrl+t 新建；只有可豁免的规则）")
            waivers = TextTable(id="waivers", cursor_type="row")
            yield waivers
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#notes", DataTable).add_columns("作者", "状态", "字段", "内容")
        self.query_one("#waivers", DataTable).add_columns("规则", "理由")
        self._load()

    @work(thread=True, exclusive=True, group="review-load")
    def _load(self) -> None:
        try:
            self.my_name = my_reviewer_name(self.anjuan.cases_dir, self.anjuan.as_name)
        except store.StoreError as exc:
            self.my_name = None
            self.app.call_from_thread(
                self.notify,
                f"不能写评审：{exc}",
                severity="error",
                timeout=15,
                markup=False,
            )
        reviews = read_reviews(self.anjuan.cases_dir / self.case_id)
        self.app.call_from_thread(self._loaded, reviews)

    def _loaded(self, reviews: list[Review]) -> None:
        self.reviews = reviews
        mine_file = f"reviews/{reviewer_file_name(self.me)}"
        own = next((r for r in reviews if r.file == mine_file), None)
        self.mine = clone(own.data) if own is not None and own.data is not None else {}
        self.version = own.version if own is not None else None
        lines: list[Text] = []
        for r in reviews:
            if r.file == mine_file:
                continue
            head = Text(
                f"{plain(r.reviewer)}：{plain(r.decision or '未定')} · 分数 {r.score if r.score is not None else '—'}",
                style="bold",
            )
            lines.append(head)
            summary = (r.data or {}).get("summary")
            if isinstance(summary, str) and summary:
                lines.append(literal("  " + summary))
            for _n, rule, reason in r.waivers():
                lines.append(Text(f"  豁免 {plain(rule)}：{plain(reason)}", style="cyan"))
        if not lines:
            lines.append(Text("（还没有其他人的评审）", style="dim"))
        self.query_one("#others", Static).update(Text("\n").join(lines))
        decision = self.mine.get("decision", "")
        self.query_one("#decision", Select).value = (
            decision if decision in dict(decision_options()).values() else ""
        )
        score = self.mine.get("score")
        self.query_one("#score", Input).value = str(score) if isinstance(score, int) else ""
        summary = self.mine.get("summary")
        self.query_one("#summary", TextArea).text = summary if isinstance(summary, str) else ""
        self._tables()
        self.baseline = self._current()

    def _tables(self) -> None:
        notes = self.query_one("#notes", DataTable)
        notes.clear()
        mine = str(self.mine.get("reviewer") or self.me)
        self.note_rows = [(mine, note, True) for note in self.mine.get("notes", [])]
        mine_file = f"reviews/{reviewer_file_name(self.me)}"
        for r in self.reviews:
            if r.file != mine_file:
                self.note_rows += [(r.reviewer, note, False) for note in r.notes()]
        for author, note, own in self.note_rows:
            notes.add_row(
                literal(author, "" if own else "dim"),
                Text("已解决" if note.get("resolved") else "待解决"),
                literal(self._label(note.get("path"))),
                literal(note.get("text", "")),
            )
        waivers = self.query_one("#waivers", DataTable)
        waivers.clear()
        for w in self.mine.get("waivers", []):
            waivers.add_row(literal(w.get("rule", "")), literal(w.get("reason", "")))

    def _label(self, path: Any) -> str:
        if not isinstance(path, str) or not path:
            return "（整个案卷）"
        try:
            return self.form.label(path)  # the path is in the note's file; the label reads
        except (PathError, ValueError):
            return path

    # --- notes and waivers -----------------------------------------------------------------
    def action_add_note(self) -> None:
        def done(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            path, text = result
            note: dict[str, Any] = {"at": datetime.now().astimezone().replace(microsecond=0)}
            if path:
                note["path"] = path
            note["text"] = text
            note["resolved"] = False
            self.mine.setdefault("notes", []).append(note)
            self._tables()

        self.app.push_screen(NoteDialog(self.form, self.at_path or ""), done)

    def action_toggle_resolved(self) -> None:
        notes = self.query_one("#notes", DataTable)
        if not 0 <= notes.cursor_row < len(self.note_rows):
            return
        author, note, own = self.note_rows[notes.cursor_row]
        if not own:  # another reviewer's file: never written here
            self.notify(not_yours(author, self.me), severity="warning", timeout=10, markup=False)
            return
        note["resolved"] = not note.get("resolved", False)
        at = notes.cursor_row
        self._tables()
        notes.move_cursor(row=at)

    def action_add_waiver(self) -> None:
        def done(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.mine.setdefault("waivers", []).append({"rule": result[0], "reason": result[1]})
                self._tables()

        self.app.push_screen(WaiverDialog(self.form), done)

    # --- save --------------------------------------------------------------------------
    def _current(self) -> dict[str, Any]:
        """The review as the screen shows it now: what a save would write."""
        score_box = self.query_one("#score", Input)
        data = clone(self.mine)
        data["decision"] = self.query_one("#decision", Select).value or ""
        if score_box.value:
            data["score"] = int(score_box.value)
        else:
            data.pop("score", None)
        data["summary"] = self.query_one("#summary", TextArea).text
        return data

    def has_unsaved(self) -> bool:
        """Notes, waivers, decision, score or summary changed since loaded or saved."""
        return self.baseline is not None and self._current() != self.baseline

    def save_then(self, done: Callable[[], None]) -> None:
        """Save, and call ``done`` once the save is committed (not when it fails)."""
        self.after_save = done
        self.action_save()

    def action_save(self) -> None:
        self._save(self._current())

    @work(thread=True, exclusive=True, group="review-save")
    def _save(self, data: dict[str, Any]) -> None:
        app = self.anjuan
        try:
            sha, version = save_review(
                app.cases_dir,
                self.case_id,
                data,
                as_name=app.as_name,
                expected_version=self.version,
            )
        except store.StoreError as exc:
            self.after_save = None
            app.call_from_thread(
                self.notify,
                f"评审未保存：{exc}（你的修改仍在）",
                severity="error",
                timeout=12,
                markup=False,
            )
            return
        self.version = version
        self.saved = True
        self.baseline = data
        app.call_from_thread(self._saved, sha)

    def _saved(self, sha: str) -> None:
        self.notify(f"评审已保存并提交 {sha[:10]}", markup=False)
        done, self.after_save = self.after_save, None
        if done is not None:
            done()

    def _back_saved(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        from .dialogs import ChoiceScreen

        if not self.has_unsaved():
            self.dismiss(self.saved)
            return

        def chosen(choice: str | None) -> None:
            if choice == "save":
                self.save_then(self._back_saved)
            elif choice == "discard":
                self.dismiss(self.saved)

        self.app.push_screen(
            ChoiceScreen(
                "评审有未保存的修改（批注、豁免、结论、评分或意见）。",
                [("save", "保存并返回"), ("cancel", "继续编辑"), ("discard", "放弃修改并返回")],
            ),
            chosen,
        )

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("保存评审", "写入 reviews/<我>.toml 并提交 (ctrl+s)", self.action_save),
            SystemCommand("新建批注", "对某个字段写批注 (ctrl+n)", self.action_add_note),
            SystemCommand(
                "批注已解决", "切换选中批注的已解决状态 (ctrl+o)", self.action_toggle_resolved
            ),
            SystemCommand(
                "新建豁免", "豁免一条可豁免规则，须写理由 (ctrl+t)", self.action_add_waiver
            ),
        ]


class NoteDialog(Dialog[tuple[str, str] | None]):
    """A note: the field path (may be empty: about the whole case) and the text."""

    def __init__(self, form: Form, path: str) -> None:
        super().__init__()
        self.form = form
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("字段路径（可空，如 annex1[5].received_yuan）")
            yield Input(self.path, id="note-path", compact=True)
            yield Static("", id="note-problem", classes="problem")
            yield Label("批注内容，Enter 确定")
            yield Input(id="note-text", compact=True)

    def on_mount(self) -> None:
        self.query_one("#note-text" if self.path else "#note-path", Input).focus()

    @on(Input.Submitted, "#note-path")
    def _path_done(self) -> None:
        self.query_one("#note-text", Input).focus()

    @on(Input.Submitted, "#note-text")
    def _done(self) -> None:
        path = self.query_one("#note-path", Input).value.strip()
        text = self.query_one("#note-text", Input).value.strip()
        problem = ""
        if path:
            try:
                if self.form.node(parse_path(path)) is None:
                    problem = f"申报书中没有字段 {path}"
            except PathError as exc:
                problem = str(exc)
        if not text:
            problem = problem or "批注内容不能为空"
        if problem:
            self.query_one("#note-problem", Static).update(Text(problem))
            return
        self.dismiss((path, text))


class WaiverDialog(Dialog[tuple[str, str] | None]):
    """Pick a waivable rule, then give the reason (required)."""

    def __init__(self, form: Form) -> None:
        super().__init__()
        self.form = form
        self.rule: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("豁免哪条规则（只列可豁免的）：")
            yield OptionList(
                *[Option(rid, id=rid) for rid, meta in self.form.rules.items() if meta.waivable],
                id="rules",
            )
            yield Label("理由（必填），Enter 确定")
            yield Input(id="waiver-reason", compact=True)
            yield Static("", id="waiver-problem", classes="problem")

    @on(OptionList.OptionSelected, "#rules")
    def _rule(self, event: OptionList.OptionSelected) -> None:
        self.rule = event.option.id
        self.query_one("#waiver-reason", Input).focus()

    @on(Input.Submitted, "#waiver-reason")
    def _done(self, event: Input.Submitted) -> None:
        rules = self.query_one("#rules", OptionList)
        if self.rule is None and rules.highlighted is not None:
            self.rule = rules.get_option_at_index(rules.highlighted).id
        if not self.rule or not event.value.strip():
            self.query_one("#waiver-problem", Static).update(Text("请选择规则并写明理由"))
            return
        self.dismiss((self.rule, event.value.strip()))
