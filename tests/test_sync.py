"""``anjuan sync`` between machines: a bare remote and clones in tmp_path, the real command."""

from __future__ import annotations

import fcntl
import os
from decimal import Decimal
from pathlib import Path

from conftest import anjuan, git
from sync_helpers import CASE, Machine, fsck_clean, mobile_and_row_conflict, office

ROW3 = 'patent_no = "ZL201821453327.4"\nmethod = "许可"'
ROW7_CONTRACT = "contract_yuan = 80000"


def converged(remote: Path, *machines: Machine) -> None:
    """Every machine syncs once more; all end on the remote's commit with clean repositories."""
    for m in machines:
        done = m.sync()
        assert done.returncode == 0, done.stdout + done.stderr
    tip = git(remote, "rev-parse", "HEAD").stdout.strip()
    for m in machines:
        assert m.head() == tip
        assert m.clean()
        assert not (m.path / ".git" / "MERGE_HEAD").exists()
        assert fsck_clean(m.path)
    assert fsck_clean(remote)


def test_edits_to_different_fields_merge_and_keep_comments(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    a.edit('mobile = "13801234567"', 'mobile = "13801239999"')
    a.commit("a: lead mobile")
    assert a.sync().returncode == 0
    # Adjacent line in the same table: a line merge would call this a conflict.
    b.edit('landline = "010-62345678"', 'landline = "010-62340000"')
    b.edit('name = "陈晓"', 'name = "陈晓明"')
    b.commit("b: lead landline, contact name")
    done = b.sync()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已合并" in done.stdout
    converged(remote, a, b)
    for m in (a, b):
        data = m.data()
        assert data["applicant"]["lead"]["mobile"] == "13801239999"
        assert data["applicant"]["lead"]["landline"] == "010-62340000"
        assert data["applicant"]["contact"]["name"] == "陈晓明"
        assert 'mobile = "13801239999"              # 手机' in m.text()
        assert m.text().startswith("#:schema ../../schema/bj-ipcluster-2022.schema.json\n")
    log = git(b.path, "log", "-1", "--format=%an%n%B").stdout
    assert log.startswith("b\n") and "Anjuan-Login:" in log


def test_edits_to_different_rows_merge(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    a.edit(
        ROW3 + '\nsupplier = "北京某工业大学"', ROW3 + '\nsupplier = "北京某工业大学技术转移中心"'
    )
    a.commit("a: annex1 row 3 supplier")
    b.edit(ROW7_CONTRACT, "contract_yuan = 85000")
    b.commit("b: annex1 row 7 contract")
    assert a.sync().returncode == 0
    done = b.sync()
    assert done.returncode == 0, done.stdout + done.stderr
    converged(remote, a, b)
    rows = a.data()["annex1"]
    assert rows[2]["supplier"] == "北京某工业大学技术转移中心"
    assert rows[6]["contract_yuan"] == 85000
    assert a.text() == b.text()


NEW_ROW = """
[[annex1]]
date = {day}
patent_no = "{no}"
method = "许可"
supplier = "北京某大学"
recipient = "北京某公司"
contract_yuan = 50000
received_yuan = 50000
patent_amount_yuan = 50000
evidence = []
"""


def append_annex1_row(m: Machine, day: str, no: str) -> None:
    text = m.text()
    at = text.index("[[annex2]]")
    m.write(
        f"{CASE}/case.toml", text[:at] + NEW_ROW.format(day=day, no=no).lstrip() + "\n" + text[at:]
    )


def test_rows_appended_on_both_sides_are_all_kept(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    before = len(a.data()["annex1"])
    append_annex1_row(a, "2022-08-01", "ZL202210000001.1")
    a.commit("a: annex1 new row")
    append_annex1_row(b, "2022-08-02", "ZL202210000002.2")
    b.commit("b: annex1 new row")
    assert a.sync().returncode == 0
    done = b.sync()
    assert done.returncode == 0, done.stdout + done.stderr
    converged(remote, a, b)
    numbers = [r["patent_no"] for r in a.data()["annex1"]]
    assert len(numbers) == before + 2
    assert numbers[-2:] == ["ZL202210000001.1", "ZL202210000002.2"]
    assert a.data()["annex2"] == b.data()["annex2"] and len(a.data()["annex2"]) == 3


def test_same_field_both_sides_is_one_conflict_and_nothing_is_half_merged(tmp_path: Path) -> None:
    remote, a, b = mobile_and_row_conflict(tmp_path)
    b_head, b_text = b.head(), b.text()

    done = b.sync()
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"[1] {CASE}/case.toml:applicant.lead.mobile（待选）  项目负责人 手机" in done.stdout
    assert '本地 ours:   "13801230002"' in done.stdout
    assert '远端 theirs: "13801230001"' in done.stdout
    assert '原值 base:   "13801234567"' in done.stdout
    assert "contact" not in done.stdout  # the other edit merged cleanly, no conflict about it
    # Nothing committed, nothing half-merged, the file as the person left it.
    assert b.head() == b_head and b.text() == b_text and b.clean()
    assert not (b.path / ".git" / "MERGE_HEAD").exists()
    assert git(b.path, "ls-files", "-u").stdout == ""
    listed = b.sync("--list")
    assert listed.returncode == 1 and "applicant.lead.mobile" in listed.stdout

    done = b.sync("--take", "theirs", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        f"[2] {CASE}/case.toml:annex1[2].received_yuan（待选）  附件1 第2行 实际到账（元）"
        in done.stdout
    )
    assert "[1]" not in done.stdout and b.head() == b_head

    done = b.sync("--take", "ours", f"{CASE}/case.toml:annex1[2].received_yuan")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "取 theirs" in done.stdout and "取 ours" in done.stdout
    body = git(b.path, "log", "-1", "--format=%B").stdout
    assert "applicant.lead.mobile 取 theirs" in body and "Anjuan-Login:" in body
    assert "annex1[2].received_yuan 取 ours：130000" in body
    assert len(git(b.path, "log", "-1", "--format=%P").stdout.split()) == 2
    converged(remote, a, b)
    expected = b_text.replace('mobile = "13801230002"', 'mobile = "13801230001"')
    assert b.text() == expected.replace('name = "陈晓"', 'name = "陈晓红"')  # byte for byte
    for m in (a, b):
        assert m.data()["applicant"]["lead"]["mobile"] == "13801230001"
        assert m.data()["applicant"]["contact"]["name"] == "陈晓红"
        assert m.data()["annex1"][1]["received_yuan"] == 130000
    assert b.sync("--list").stdout.strip() == "没有待解决的同步冲突"


def test_deleted_row_against_edited_row_is_a_conflict(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    text = a.text()
    start = text.index("[[annex1]]\ndate = 2021-11-23")
    end = text.index("[[annex1]]", start + 1)
    a.write(f"{CASE}/case.toml", text[:start] + text[end:])
    a.commit("a: delete annex1 row 3")
    assert a.sync().returncode == 0
    b.edit(ROW3 + '\nsupplier = "北京某工业大学"', ROW3 + '\nsupplier = "北京工业大学"')
    b.edit(ROW7_CONTRACT, "contract_yuan = 81000")
    b.commit("b: edit annex1 row 3 and 7")

    done = b.sync()
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{CASE}/case.toml:annex1[3]（待选）  附件1 第3行" in done.stdout
    assert "远端 theirs: （无）" in done.stdout
    assert b.clean()
    done = b.sync("--take", "ours")  # keep the edited row
    assert done.returncode == 0, done.stdout + done.stderr
    converged(remote, a, b)
    rows = a.data()["annex1"]
    assert len(rows) == 7
    assert rows[2]["supplier"] == "北京工业大学"
    assert rows[6]["contract_yuan"] == 81000


REVIEW = """reviewer = "{name}"
decision = "{decision}"
score = {score}
summary = "{summary}"
"""


def test_review_files_from_two_reviewers_and_one_reviewer_on_two_machines(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    rel = f"{CASE}/reviews/li.wei.toml"
    a.write(rel, REVIEW.format(name="li.wei", decision="", score=70, summary="初审"))
    a.commit("li.wei: review")
    assert a.sync().returncode == 0
    assert b.sync().returncode == 0
    # li.wei works on both machines; wang.fang reviews on b.
    a.edit("score = 70", "score = 82", rel)
    a.write(
        rel,
        (a.path / rel).read_text(encoding="utf-8")
        + '\n[[notes]]\nat = 2026-11-20T10:12:00+08:00\npath = "annex1[5].received_yuan"\n'
        'text = "到账金额待核实"\nresolved = false\n',
    )
    a.commit("li.wei: score, note")
    b.edit('decision = ""', 'decision = "recommend"', rel)
    b.write(
        rel,
        (b.path / rel).read_text(encoding="utf-8")
        + '\n[[notes]]\nat = 2026-11-21T09:00:00+08:00\ntext = "需求库覆盖面好"\n'
        '\n[[waivers]]\nrule = "ELIG.ENTERPRISES"\nreason = "特色模式园区"\n',
    )
    b.write(
        f"{CASE}/reviews/wang.fang.toml",
        REVIEW.format(name="wang.fang", decision="revise", score=60, summary="需补材料"),
    )
    b.commit("li.wei on b, wang.fang")
    assert a.sync().returncode == 0
    done = b.sync()
    assert done.returncode == 0, done.stdout + done.stderr
    converged(remote, a, b)
    li = a.data(rel)
    assert (li["score"], li["decision"]) == (82, "recommend")
    assert [n["text"] for n in li["notes"]] == ["到账金额待核实", "需求库覆盖面好"]
    assert li["waivers"][0]["rule"] == "ELIG.ENTERPRISES"
    assert a.data(f"{CASE}/reviews/wang.fang.toml")["decision"] == "revise"


def test_plain_git_pull_uses_the_field_merge(tmp_path: Path) -> None:
    _remote, (a, b) = office(tmp_path, "a", "b")
    attributes = (b.path / ".git" / "info" / "attributes").read_text(encoding="utf-8")
    assert "*/case.toml merge=anjuan" in attributes
    assert "*/reviews/*.toml merge=anjuan" in attributes
    assert "tui.cli merge-driver %O %A %B %P" in git(b.path, "config", "merge.anjuan.driver").stdout
    append_annex1_row(a, "2022-08-01", "ZL202210000001.1")
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.commit("a")
    git(a.path, "push", "-q", "origin", "HEAD")
    append_annex1_row(b, "2022-08-02", "ZL202210000002.2")
    b.edit('landline = "010-62345678"', 'landline = "010-62340000"')
    b.commit("b")
    done = git(b.path, "pull", "-q", "--no-rebase", "--no-edit", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    data = b.data()
    assert data["applicant"]["lead"]["mobile"] == "13801230001"
    assert data["applicant"]["lead"]["landline"] == "010-62340000"
    assert [r["patent_no"] for r in data["annex1"]][-2:] == ["ZL202210000001.1", "ZL202210000002.2"]
    assert b.clean() and fsck_clean(b.path)


def test_plain_git_merge_marks_only_the_conflicting_field(tmp_path: Path) -> None:
    _remote, (a, b) = office(tmp_path, "a", "b")
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.edit("received_yuan = 150000", "received_yuan = 140000")
    a.commit("a")
    git(a.path, "push", "-q", "origin", "HEAD")
    b.edit('mobile = "13801234567"', 'mobile = "13801230002"')
    b.commit("b")
    done = git(b.path, "pull", "-q", "--no-rebase", "--no-edit", check=False)
    assert done.returncode != 0
    text = b.text()
    assert text.count("<<<<<<<") == 1
    block = text[text.index("<<<<<<<") : text.index(">>>>>>>")]
    assert '"13801230002"' in block and '"13801230001"' in block
    assert "received_yuan = 140000" in text  # the clean change is in, outside the markers
    git(b.path, "merge", "--abort")
    assert b.clean()


def test_the_merge_driver_is_hidden_from_help() -> None:
    done = anjuan("--help")
    assert "sync" in done.stdout and "merge-driver" not in done.stdout


def test_refuses_without_a_remote(cases_repo: Path) -> None:
    m = Machine("a", cases_repo)
    done = m.sync()
    assert done.returncode == 2
    assert "没有远端仓库" in done.stderr and "git remote add" in done.stderr


def test_rejected_push_is_reported_and_local_work_kept(tmp_path: Path) -> None:
    remote, (a,) = office(tmp_path, "a")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'closed for audit' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.commit("a")
    head = a.head()
    done = a.sync()
    assert done.returncode == 2
    assert "推送到 origin 被拒绝" in done.stderr and "anjuan sync" in done.stderr
    assert a.head() == head and a.clean() and fsck_clean(a.path)


def test_an_unreachable_remote_is_reported(tmp_path: Path) -> None:
    remote, (a,) = office(tmp_path, "a")
    remote.rename(tmp_path / "moved.git")
    done = a.sync()
    assert done.returncode == 2
    assert "无法连接远端 origin" in done.stderr


def test_refuses_with_uncommitted_changes(tmp_path: Path) -> None:
    _remote, (a,) = office(tmp_path, "a")
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    done = a.sync()
    assert done.returncode == 2
    assert "未提交的修改" in done.stderr
    assert a.data()["applicant"]["lead"]["mobile"] == "13801230001"


def test_first_sync_to_an_empty_remote_pushes(tmp_path: Path) -> None:
    _remote, (a,) = office(tmp_path, "a")
    empty = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(empty))
    git(a.path, "remote", "add", "office", str(empty))
    done = a.sync("--remote", "office")
    assert done.returncode == 0, done.stderr
    assert git(empty, "rev-parse", "refs/heads/main").stdout.strip() == a.head()
    assert Decimal(a.data()["budget"][0]["amount_wan"]) > 0


def test_sync_merges_by_field_in_a_clone_where_init_never_ran(tmp_path: Path) -> None:
    remote, (a,) = office(tmp_path, "a")
    raw = tmp_path / "raw"
    git(tmp_path, "clone", "-q", str(remote), str(raw))
    b = Machine("b", raw)
    assert git(raw, "config", "merge.anjuan.driver", check=False).returncode != 0
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.commit("a")
    assert a.sync().returncode == 0
    b.edit('landline = "010-62345678"', 'landline = "010-62340000"')
    b.commit("b")
    done = b.sync()
    assert done.returncode == 0, done.stdout + done.stderr
    converged(remote, a, b)
    lead = b.data()["applicant"]["lead"]
    assert (lead["mobile"], lead["landline"]) == ("13801230001", "010-62340000")


def test_a_broken_file_merges_by_lines_and_whole_files_conflict_as_one(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    broken = "XH-2022-004/case.toml"
    review = "XH-2022-003/reviews/wang.fang.toml"
    attachment = f"{CASE}/attachments/2023-01-01-回单.pdf"
    # a repairs the hand-broken quote; b edits a line further down the same broken file.
    a.edit("运营管理有限公司   # 申报单位名称", '运营管理有限公司"   # 申报单位名称', broken)
    a.write(attachment, "%PDF a's scan\n")
    git(a.path, "rm", "-q", review)
    a.commit("a: repair, attachment, withdraw review")
    assert a.sync().returncode == 0
    b.edit('legal_rep = "周明远"', 'legal_rep = "周明达"', broken)
    b.write(attachment, "%PDF b's scan\n")
    b.edit("score = ", "score = 1", review)
    b.commit("b: legal rep, attachment, review score")
    done = b.sync()
    assert done.returncode == 1, done.stdout + done.stderr
    assert broken not in done.stdout  # merged by lines, cleanly
    assert f"{attachment}（待选）" in done.stdout and f"{review}（待选）" in done.stdout
    theirs = git(a.path, "rev-parse", "HEAD").stdout.strip()
    assert f"git show {theirs[:12]}:{attachment}" in done.stdout
    assert b.clean()
    assert b.sync("--take", "theirs", attachment).returncode == 1
    done = b.sync("--take", "ours", review)
    assert done.returncode == 0, done.stdout + done.stderr
    converged(remote, a, b)
    text = (b.path / broken).read_text(encoding="utf-8")
    assert '运营管理有限公司"   # 申报单位名称' in text and 'legal_rep = "周明达"' in text
    assert (a.path / attachment).read_text(encoding="utf-8") == "%PDF a's scan\n"
    assert (a.path / review).exists()


def test_sync_says_when_two_fine_edits_together_break_a_rule(tmp_path: Path) -> None:
    remote, (a, b) = office(tmp_path, "a", "b")
    a.edit("enterprises = 186 ", "enterprises = 170 ")  # smes 162: fine
    a.commit("a: enterprises")
    assert a.sync().returncode == 0
    b.edit("smes = 162 ", "smes = 175 ")  # enterprises 186: fine
    b.commit("b: smes")
    done = b.sync()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{CASE}：已更新，合并后有 1 个错误（anjuan validate {CASE} 查看）" in done.stdout
    converged(remote, a, b)


def test_init_installs_the_driver_without_a_stray_file_and_commits_only_the_editor_schema(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / "cases").mkdir()
    done = anjuan("init", str(repo / "cases"))
    assert done.returncode == 0, done.stderr
    assert "字段级合并" in done.stdout
    attributes = (repo / ".git" / "info" / "attributes").read_text(encoding="utf-8")
    assert "cases/*/case.toml merge=anjuan" in attributes.splitlines()
    assert "cases/*/reviews/*.toml merge=anjuan" in attributes.splitlines()
    again = anjuan("init", str(repo / "cases"))
    assert again.returncode == 0
    assert (repo / ".git" / "info" / "attributes").read_text(encoding="utf-8") == attributes
    assert git(repo, "status", "--porcelain").stdout == ""
    # the driver lives outside the tree; init's one commit is the editor schema (issue 12),
    # and a second init, with nothing changed, makes none
    log = git(repo, "log", "--format=%s", "--name-only").stdout.split()
    assert log == [
        "案卷仓库：编辑器用的申报书",
        "schema",
        "cases/.anjuan/schema/bj-ipcluster-2022.schema.json",
    ]
    check = git(
        repo, "check-attr", "merge", "--", "cases/XH-1/case.toml", "cases/XH-1/reviews/li.toml"
    )
    assert check.stdout.count("merge: anjuan") == 2


def test_sync_waits_for_a_save_in_progress_and_changes_nothing(tmp_path: Path) -> None:
    _remote, (a, b) = office(tmp_path, "a", "b")
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.commit("a")
    assert a.sync().returncode == 0
    head, text = b.head(), b.text()
    fd = os.open(b.path / ".git" / "anjuan.lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a save of anjuan set holds it
        done = anjuan("sync", "--cases", str(b.path), env={"ANJUAN_LOCK_TIMEOUT": "0.3"})
    finally:
        os.close(fd)
    assert done.returncode == 2 and "anjuan.lock" in done.stderr
    assert b.head() == head and b.text() == text and b.clean()
    assert b.sync().returncode == 0
    assert b.data()["applicant"]["lead"]["mobile"] == "13801230001"


def test_sync_refuses_in_the_middle_of_a_plain_git_merge(tmp_path: Path) -> None:
    _remote, (a, b) = office(tmp_path, "a", "b")
    a.edit('mobile = "13801234567"', 'mobile = "13801230001"')
    a.commit("a")
    git(a.path, "push", "-q", "origin", "HEAD")
    b.edit('mobile = "13801234567"', 'mobile = "13801230002"')
    b.commit("b")
    assert git(b.path, "pull", "-q", "--no-rebase", "--no-edit", check=False).returncode != 0
    done = b.sync()
    assert done.returncode == 2 and "git merge --abort" in done.stderr and "再同步" in done.stderr
    assert (b.path / ".git" / "MERGE_HEAD").exists()  # the person's merge is left to them
