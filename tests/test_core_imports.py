"""The core never imports Textual, and neither does `anjuan validate` (checked in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

CHECK = """
import importlib, json, pkgutil, sys
import tui.core
names = ["tui.core"] + [m.name for m in pkgutil.walk_packages(tui.core.__path__, "tui.core.")]
names += ["tui.cli"] + [m.name for m in pkgutil.iter_modules([{tui!r}], "tui.") if m.name.startswith("tui.cli_")]
for name in names:
    importlib.import_module(name)
print(json.dumps({{"modules": names, "textual": sorted(m for m in sys.modules if m.split(".")[0] == "textual")}}))
"""


def run(code: str) -> dict[str, list[str]]:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    data: dict[str, list[str]] = json.loads(result.stdout.splitlines()[-1])
    return data


def test_core_and_cli_modules_do_not_import_textual() -> None:
    found = run(CHECK.format(tui=str(ROOT / "tui")))
    expected = {"tui.core.rules", "tui.core.rules.structure", "tui.core.store", "tui.core.index"}
    expected |= {"tui.core.validate", "tui.core.review", "tui.core.setup", "tui.cli"}
    assert expected <= set(found["modules"])
    assert found["textual"] == []


def test_validate_command_does_not_import_textual(cases_repo: Path) -> None:
    code = (
        "import json, sys\n"
        "from tui.cli import main\n"
        f"code = main(['validate', '--format', 'json', '--cases', {str(cases_repo)!r}])\n"
        "assert code == 0, code\n"
        "print(json.dumps({'textual': sorted(m for m in sys.modules if m.startswith('textual'))}))\n"
    )
    assert run(code)["textual"] == []
