"""Issue 11 item 8: other ways to lose or break work (concurrent ``set``, hand edits during a
save, sizes the reader refuses, restore as the repair tool, the gate and ``--today``, export
targets, imports that drop rows, arguments that crash, a full disk, HTML in exports)."""

from __future__ import annotations

import csv
import errno
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import GIT_ENV, ROOT, anjuan, git

from tui.core.case import read_case
from tui.core.edit import apply_changes
from tui.core.store import ConflictError, StoreError, atomic_write, update_case

CID = "XH-2022-001"


def count_commits(cases: Path) -> int:
    return int(git(cases, "rev-list", "--count", "HEAD").stdout)


# --- several people run ``set`` on one case ------------------------------------------------

SET_LOOP = """
import subprocess, sys
cases, cid, field, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for i in range(count):
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--cases", cases, "set", cid, field, f'"{field}-{i}"'],
        capture_output=True, text=True,
    )
    print(done.returncode, repr(done.stderr.strip()), flush=True)
"""

FIELDS = [
    "applicant.lead.title",
    "applicant.contact.name",
    "applicant.legal_rep",
    "applicant.park_name",
]


def test_set_from_several_people_on_one_case_queues_and_every_save_commits(
    cases_repo: Path,
) -> None:
    """Saves of different fields of one case never refuse each other: each ``set`` reads the
    file under the lock, so it queues behind the others (README: saves queue)."""
    count = 5
    before = count_commits(cases_repo)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SET_LOOP, str(cases_repo), CID, field, str(count)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, **GIT_ENV},
        )
        for field in FIELDS
    ]
    outcomes = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
        outcomes += stdout.splitlines()
    refused = [line for line in outcomes if not line.startswith("0 ")]
    assert refused == []
    assert count_commits(cases_repo) == before + count * len(FIELDS)
    data = read_case(cases_repo / CID, CID).data
    assert data is not None
    for field in FIELDS:
        section, *rest = field.split(".")
        node = data[section]
        for key in rest:
            node = node[key]
        assert node == f"{field}-{count - 1}"


# --- a hand edit appended while ``set`` saves ---------------------------------------------

APPENDER = """
import sys, time
path, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    with open(path, "a") as fh:
        fh.write(f"# 手工备注 {i}\\n")
    time.sleep(0.02)
print("done", flush=True)
"""


def test_a_hand_edit_appended_while_saves_run_is_never_lost(cases_repo: Path) -> None:
    """``echo >> case.toml`` during saves: every appended line is in the file at the end
    (each save either replaced the very bytes it read, or left the file with the edit)."""
    path = cases_repo / CID / "case.toml"
    marks = 200
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(path), str(marks)],
        stdout=subprocess.PIPE,
        text=True,
    )
    saved, refused, last = 0, 0, None
    while appender.poll() is None:
        value = 1000 + saved + refused
        try:
            update_case(
                cases_repo,
                CID,
                lambda data, v=value: apply_changes(data, {"targets.info_pushes": v}),
                today=date(2022, 10, 1),
            )
        except ConflictError as exc:  # refused, the file left with the hand edit
            assert "被修改" in str(exc)
            refused += 1
        else:
            saved, last = saved + 1, value
    assert appender.wait() == 0
    assert saved > 0
    text = path.read_text(encoding="utf-8")
    missing = [i for i in range(marks) if f"# 手工备注 {i}\n" not in text]
    assert missing == []
    assert read_case(cases_repo / CID, CID).data["targets"]["info_pushes"] == last


# --- nothing is written that the product could not open again ------------------------------


def test_an_import_that_would_pass_the_readers_size_limit_is_refused_before_writing(
    samples_repo: Path, tmp_path: Path
) -> None:
    cid = "XH-2022-002"
    path = samples_repo / cid / "case.toml"
    before, commits = path.read_bytes(), count_commits(samples_repo)
    sheet = tmp_path / "big.csv"
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        money = ["合同额（元）", "实际到账（元）", "合同涉及专利金额（元）"]
        writer.writerow(["登记/备案时间", "专利号", "转化方式", "供给方", "接受方", *money])
        for i in range(200):
            supplier = f"大学{i}" + "甲" * 15000
            writer.writerow(["2021-06-18", "ZL201911034521.8", "转让", supplier, "公司", 1, 1, 1])
    done = anjuan("--cases", str(samples_repo), "import", cid, "annex1", str(sheet), cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert "超过案卷文件的上限 8 MB" in done.stderr
    assert path.read_bytes() == before
    assert count_commits(samples_repo) == commits
    assert read_case(samples_repo / cid, cid).data is not None


def test_a_save_of_a_case_larger_than_the_reader_opens_is_refused(cases_repo: Path) -> None:
    path = cases_repo / CID / "case.toml"
    before = path.read_bytes()
    with pytest.raises(StoreError, match="上限 8 MB"):
        update_case(
            cases_repo,
            CID,
            lambda data: apply_changes(data, {"applicant.overview": "概" * (3 * 1024 * 1024)}),
        )
    assert path.read_bytes() == before


# --- restore is the repair tool, and never reverts an edit that is in no commit -----------


def run(cases: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return anjuan("--cases", str(cases), *args, cwd=ROOT, env=GIT_ENV)


def test_restore_repairs_a_case_whose_current_file_does_not_parse(cases_repo: Path) -> None:
    path = cases_repo / CID / "case.toml"
    good = path.read_bytes()
    broken = good + b"\n[applicant\nname = \n"
    path.write_bytes(broken)
    commits = count_commits(cases_repo)
    done = run(cases_repo, "restore", CID, "HEAD")
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == good
    assert read_case(cases_repo / CID, CID).data is not None
    # the broken hand edit is kept in history, in a commit of its own, before the restore
    assert count_commits(cases_repo) == commits + 2
    kept = git(cases_repo, "show", f"HEAD~1:{CID}/case.toml").stdout.encode()
    assert kept == broken
    assert "单独提交" in done.stderr
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_restore_repairs_a_broken_file_that_was_committed(cases_repo: Path) -> None:
    path = cases_repo / CID / "case.toml"
    good = path.read_bytes()
    path.write_bytes(b"form = \n")
    git(cases_repo, "commit", "-qam", "broken by hand", "--no-verify")
    done = run(cases_repo, "restore", CID, "HEAD~1")
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == good
    assert "整个替换" in done.stderr


def test_restore_over_an_uncommitted_hand_edit_keeps_it_in_its_own_commit(
    cases_repo: Path,
) -> None:
    assert run(cases_repo, "set", CID, "applicant.legal_rep", '"王五"').returncode == 0
    path = cases_repo / CID / "case.toml"
    text = path.read_text(encoding="utf-8").replace('name = "陈晓"', 'name = "陈晓明"')
    path.write_text(text, encoding="utf-8")
    done = run(cases_repo, "restore", CID, "HEAD~1")
    assert done.returncode == 0, done.stderr
    restored = read_case(cases_repo / CID, CID).data
    assert restored is not None
    assert restored["applicant"]["legal_rep"] == "周明远"
    # the restore commit says what it did and claims no hand edit it reverted ...
    message = git(cases_repo, "log", "-1", "--format=%B").stdout
    assert "恢复到" in message and "未提交的修改" not in message
    # ... and the hand edit is in the commit before it, where restore can bring it back
    before = git(cases_repo, "show", f"HEAD~1:{CID}/case.toml").stdout
    assert 'name = "陈晓明"' in before
    assert "未提交的修改" in git(cases_repo, "log", "-1", "--format=%B", "HEAD~1").stdout
    assert "单独提交" in done.stderr


# --- the gate is not moved by --today -------------------------------------------------------


def test_today_cannot_let_a_submitted_case_take_a_new_error(cases_repo: Path) -> None:
    path = cases_repo / CID / "case.toml"
    before, commits = path.read_bytes(), count_commits(cases_repo)
    future = date.today().replace(year=date.today().year + 50).isoformat()
    done = run(cases_repo, "set", CID, "annex1[1].date", future, "--today", "2199-01-01")
    assert done.returncode == 2, done.stdout
    assert "ANNEX1.DATE" in done.stderr and "晚于今天" in done.stderr
    assert path.read_bytes() == before
    assert count_commits(cases_repo) == commits


# --- exports a web viewer renders carry no live HTML ---------------------------------------

SCRIPT = "<script>alert('x')</script>"


@pytest.mark.parametrize(
    "fmt",
    [
        "github",
        "pipe",
        "jira",
        "textile",
        "mediawiki",
        "moinmoin",
        "youtrack",
        "html",
        "unsafehtml",
    ],
)
def test_html_in_a_case_is_escaped_in_formats_a_web_viewer_renders(
    cases_repo: Path, fmt: str
) -> None:
    changes = {
        "applicant.name": SCRIPT,
        "applicant.overview": f"概况{SCRIPT}",
        "annex1[1].supplier": f"大学 & {SCRIPT}",
    }
    path = cases_repo / CID / "case.toml"
    path.write_text(apply_and_render(path.read_text(encoding="utf-8"), changes), encoding="utf-8")
    for table in ("annex1", "all"):
        done = run(cases_repo, "export", CID, table, "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert "<script" not in done.stdout
        assert "&lt;script&gt;" in done.stdout


def test_a_markdown_export_shows_a_script_as_text_when_rendered(cases_repo: Path) -> None:
    from markdown_it import MarkdownIt

    path = cases_repo / CID / "case.toml"
    changes = {"applicant.overview": SCRIPT, "annex1[1].supplier": SCRIPT}
    path.write_text(apply_and_render(path.read_text(encoding="utf-8"), changes), encoding="utf-8")
    done = run(cases_repo, "export", CID, "all", "--format", "github")
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(done.stdout)
    assert "<script" not in page
    assert "&lt;script&gt;" in page


def apply_and_render(text: str, changes: dict[str, str]) -> str:
    import tomllib

    from tui.core.edit import diff_data, render_checked

    old = tomllib.loads(text)
    new = apply_changes(old, changes)
    return render_checked(text, old, new, diff_data(old, new))[0]


# --- export writes nowhere it must not -----------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [f"{CID}/case.toml", f"{CID}/attachments/new.txt", ".git/config", ".git/HEAD", "notes.txt"],
)
def test_export_refuses_to_write_into_the_cases_repositorys_data(
    cases_repo: Path, target: str
) -> None:
    (cases_repo / "notes.txt").write_text("办公室的备注\n", encoding="utf-8")
    git(cases_repo, "add", "notes.txt")
    git(cases_repo, "commit", "-qm", "notes")
    path = cases_repo / target
    before = path.read_bytes() if path.exists() else None
    done = run(cases_repo, "export", CID, "annex1", "--format", "csv", "-o", str(path))
    assert done.returncode == 2
    assert "不能写入" in done.stderr and "案卷仓库" in done.stderr and "请写到" in done.stderr
    assert (path.read_bytes() if path.exists() else None) == before
    assert git(cases_repo, "status", "--porcelain").stdout == ""


def test_export_may_write_a_new_file_at_the_top_of_the_cases_repository(cases_repo: Path) -> None:
    done = run(cases_repo, "summary", "--format", "csv", "-o", str(cases_repo / "summary.csv"))
    assert done.returncode == 0, done.stderr
    assert "合计" in (cases_repo / "summary.csv").read_text(encoding="utf-8-sig")


def test_export_into_a_fifo_writes_through_it_and_leaves_the_fifo(
    cases_repo: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        done = run(cases_repo, "export", CID, "annex1", "--format", "csv", "-o", str(fifo))
        received = reader.communicate(timeout=30)[0].decode("utf-8-sig")
    finally:
        reader.kill()
        reader.wait()
    assert done.returncode == 0, done.stderr
    assert "ZL201911034521.8" in received
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".pipe")] == []


def test_atomic_write_writes_into_a_character_device_instead_of_replacing_it(
    tmp_path: Path,
) -> None:
    """A device node made in tmp_path (so a wrong atomic_write can only break this one), else
    (without the right to make one) /dev/full: a write reaches the device and fails there."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        node = Path("/dev/full")
        with pytest.raises(OSError) as raised:
            atomic_write(node, b"x" * 10)
        assert raised.value.errno == errno.ENOSPC
    else:
        atomic_write(node, "导出\n".encode())
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_export_to_dev_null_leaves_the_device(cases_repo: Path) -> None:
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    done = run(cases_repo, "export", CID, "annex1", "--format", "csv", "-o", "/dev/null")
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


# --- an import reads every row, and every merged cell's value ------------------------------

ANNEX1_COLUMNS = ["序号", "登记/备案时间", "专利号", "转化方式", "供给方", "接受方"]
MONEY = ["合同额（元）", "实际到账（元）", "合同涉及专利金额（元）"]


PATENTS = {1: "ZL202310138721.8", 2: "ZL202310138722.2", 3: "ZL202310138723.7"}


def _deal(n: int, supplier: str | None = "北京甲大学") -> list[object]:
    return [n, f"2022-0{n}-18", PATENTS[n], "转让", supplier, f"北京乙{n}公司", 100, 100, 100]


def _import_xlsx(
    samples_repo: Path, tmp_path: Path, rows: list[list[object]], merges: list[str] = ()
) -> subprocess.CompletedProcess[str]:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([*ANNEX1_COLUMNS, *MONEY])
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    source = tmp_path / "deals.xlsx"
    wb.save(source)
    return run(samples_repo, "import", "XH-2022-002", "annex1", str(source))


def _annex1(samples_repo: Path) -> list[dict[str, object]]:
    data = read_case(samples_repo / "XH-2022-002", "XH-2022-002").data
    assert data is not None
    return list(data["annex1"])


def test_rows_after_a_total_row_are_imported_and_the_total_row_is_skipped_with_a_notice(
    samples_repo: Path, tmp_path: Path
) -> None:
    before = len(_annex1(samples_repo))
    rows = [_deal(1), _deal(2), ["合计", None, None, None, None, None, 200, 200, 200], _deal(3)]
    done = _import_xlsx(samples_repo, tmp_path, rows, ["A4:F4"])
    assert done.returncode == 0, done.stderr
    assert "第4行是合计行，已跳过" in done.stderr
    after = _annex1(samples_repo)
    assert len(after) == before + 3
    assert after[-1]["recipient"] == "北京乙3公司"


def test_a_supplier_merged_down_three_rows_is_read_into_each_row(
    samples_repo: Path, tmp_path: Path
) -> None:
    rows = [_deal(1, "北京某理工大学"), _deal(2, None), _deal(3, None)]
    done = _import_xlsx(samples_repo, tmp_path, rows, ["E2:E4"])
    assert done.returncode == 0, done.stderr
    assert "合并单元格" in done.stderr and "已用于这 3 行" in done.stderr
    assert [r["supplier"] for r in _annex1(samples_repo)[-3:]] == ["北京某理工大学"] * 3


def test_a_cell_merged_across_columns_is_refused_and_nothing_changes(
    samples_repo: Path, tmp_path: Path
) -> None:
    path = samples_repo / "XH-2022-002" / "case.toml"
    before, commits = path.read_bytes(), count_commits(samples_repo)
    rows = [_deal(1), _deal(2)]
    done = _import_xlsx(samples_repo, tmp_path, rows, ["E3:F3"])
    assert done.returncode == 2
    assert "第3–3行的合并单元格跨了多列" in done.stderr and "取消合并" in done.stderr
    assert path.read_bytes() == before and count_commits(samples_repo) == commits


# --- arguments that used to crash ------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["set", CID, "applicant.name", b"\xff\xfe".decode("utf-8", "surrogateescape")],
        [
            "set",
            CID,
            "applicant.name",
            '"x"',
            "--reason",
            b"\xe4\xb8".decode("utf-8", "surrogateescape"),
        ],
        ["validate", b"XH-2022-\xff".decode("utf-8", "surrogateescape")],
    ],
    ids=["value", "reason", "case-id"],
)
def test_an_argument_that_is_not_utf8_is_refused_with_exit_2(
    cases_repo: Path, args: list[str]
) -> None:
    path = cases_repo / CID / "case.toml"
    before, commits = path.read_bytes(), count_commits(cases_repo)
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--cases", str(cases_repo), *args],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **GIT_ENV},
    )
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2, err
    assert "不是有效的 UTF-8" in err and "Traceback" not in err
    assert path.read_bytes() == before and count_commits(cases_repo) == commits


@pytest.mark.parametrize(
    "value",
    ["[" * 2000 + "]" * 2000, "{a=" * 2000 + "1" + "}" * 2000, "[" * 40 + "]" * 40],
    ids=["lists-2000", "tables-2000", "lists-40"],
)
def test_a_value_nested_too_deep_is_refused_with_exit_2(cases_repo: Path, value: str) -> None:
    path = cases_repo / CID / "case.toml"
    before = path.read_bytes()
    done = run(cases_repo, "set", CID, "applicant.name", value)
    assert done.returncode == 2, done.stderr
    assert "超过 16 层" in done.stderr and "Traceback" not in done.stderr
    assert path.read_bytes() == before
