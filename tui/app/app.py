"""The App: screen routing, the command palette's actions and the user's keymap — kept short."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from .keymap import load_keymap, unknown_ids


class AnjuanApp(App[None]):
    """案卷: the case list first; every other screen is pushed on top of it."""

    CSS_PATH = "anjuan.tcss"
    TITLE = "案卷 Anjuan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "toggle_help", "按键", id="help"),
        Binding("ctrl+q", "quit", "退出", id="quit"),
        Binding("f5", "sync", "同步", id="sync", show=False),
    ]

    def __init__(
        self,
        cases_dir: Path,
        as_name: str | None = None,
        today: date | None = None,
        keymap_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.cases_dir = Path(cases_dir)
        self.as_name = as_name
        self.today = today
        self._keymap_file = keymap_file
        self.keymap_problem: str | None = None

    def on_mount(self) -> None:
        from .screens.case_list import CaseListScreen

        keymap, problem = load_keymap(self._keymap_file)
        if keymap:
            problem = problem or unknown_ids(keymap)
            self.set_keymap(keymap)
        self.keymap_problem = problem
        self.push_screen(CaseListScreen())
        if problem:
            self.notify(problem, severity="warning", timeout=8, markup=False)

    async def action_quit(self) -> None:
        """Quit, but never silently drop unsaved work (an edit, a review): ask first, with
        saving as the default choice."""
        from .screens.dialogs import ChoiceScreen

        dirty: list[Any] = [
            s for s in self.screen_stack if getattr(s, "has_unsaved", lambda: False)()
        ]
        if not dirty:
            self.exit()
            return

        def save_all(screens: list[Any]) -> None:
            """Save each screen in turn (top first); quit once the last is committed."""
            if not screens:
                self.exit()
                return
            screens[0].save_then(lambda: save_all(screens[1:]))

        def chosen(choice: str | None) -> None:
            if choice == "save":
                save_all(list(reversed(dirty)))
            elif choice == "quit":
                self.exit()

        names = "、".join(
            f"{s.case_id}{'（评审）' if not hasattr(s, 'model') else ''}" for s in dirty
        )
        self.push_screen(
            ChoiceScreen(
                f"{names} 有未保存的修改，不保存就退出会丢失这些修改。",
                [("save", "保存并退出"), ("cancel", "返回"), ("quit", "放弃修改并退出")],
            ),
            chosen,
        )

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the current screen (its ``palette_commands``) and the app's own."""
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            yield from commands()
        yield SystemCommand("同步", "取回远端的修改，按字段合并，再推送 (F5)", self.action_sync)
        yield from super().get_system_commands(screen)

    def action_sync(self) -> None:
        from .screens.conflicts import start_sync

        start_sync(self)

    def open_case(self, case_id: str) -> None:
        from .screens.case_editor import CaseEditorScreen

        self.push_screen(CaseEditorScreen(case_id))


def run_app(cases_dir: Path, as_name: str | None) -> int:
    """``anjuan`` with no sub-command: the TUI on ``cases_dir``; the exit status."""
    app = AnjuanApp(Path(cases_dir), as_name)
    app.run()
    return app.return_code or 0  # Textual sets 1 when the app stopped on an error
