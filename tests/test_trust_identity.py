"""Issue 11 item 7: the real person is recorded — the committer and the ``Anjuan-Login``
trailer are the operating-system account of the process's uid (never LOGNAME/USER), ``--as``
names only the author, and log/blame show both when they differ."""

from __future__ import annotations

import json
import os
import pwd
from pathlib import Path

import pytest
from conftest import anjuan, git

CID = "XH-2022-001"
ME = pwd.getpwuid(os.getuid()).pw_name  # who really runs the tests


def lied_env(**more: str) -> dict[str, str]:
    """An environment that claims to be someone else, as anyone can set."""
    return {"LOGNAME": "li.wei", "USER": "li.wei", "USERNAME": "li.wei", **more}


def test_as_sets_only_the_author_and_the_uid_is_the_committer(cases_repo: Path) -> None:
    done = anjuan(
        "set",
        CID,
        "targets.info_pushes",
        "1500",
        "--as",
        "wang.fang",
        "--cases",
        str(cases_repo),
        env=lied_env(),
    )
    assert done.returncode == 0, done.stderr
    shown = git(
        cases_repo, "log", "-1", "--format=%an|%cn|%ce%n%(trailers:key=Anjuan-Login)"
    ).stdout
    author, committer, committer_email = shown.splitlines()[0].split("|")
    assert author == "wang.fang"
    assert committer == ME and committer_email.startswith(f"{ME}@")
    assert f"Anjuan-Login: {ME}" in shown and "li.wei" not in shown


def test_git_author_name_wins_over_user_name(cases_repo: Path) -> None:
    git(cases_repo, "config", "user.name", "配置里的名字")
    git(cases_repo, "config", "user.email", "config@example.cn")
    done = anjuan(
        "set",
        CID,
        "targets.info_pushes",
        "1500",
        "--cases",
        str(cases_repo),
        env={"GIT_AUTHOR_NAME": "环境里的名字", "GIT_AUTHOR_EMAIL": "env@example.cn"},
    )
    assert done.returncode == 0, done.stderr
    shown = git(cases_repo, "log", "-1", "--format=%an <%ae>|%cn").stdout.strip()
    assert shown == f"环境里的名字 <env@example.cn>|{ME}"


def test_log_and_blame_show_author_and_committer_when_they_differ(cases_repo: Path) -> None:
    args = ("--cases", str(cases_repo))
    assert anjuan("set", CID, "targets.info_pushes", "1500", "--as", "王芳", *args).returncode == 0
    text = anjuan("log", CID, *args).stdout
    first = text.splitlines()[0]
    assert "王芳" in first and f"提交者 {ME}" in first
    entry = json.loads(anjuan("log", CID, "--format", "json", *args).stdout)["log"][0]
    assert entry["author"] == "王芳" and entry["committer"] == ME and entry["login"] == ME
    assert entry["committer_email"].startswith(f"{ME}@")
    (line,) = json.loads(
        anjuan("blame", CID, "targets.info_pushes", "--format", "json", *args).stdout
    )
    assert line["author"] == "王芳" and line["committer"] == ME
    blamed = anjuan("blame", CID, "targets.info_pushes", *args).stdout
    assert "王芳" in blamed and f"提交者 {ME}" in blamed
    # a plain git commit by the test identity: author and committer agree, nothing extra shown
    samples = [ln for ln in text.splitlines() if "Test Person" in ln]
    assert samples and all("提交者" not in ln for ln in samples)


# --- a reviewer file is written only under the name of the person writing it ----------------

CLAIMS_WANG = """\
reviewer = "wang.fang"
decision = "recommend"

[[waivers]]
rule = "ELIG.ENTERPRISES"
reason = "特色模式园区，指南允许适当放宽数量规模限制。"
"""


def test_a_reviewer_field_that_disagrees_with_the_file_name_is_review_schema(
    tmp_path: Path,
) -> None:
    from rules_support import TODAY
    from test_rules_reviews import case_with_review

    report = case_with_review(tmp_path, CLAIMS_WANG, name="li.wei", small=True)
    schema = [f for f in report.findings if f.rule == "REVIEW.SCHEMA"]
    assert len(schema) == 1 and schema[0].file == "reviews/li.wei.toml"
    assert "wang.fang" in schema[0].message and "文件名" in schema[0].message
    waived = [f for f in report.findings if f.waived_by]
    assert waived and all(f.waived_by == "li.wei" for f in waived)  # never "wang.fang"
    assert [r.reviewer for r in report.reviews] == ["li.wei"]
    assert TODAY  # the same date as the review rules' tests


def commit_people(cases: Path, text: str) -> None:
    (cases / "people.toml").write_text(text, encoding="utf-8")
    git(cases, "add", "people.toml")
    git(cases, "commit", "-q", "--no-verify", "-m", "people.toml")


def test_no_people_file_the_account_is_the_reviewer(cases_repo: Path) -> None:
    from tui.core.people import NotYourReview
    from tui.core.review import save_review

    path = cases_repo / CID / "reviews" / "wang.fang.toml"
    with pytest.raises(NotYourReview, match=f"不能以 wang.fang 的名义写评审.*账号是 {ME}"):
        save_review(cases_repo, CID, {"decision": "revise"}, as_name="wang.fang")
    assert not path.exists()
    save_review(cases_repo, CID, {"decision": "revise"})
    assert (cases_repo / CID / "reviews" / f"{ME}.toml").is_file()
    # an uncommitted people.toml maps nobody: only the committed version counts
    (cases_repo / "people.toml").write_text(f'[accounts]\n"{ME}" = "wang.fang"\n', "utf-8")
    with pytest.raises(NotYourReview):
        save_review(cases_repo, CID, {"decision": "revise"}, as_name="wang.fang")
    assert not path.exists()


def test_people_file_maps_the_account_and_refuses_other_names(cases_repo: Path) -> None:
    from tui.core.people import NotYourReview
    from tui.core.review import save_review
    from tui.core.store import save_review as store_save_review

    commit_people(cases_repo, f'# 账号 = 评审人\n[accounts]\n"{ME}" = "wang.fang"\n')
    save_review(cases_repo, CID, {"decision": "revise"})  # no --as: the mapped name
    mine = cases_repo / CID / "reviews" / "wang.fang.toml"
    assert 'reviewer = "wang.fang"' in mine.read_text("utf-8")
    head = git(cases_repo, "rev-parse", "HEAD").stdout
    with pytest.raises(NotYourReview, match=f'{ME} = "li.wei"'):
        save_review(cases_repo, CID, {"decision": "revise"}, as_name="li.wei")
    with pytest.raises(NotYourReview, match=r"reviews/li\.wei\.toml"):  # the store's own door
        store_save_review(cases_repo, CID, "li.wei", {"reviewer": "li.wei"})
    assert not (cases_repo / CID / "reviews" / "li.wei.toml").exists()
    assert git(cases_repo, "rev-parse", "HEAD").stdout == head


def test_a_reviewer_name_of_another_account_is_refused(cases_repo: Path) -> None:
    from tui.core.people import NotYourReview
    from tui.core.review import save_review

    commit_people(cases_repo, f'[accounts]\nsomeone = "{ME}"\n')
    with pytest.raises(NotYourReview, match="属于账号 someone"):
        save_review(cases_repo, CID, {"decision": "revise"})


@pytest.mark.parametrize(
    "text",
    ['[accounts]\na = "x"\nb = "x"\n', "[accounts]\na = 3\n", 'accounts = "x"\n', "[accounts\n"],
)
def test_a_malformed_people_file_refuses_every_review(cases_repo: Path, text: str) -> None:
    from tui.core.review import save_review
    from tui.core.store import StoreError

    commit_people(cases_repo, text)
    with pytest.raises(StoreError, match=r"people\.toml"):
        save_review(cases_repo, CID, {"decision": "revise"})
    assert not (cases_repo / CID / "reviews").exists()


async def test_the_tui_as_someone_else_cannot_rewrite_their_review(cases_repo: Path) -> None:
    """``anjuan --as wang.fang`` by another account: the review screen says why and the
    save writes nothing (it used to rewrite reviews/wang.fang.toml)."""
    from textual.widgets import Select

    from tests.app_helpers import make_app, settle
    from tests.test_app_editor import open_editor
    from tui.app.screens.review import ReviewScreen

    theirs = cases_repo / CID / "reviews" / "wang.fang.toml"
    theirs.parent.mkdir()
    theirs.write_text('reviewer = "wang.fang"\ndecision = "revise"\n', encoding="utf-8")
    git(cases_repo, "add", "-A")
    git(cases_repo, "commit", "-q", "--no-verify", "-m", "wang.fang 的评审")
    head = git(cases_repo, "rev-parse", "HEAD").stdout
    app = make_app(cases_repo)
    app.as_name = "wang.fang"
    async with app.run_test(size=(120, 40)) as pilot:
        await open_editor(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        review.query_one("#decision", Select).value = "recommend"
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = "\n".join(n.message for n in app._notifications)
        assert "不能以 wang.fang 的名义写评审" in shown and ME in shown
    assert theirs.read_text("utf-8") == 'reviewer = "wang.fang"\ndecision = "revise"\n'
    assert git(cases_repo, "rev-parse", "HEAD").stdout == head


# --- a full disk is named as such (issue 11 item 8) -------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 4 MB tmpfs (needs root and a kernel that lets this process mount)."""
    import subprocess

    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root or not permitted)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_during_the_commit_is_named_not_blamed_on_git(tiny_disk: Path) -> None:
    import shutil

    from conftest import EXAMPLE

    cases = tiny_disk / "cases"
    shutil.copytree(EXAMPLE, cases / CID)
    git(cases, "init", "-q", "-b", "main")
    git(cases, "add", "-A")
    git(cases, "commit", "-q", "--no-verify", "-m", "samples")
    fill = tiny_disk / "fill"
    said = []
    # leave 2…40 KB free: the new case.toml fits, then git runs out while writing its
    # objects or .git/index.lock (where the message used to blame "another git process")
    for free_kb in range(2, 42, 2):
        fill.unlink(missing_ok=True)
        git(cases, "checkout", "-q", "--", ".")
        total = shutil.disk_usage(tiny_disk).free
        fill.write_bytes(b"\0" * max(0, total - free_kb * 1024))
        done = anjuan("set", CID, "targets.info_pushes", str(1500 + free_kb), "--cases", str(cases))
        if done.returncode != 0:
            said.append(done.stderr)
    assert said, "no attempt ran out of space"
    assert all("另一个 git 进程" not in s for s in said), said
    odd = [s for s in said if "磁盘已满" not in s or str(tiny_disk) not in s]
    assert not odd, odd
    assert any("未能提交" in s for s in said), "no attempt ran out of space inside git"
