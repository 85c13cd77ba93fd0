"""`anjuan validate`, `init`, `new` and the pre-commit hook, run as a user runs them (cli.md)."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from conftest import EXAMPLE, ROOT, SAMPLES, anjuan, git

CASE_KEYS = ["case", "form", "status", "errors", "warnings", "findings"]
FINDING_KEYS = ["rule", "severity", "path", "message", "waived_by"]
EXTRA_FINDING_KEYS = {"file", "line", "column", "waiver_reason"}
FORM = json.loads((ROOT / "schema" / "bj-ipcluster-2022.schema.json").read_text("utf-8"))


def validate(cases: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return anjuan("validate", "--cases", str(cases), *args)


def as_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in result.stderr, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (the .git internals too): to prove nothing was written."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "index" not in p.name
    }


# --- validate -------------------------------------------------------------------------------


def test_json_has_exactly_the_shape_of_cli_md(samples_repo: Path) -> None:
    result = validate(samples_repo, "--format", "json", "--today", "2026-11-27")
    data = as_json(result)
    assert list(data) == ["cases"]
    for case in data["cases"]:
        assert list(case) == CASE_KEYS
        assert isinstance(case["errors"], int) and isinstance(case["warnings"], int)
        for f in case["findings"]:
            assert list(f)[:5] == FINDING_KEYS
            assert set(f) - set(FINDING_KEYS) <= EXTRA_FINDING_KEYS
            assert f["severity"] in ("error", "warning")
            assert f["path"] is None or isinstance(f["path"], str)
    example = data["cases"][0]
    assert (example["case"], example["form"], example["status"]) == (
        "XH-2022-001",
        "bj-ipcluster-2022",
        "submitted",
    )
    assert example["findings"][0] == {
        "rule": "ANNEX1.EVIDENCE",
        "severity": "warning",
        "path": "annex1[2].evidence",
        "message": example["findings"][0]["message"],
        "waived_by": None,
    }
    waived = data["cases"][2]["findings"][0]
    assert waived["waived_by"] == "li.wei" and "特色模式" in waived["waiver_reason"]
    broken = data["cases"][3]
    assert (broken["status"], broken["form"]) == (None, None)
    assert broken["findings"][0]["line"] == 17 and broken["findings"][0]["column"] == 37


def test_text_names_each_finding_at_its_field(samples_repo: Path) -> None:
    result = validate(samples_repo, "XH-2022-002", "--today", "2026-11-27")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("XH-2022-002  [draft]  6 个错误，8 个警告")
    patent = next(line for line in lines if "ID.PATENT_CHECK" in line)
    assert re.search(
        r"错误\s+ID\.PATENT_CHECK\s+annex1\[2\]\.patent_no\s+附件1 第2行 专利号", patent
    )
    assert "应为 1" in patent
    assert lines[-1] == "1 个案卷：6 个错误，8 个警告"


def test_exit_codes(cases_repo: Path, samples_repo: Path) -> None:
    assert validate(cases_repo).returncode == 0  # warnings only
    assert validate(samples_repo, "XH-2022-001", "XH-2022-003").returncode == 0
    assert validate(samples_repo, "XH-2022-001", "XH-2022-004").returncode == 1
    assert validate(samples_repo).returncode == 1
    assert validate(samples_repo, "XH-2022-404").returncode == 2


def test_all_cases_in_name_order_or_the_named_ones(samples_repo: Path) -> None:
    shutil.copytree(samples_repo / "XH-2022-003", samples_repo / "AB-2022-009")
    every = as_json(validate(samples_repo, "--format", "json"))
    assert [c["case"] for c in every["cases"]] == [
        "AB-2022-009",
        "XH-2022-001",
        "XH-2022-002",
        "XH-2022-003",
        "XH-2022-004",
    ]
    named = as_json(validate(samples_repo, "XH-2022-003", "XH-2022-001", "--format", "json"))
    assert [c["case"] for c in named["cases"]] == ["XH-2022-003", "XH-2022-001"]


def test_today_moves_the_date_rules(cases_repo: Path) -> None:
    later = as_json(validate(cases_repo, "--format", "json", "--today", "2026-11-27"))
    assert later["cases"][0]["errors"] == 0
    result = validate(cases_repo, "--format", "json", "--today", "2021-12-01")
    assert result.returncode == 1
    found = {(f["rule"], f["path"]) for f in as_json(result)["cases"][0]["findings"]}
    assert ("ANNEX1.DATE", "annex1[4].date") in found  # 2021-12-09
    assert ("ANNEX1.DATE", "annex1[3].date") not in found  # 2021-11-23
    assert ("ANNEX2.DATE", "annex2[2].grant_date") in found  # 2022-01-14


def test_bad_today_is_refused(cases_repo: Path) -> None:
    result = validate(cases_repo, "--today", "27.11.2026")
    assert result.returncode == 2
    assert "YYYY-MM-DD" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("case_id", "says"),
    [
        ("XH-2022-404", "没有案卷"),
        ("..", "无效"),
        ("../cases", "无效"),
        ("XH/2022", "无效"),
        (".git", "以点开头"),
        ("XH 2022", "无效"),
        ("", "为空"),
    ],
)
def test_bad_case_ids_exit_2_and_write_nothing(cases_repo: Path, case_id: str, says: str) -> None:
    before = tree(cases_repo.parent)
    commands = [["validate", case_id], ["new", "XH-2022-005", "--from", case_id]]
    if says != "没有案卷":  # a well-formed new ID is simply created
        commands.append(["new", case_id])
    for command in commands:
        result = anjuan(*command, "--cases", str(cases_repo))
        assert result.returncode == 2, (command, result.stdout)
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"anjuan {command[0]}: ")
        assert says in result.stderr, result.stderr
    assert tree(cases_repo.parent) == before


def test_a_missing_cases_directory_is_exit_2(tmp_path: Path) -> None:
    result = validate(tmp_path / "nowhere")
    assert result.returncode == 2 and "anjuan init" in result.stderr


# --- bad files ------------------------------------------------------------------------------


def broken_case(cases: Path, raw: bytes) -> dict[str, Any]:
    folder = cases / "XH-2022-009"
    folder.mkdir()
    (folder / "case.toml").write_bytes(raw)
    result = validate(cases, "--format", "json")
    assert result.returncode == 1
    cases_json = {c["case"]: c for c in as_json(result)["cases"]}
    assert cases_json["XH-2022-001"]["errors"] == 0  # the other case is still checked
    case: dict[str, Any] = cases_json["XH-2022-009"]
    return case


def test_a_50_mb_file_is_a_finding_with_line_and_column(cases_repo: Path) -> None:
    line = b'overview = "' + b"x" * 1000 + b'"\n'
    case = broken_case(cases_repo, line * (50 * 1024 * 1024 // len(line) + 1))
    (f,) = case["findings"]
    assert f["rule"] == "TOML.PARSE" and f["line"] >= 1 and f["column"] >= 1
    assert "MB" in f["message"] and f"第{f['line']}行第{f['column']}列" in f["message"]


def test_a_binary_file_is_a_finding_with_line_and_column(cases_repo: Path) -> None:
    raw = (EXAMPLE / "attachments" / "2021-06-18-assignment.pdf").read_bytes() + bytes(range(256))
    (f,) = broken_case(cases_repo, raw)["findings"]
    assert (f["rule"], f["severity"], f["path"]) == ("TOML.PARSE", "error", None)
    assert f["line"] is not None and f["column"] is not None


@pytest.mark.parametrize(
    "raw",
    [
        b"a = " + b"[" * 10000 + b"]" * 10000 + b"\n",
        b"a = " + b"{b = " * 10000 + b"1" + b"}" * 10000 + b"\n",
        b"".join(b"[" + b".".join([b"t"] * n) + b"]\n" for n in range(1, 400)),
    ],
    ids=["arrays", "inline tables", "dotted tables"],
)
def test_deep_nesting_is_a_finding_not_a_crash(cases_repo: Path, raw: bytes) -> None:
    case = broken_case(cases_repo, raw)
    assert case["errors"] >= 1
    assert {f["rule"] for f in case["findings"]} <= {"TOML.PARSE", "FORM.UNKNOWN"}


def test_a_review_file_for_a_missing_case(cases_repo: Path) -> None:
    reviews = cases_repo / "XH-2022-404" / "reviews"
    reviews.mkdir(parents=True)
    (reviews / "li.wei.toml").write_text('decision = "recommend"\n', "utf-8")
    result = validate(cases_repo, "--format", "json")
    assert result.returncode == 1
    orphan = as_json(result)["cases"][1]
    assert orphan["case"] == "XH-2022-404"
    assert orphan["findings"][0]["rule"] == "TOML.PARSE"
    assert "anjuan new" in orphan["findings"][0]["message"]
    text = validate(cases_repo, "XH-2022-404")
    assert "XH-2022-404  [无法读取]" in text.stdout


# --- outside git ------------------------------------------------------------------------------


def test_outside_git_validate_reads_and_new_refuses(tmp_path: Path) -> None:
    cases = tmp_path / "plain"
    shutil.copytree(EXAMPLE, cases / "XH-2022-001")
    assert validate(cases).returncode == 0
    before = tree(tmp_path)
    result = anjuan("new", "XH-2022-002", "--cases", str(cases))
    assert result.returncode == 2
    assert "不在 git 仓库中" in result.stderr and "anjuan init" in result.stderr
    assert tree(tmp_path) == before


# --- init, new, and the hook, with no git identity anywhere ---------------------------------


def bare_env(home: Path) -> dict[str, str]:
    """A machine where git has no identity: empty HOME, no system config, no GIT_* names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "EMAIL"}
    home.mkdir(exist_ok=True)
    return {**env, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "XDG_CONFIG_HOME": str(home)}


def bare(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        env=bare_env(home),
    )


def last_commit(repo: Path, home: Path) -> tuple[str, str, list[str]]:
    out = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "core.quotePath=off",
            "log",
            "-1",
            "--format=%an%x00%B",
            "--name-only",
        ],
        capture_output=True,
        text=True,
        env=bare_env(home),
        check=True,
    ).stdout
    author, rest = out.split("\0", 1)
    message, _, names = rest.partition("\n\n\n") if "\n\n\n" in rest else (rest, "", "")
    return author, message, [n for n in names.splitlines() if n]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def new_repo(tmp_path: Path, home: Path) -> Path:
    repo = tmp_path / "cases"
    result = bare(home, "init", str(repo))
    assert result.returncode == 0, result.stderr
    return repo


def test_init_makes_a_repository_with_the_hook(new_repo: Path, home: Path) -> None:
    assert (new_repo / ".git").is_dir()
    hook = new_repo / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    assert "hook pre-commit" in hook.read_text("utf-8")
    again = bare(home, "init", str(new_repo))  # idempotent
    assert again.returncode == 0 and "已在 git 仓库" in again.stdout


def test_new_from_the_template_commits_with_every_key_labelled(new_repo: Path, home: Path) -> None:
    result = bare(home, "--cases", str(new_repo), "new", "XH-2022-010")
    assert result.returncode == 0, result.stderr
    author, message, files = last_commit(new_repo, home)
    assert author == pwd.getpwuid(os.getuid()).pw_name
    assert (
        "XH-2022-010" in message and f"Anjuan-Login: {pwd.getpwuid(os.getuid()).pw_name}" in message
    )
    assert files == ["XH-2022-010/case.toml"]
    text = (new_repo / "XH-2022-010" / "case.toml").read_text("utf-8")
    missing = unlabelled_keys(text)
    assert missing == []
    draft = as_json(validate(new_repo, "XH-2022-010", "--format", "json"))["cases"][0]
    assert draft["status"] == "draft"
    assert {f["rule"] for f in draft["findings"]} & {
        "SCHEMA.TYPE",
        "SCHEMA.ENUM",
        "PERIODS",
    } == set()


def unlabelled_keys(text: str) -> list[str]:
    """Keys of the form whose Chinese label is not the comment of their line in the file."""
    doc = tomlkit.parse(text)
    missing: list[str] = []

    def visit(node: dict[str, Any], table: Any, path: str) -> None:
        for key, child in node.get("properties", {}).items():
            where = f"{path}.{key}" if path else key
            is_rows = child.get("type") == "array" and child["items"].get("type") == "object"
            if is_rows and (table is None or key not in table):
                for sub, leaf in child["items"]["properties"].items():  # a commented example row
                    pattern = rf"(?m)^# {sub} = .*# {re.escape(leaf['title'])}$"
                    if not re.search(pattern, text):
                        missing.append(f"{where}[].{sub}")
            elif is_rows:
                visit(child["items"], table[key][0], f"{where}[1]")
            elif child.get("type") == "object":
                visit(child, table.get(key) if table is not None else None, where)
            elif key == "form":
                continue
            elif child.get("format") == "date" and (table is None or key not in table):
                # TOML has no empty date: an optional date is a commented example line
                pattern = rf"(?m)^# {key} = .*# {re.escape(child['title'])}$"
                if not re.search(pattern, text):
                    missing.append(where)
            else:
                item = table.item(key) if table is not None and key in table else None
                comment = item.trivia.comment if item is not None else ""
                if child["title"] not in comment:
                    missing.append(where)

    visit(FORM, doc, "")
    return missing


def test_new_from_a_case_copies_and_commits(samples_repo: Path, home: Path, tmp_path: Path) -> None:
    result = bare(
        home,
        "--cases",
        str(samples_repo),
        "new",
        "XH-2022-020",
        "--from",
        "XH-2022-003",
        "--as",
        "王芳",
    )
    assert result.returncode == 0, result.stderr
    assert "王芳" in result.stdout
    author, message, files = last_commit(samples_repo, home)
    assert author == "王芳"
    assert (
        f"Anjuan-Login: {pwd.getpwuid(os.getuid()).pw_name}" in message and "XH-2022-003" in message
    )
    assert sorted(files) == [
        "XH-2022-020/attachments/2021-10-15-转让登记.pdf",
        "XH-2022-020/attachments/2022-06-08-许可备案.pdf",
        "XH-2022-020/case.toml",
    ]
    source = (samples_repo / "XH-2022-003" / "case.toml").read_text("utf-8")
    copy = (samples_repo / "XH-2022-020" / "case.toml").read_text("utf-8")
    assert 'status = "draft"' in copy and 'acceptance_no = ""' in copy
    changed = [a for a, b in zip(source.splitlines(), copy.splitlines(), strict=True) if a != b]
    assert len(changed) == 2  # the status and the acceptance number; comments and layout kept
    assert not (samples_repo / "XH-2022-020" / "reviews").exists()  # reviews stay with the original
    assert git(samples_repo, "status", "--porcelain").stdout == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["new", "XH-2022-001"], "已存在"),
        (["new", "XH-2022-030", "--from", "XH-2022-404"], "没有案卷"),
        (["new", "XH-2022-030", "--from", "XH-2022-004"], "第17行第37列"),
        (["new", "XH-2022-030", "--form", "bj-ipcluster-2099"], "bj-ipcluster-2022"),
    ],
)
def test_new_refusals_write_nothing(
    samples_repo: Path, home: Path, args: list[str], says: str
) -> None:
    before = tree(samples_repo)
    result = bare(home, "--cases", str(samples_repo), *args)
    assert result.returncode == 2, result.stdout
    assert says in result.stderr and "Traceback" not in result.stderr
    assert tree(samples_repo) == before


# --- the pre-commit hook: plain git commits are checked too -----------------------------------


def commit(repo: Path, message: str) -> subprocess.CompletedProcess[str]:
    git(repo, "add", "-A")
    return git(repo, "commit", "-q", "-m", message, check=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_hook_refuses_errors_and_lets_warnings_pass(new_repo: Path) -> None:
    shutil.copytree(EXAMPLE, new_repo / "XH-2022-001")  # submitted, warnings only
    ok = commit(new_repo, "example")
    assert ok.returncode == 0, ok.stderr
    assert "ANNEX1.EVIDENCE" in ok.stdout + ok.stderr  # warnings are shown, and pass

    case = new_repo / "XH-2022-001" / "case.toml"
    edit(case, 'mobile = "13801234567"', 'mobile = "1380123456"')
    refused = commit(new_repo, "bad mobile")
    assert refused.returncode != 0
    assert "ID.MOBILE" in refused.stdout + refused.stderr and "提交被拒绝" in refused.stderr
    assert git(new_repo, "log", "-1", "--format=%s").stdout.strip() == "example"

    edit(case, 'mobile = "1380123456"', 'mobile = "13801234567"')
    edit(case, "info_pushes = 1200", "info_pushes = 1100")
    assert commit(new_repo, "fine").returncode == 0


def test_hook_in_a_draft_refuses_only_what_makes_the_file_unreadable(new_repo: Path) -> None:
    shutil.copytree(SAMPLES / "XH-2022-002", new_repo / "XH-2022-002")  # draft with errors
    assert commit(new_repo, "draft").returncode == 0
    case = new_repo / "XH-2022-002" / "case.toml"
    edit(case, "enterprises = 95", 'enterprises = "95"')  # SCHEMA.TYPE
    refused = commit(new_repo, "typed")
    assert refused.returncode != 0 and "SCHEMA.TYPE" in refused.stdout + refused.stderr
    edit(case, 'enterprises = "95"', "enterprises = 95 96")  # TOML.PARSE
    assert commit(new_repo, "broken").returncode != 0
    edit(case, "enterprises = 95 96", "enterprises = 95")
    edit(case, 'landline = "010-85671235转808"', 'landline = "85671235"')  # ID.LANDLINE: an error
    passed = commit(new_repo, "a draft may hold errors")
    assert passed.returncode == 0 and "ID.LANDLINE" in passed.stdout + passed.stderr


def test_hook_checks_the_staged_content_not_the_working_file(new_repo: Path) -> None:
    shutil.copytree(EXAMPLE, new_repo / "XH-2022-001")
    assert commit(new_repo, "example").returncode == 0
    case = new_repo / "XH-2022-001" / "case.toml"
    edit(case, 'postcode = "100085"', 'postcode = "1000"')
    git(new_repo, "add", "-A")
    edit(case, 'postcode = "1000"', 'postcode = "100085"')  # fixed on disk, not staged
    refused = git(new_repo, "commit", "-q", "-m", "staged bad", check=False)
    assert refused.returncode != 0 and "ID.POSTCODE" in refused.stdout + refused.stderr


def test_hook_leaving_draft_needs_zero_errors(new_repo: Path) -> None:
    shutil.copytree(SAMPLES / "XH-2022-002", new_repo / "XH-2022-002")  # draft with errors
    assert commit(new_repo, "draft").returncode == 0
    case = new_repo / "XH-2022-002" / "case.toml"
    edit(case, 'status = "draft"', 'status = "submitted"')
    refused = commit(new_repo, "submit")
    assert refused.returncode != 0
    assert "TARGET.INFO_PUSHES" in refused.stdout + refused.stderr


def test_hook_past_draft_errors_can_be_fixed_one_at_a_time(new_repo: Path) -> None:
    shutil.copytree(EXAMPLE, new_repo / "XH-2022-001")
    case = new_repo / "XH-2022-001" / "case.toml"
    edit(case, 'mobile = "13801234567"', 'mobile = "1380123456"')
    edit(case, 'postcode = "100085"', 'postcode = "1000"')
    git(new_repo, "add", "-A")
    git(new_repo, "commit", "-q", "--no-verify", "-m", "imported with two errors")
    edit(case, 'postcode = "1000"', 'postcode = "100085"')
    fixed_one = commit(new_repo, "fix the postcode")
    assert fixed_one.returncode == 0, fixed_one.stderr  # the mobile's error was there before
    edit(case, 'email = "ip@xinghe-park.example.cn"', 'email = "ip@xinghe"')
    refused = commit(new_repo, "a new error")
    assert refused.returncode != 0 and "ID.EMAIL" in refused.stdout + refused.stderr
