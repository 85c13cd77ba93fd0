"""The case list's index: a stale, corrupt or foreign index never changes what the list shows."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLE, git

from tui.core.case import read_case
from tui.core.index import CaseSummary, case_summaries, summarize
from tui.core.validate import validate_case

TODAY = date(2026, 11, 27)


def truth(cases: Path, today: date = TODAY) -> list[CaseSummary]:
    """What the list must show: every case read and checked from its files, no index."""
    ids = sorted(p.name for p in cases.iterdir() if p.is_dir() and not p.name.startswith("."))
    return [summarize(validate_case(read_case(cases / cid, cid), today)) for cid in ids]


def shown(summaries: list[CaseSummary]) -> list[CaseSummary]:
    return [replace(s, last_editor=None, last_edited=None) for s in summaries]


def index_files(cases: Path) -> list[Path]:
    git_dir = Path(git(cases, "rev-parse", "--absolute-git-dir").stdout.strip())
    return sorted((git_dir / "anjuan").glob("index-*.json"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rewrite_index(cases: Path, change: object) -> None:
    """Change the stored index as a bug or a person might, keeping its checksum valid."""
    import hashlib

    (path,) = index_files(cases)
    _check, _nl, body = path.read_bytes().partition(b"\n")
    data = json.loads(body)
    change(data)  # type: ignore[operator]
    body = json.dumps(data, ensure_ascii=False).encode()
    path.write_bytes(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


@pytest.fixture
def many(cases_repo: Path) -> Path:
    """Three cases committed, the index built once."""
    for extra in cases_repo.iterdir():  # only the example from the bundled samples
        if extra.is_dir() and extra.name not in (".git", EXAMPLE.name):
            shutil.rmtree(extra)
    for cid in ("XH-2022-002", "XH-2022-003"):
        shutil.copytree(EXAMPLE, cases_repo / cid)
    edit(cases_repo / "XH-2022-003" / "case.toml", 'status = "submitted"', 'status = "draft"')
    git(cases_repo, "add", "-A")
    git(cases_repo, "commit", "-q", "--no-verify", "-m", "more cases")
    assert shown(case_summaries(cases_repo, TODAY)) == truth(cases_repo)
    assert len(index_files(cases_repo)) == 1
    return cases_repo


def test_index_is_kept_outside_the_tracked_tree(many: Path) -> None:
    assert git(many, "status", "--porcelain", "--ignored").stdout == ""
    assert shown(case_summaries(many, TODAY)) == truth(many)


def test_corrupt_index_is_rebuilt(many: Path) -> None:
    (path,) = index_files(many)
    path.write_bytes(path.read_bytes()[:-40])
    assert shown(case_summaries(many, TODAY)) == truth(many)
    path.write_text("{not json", encoding="utf-8")
    assert shown(case_summaries(many, TODAY)) == truth(many)
    path.write_bytes(b"\x00\xff" * 100)
    assert shown(case_summaries(many, TODAY)) == truth(many)


def test_entry_with_wrong_blob_ids_is_not_believed(many: Path) -> None:
    def lie(data: dict) -> None:  # type: ignore[type-arg]
        for entry in data["cases"].values():
            entry["key"] = "0" * 64
            entry["summary"][4] = 99  # errors
            entry["summary"][1] = "伪造的申报单位"

    rewrite_index(many, lie)
    assert shown(case_summaries(many, TODAY)) == truth(many)


def test_malformed_entries_and_foreign_index_are_not_believed(many: Path) -> None:
    def garble(data: dict) -> None:  # type: ignore[type-arg]
        entries = list(data["cases"].values())
        entries[0]["summary"] = ["XH-2022-001"]
        entries[1]["summary"][4] = "many"
        entries[2]["summary"][0] = "XH-2022-999"

    rewrite_index(many, garble)
    assert shown(case_summaries(many, TODAY)) == truth(many)

    def foreign(data: dict) -> None:  # type: ignore[type-arg]
        data["key"] = "another version of anjuan"
        for entry in data["cases"].values():
            entry["summary"][4] = 99

    rewrite_index(many, foreign)
    assert shown(case_summaries(many, TODAY)) == truth(many)


def test_file_edited_by_hand_without_commit(many: Path) -> None:
    before = {s.case_id: s for s in case_summaries(many, TODAY)}
    case = many / "XH-2022-002" / "case.toml"
    edit(case, "enterprises = 186 ", "enterprises = 100 ")  # same size, same second: racy for git
    edit(many / "XH-2022-003" / "case.toml", 'name = "北京星河', 'name = "上海星河')
    after = case_summaries(many, TODAY)
    assert shown(after) == truth(many)
    changed = {s.case_id: s for s in after}
    assert changed["XH-2022-002"].enterprises == 100 != before["XH-2022-002"].enterprises
    assert changed["XH-2022-003"].applicant.startswith("上海星河")
    assert changed["XH-2022-002"].version == read_case(case.parent).version


def test_file_edited_and_committed_and_broken(many: Path) -> None:
    case = many / "XH-2022-001" / "case.toml"
    edit(case, "smes = 162", "smes = 12")
    git(many, "commit", "-q", "--no-verify", "-am", "fewer smes")
    assert shown(case_summaries(many, TODAY)) == truth(many)
    case.write_text("form = \n", encoding="utf-8")
    summaries = case_summaries(many, TODAY)
    assert shown(summaries) == truth(many)
    assert summaries[0].broken


def test_staged_but_not_committed_and_new_untracked_case(many: Path) -> None:
    edit(many / "XH-2022-002" / "case.toml", "smes = 162", "smes = 150")
    git(many, "add", "-A")
    shutil.copytree(EXAMPLE, many / "XH-2022-004")
    edit(many / "XH-2022-004" / "case.toml", "smes = 162", "smes = 140")
    summaries = case_summaries(many, TODAY)
    assert shown(summaries) == truth(many)
    assert [s.smes for s in summaries] == [162, 150, 162, 140]


def test_reviews_change_decisions_scores_and_findings(many: Path) -> None:
    reviews = many / "XH-2022-002" / "reviews"
    reviews.mkdir()
    (reviews / "li.wei.toml").write_text(
        'reviewer = "li.wei"\ndecision = "recommend"\nscore = 82\n', encoding="utf-8"
    )
    after = {s.case_id: s for s in case_summaries(many, TODAY)}
    assert after["XH-2022-002"].decisions == ("li.wei:recommend",)
    assert shown(list(after.values())) == truth(many)
    edit(reviews / "li.wei.toml", '"recommend"', '"reject"')
    git(many, "add", "-A")
    git(many, "commit", "-q", "--no-verify", "-m", "review")
    assert shown(case_summaries(many, TODAY)) == truth(many)
    (reviews / "li.wei.toml").write_text('decision = "maybe"\n[[waivers]]\nrule = 7\n')
    summaries = case_summaries(many, TODAY)
    assert shown(summaries) == truth(many)
    assert summaries[1].errors > 0


def test_evidence_file_removed_or_added(many: Path) -> None:
    evidence = many / "XH-2022-001" / "attachments" / "2021-06-18-assignment.pdf"
    evidence.unlink()
    summaries = case_summaries(many, TODAY)
    assert shown(summaries) == truth(many)
    assert summaries[0].errors == 1
    evidence.write_bytes(b"%PDF-1.4 back again")
    assert shown(case_summaries(many, TODAY)) == truth(many)


def test_schema_change_and_new_day_rebuild(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.core.schema import schema_dir

    forms = tmp_path / "schema"
    shutil.copytree(schema_dir(), forms)
    monkeypatch.setenv("ANJUAN_SCHEMA_DIR", str(forms))
    before = case_summaries(many, TODAY)
    form = forms / "bj-ipcluster-2022.schema.json"
    edit(form, '"min_enterprises": 70', '"min_enterprises": 500')
    after = case_summaries(many, TODAY)
    assert shown(after) == truth(many)
    assert [s.warnings for s in after] != [s.warnings for s in before]
    # the date rules compare with today: a deal after the day the list is shown is an error
    early = date(2022, 8, 1)
    assert shown(case_summaries(many, early)) == truth(many, early)
    assert case_summaries(many, early)[0].errors > case_summaries(many, TODAY)[0].errors
    assert len(index_files(many)) == 1


def test_last_editor_follows_history(many: Path) -> None:
    first = {s.case_id: s for s in case_summaries(many, TODAY)}
    assert first["XH-2022-002"].last_editor == "Test Person"
    edit(many / "XH-2022-002" / "case.toml", "smes = 162", "smes = 150")
    git(
        many,
        "-c",
        "user.name=王芳",
        "-c",
        "user.email=wf@example.cn",
        "commit",
        "-q",
        "--no-verify",
        "--author=王芳 <wf@example.cn>",
        "--date=2026-11-26T09:30:00+08:00",
        "-am",
        "edit",
    )
    later = {s.case_id: s for s in case_summaries(many, TODAY)}
    assert later["XH-2022-002"].last_editor == "王芳"
    assert later["XH-2022-002"].last_edited == "2026-11-26T09:30:00+08:00"
    assert later["XH-2022-001"].last_editor == "Test Person"
    # history rewritten (not a descendant of the cached HEAD): read again, not believed
    git(many, "reset", "-q", "--hard", "HEAD~1")
    again = {s.case_id: s for s in case_summaries(many, TODAY)}
    assert again["XH-2022-002"].last_editor == "Test Person"
    assert shown(list(again.values())) == truth(many)


def test_cases_not_in_git_are_read_directly(tmp_path: Path) -> None:
    cases = tmp_path / "plain"
    shutil.copytree(EXAMPLE, cases / "XH-2022-001")
    shutil.copytree(EXAMPLE, cases / "XH-2022-002")
    (cases / "XH-2022-002" / "case.toml").write_text("[[[", encoding="utf-8")
    summaries = case_summaries(cases, TODAY)
    assert summaries == truth(cases)
    assert [s.broken for s in summaries] == [False, True]
    assert summaries[0].last_editor is None


def test_empty_repository_and_cases_in_a_subfolder(tmp_path: Path) -> None:
    root = tmp_path / "office"
    cases = root / "cases"
    shutil.copytree(EXAMPLE, cases / "XH-2022-001")
    git(root, "init", "-q", "-b", "main")
    assert shown(case_summaries(cases, TODAY)) == truth(cases)  # nothing committed yet
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "first")
    summaries = case_summaries(cases, TODAY)
    assert shown(summaries) == truth(cases)
    assert summaries[0].last_editor == "Test Person"
    edit(cases / "XH-2022-001" / "case.toml", "smes = 162", "smes = 150")
    assert shown(case_summaries(cases, TODAY)) == truth(cases)


def test_progress_counts_every_case_in_and_out_of_git(many: Path, tmp_path: Path) -> None:
    steps: list[tuple[int, int]] = []
    case_summaries(many, TODAY, progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 3), (2, 3), (3, 3)]  # from the index: still told, case by case
    plain = tmp_path / "plain"
    shutil.copytree(many / EXAMPLE.name, plain / "XH-2022-001")
    shutil.copytree(many / EXAMPLE.name, plain / "XH-2022-002")
    steps.clear()
    case_summaries(plain, TODAY, progress=lambda done, total: steps.append((done, total)))
    assert steps == [(1, 2), (2, 2)]


def test_validate_reads_findings_from_the_index_and_never_over_the_file(many: Path) -> None:
    """``anjuan validate`` shares the list's index: findings as a fresh check gives them."""
    from tui.core.index import IndexStats, checked_cases
    from tui.core.validate import validate_dir

    ids = ["XH-2022-001", "XH-2022-002", "XH-2022-003"]

    def fresh() -> list[dict]:  # type: ignore[type-arg]
        return [r.to_json() for r in validate_dir(many, ids, TODAY)]

    stats = IndexStats()
    assert [c.to_json() for c in checked_cases(many, TODAY, stats=stats)] == fresh()
    assert stats.checked == 0 and stats.reused == 3  # the fixture built the index
    edit(many / "XH-2022-002" / "case.toml", "smes = 162", "smes = 999")  # SUM.PARTS
    stats = IndexStats()
    warm = [c.to_json() for c in checked_cases(many, TODAY, ["XH-2022-002"], stats=stats)]
    assert stats.checked == 1
    assert warm == fresh()[1:2] and any(f["rule"] == "SUM.PARTS" for f in warm[0]["findings"])
    stats = IndexStats()  # the partial run kept the other entries
    assert [c.to_json() for c in checked_cases(many, TODAY, stats=stats)] == fresh()
    assert (stats.checked, stats.reused) == (0, 3)


def test_validate_command_output_is_the_same_warm_and_cold(many: Path) -> None:
    from conftest import anjuan

    cold = anjuan("--cases", str(many), "validate", "--format", "json", "--today", "2026-11-27")
    for path in index_files(many):
        path.unlink()
    built = anjuan("--cases", str(many), "validate", "--format", "json", "--today", "2026-11-27")
    warm = anjuan("--cases", str(many), "validate", "--today", "2026-11-27")
    for path in index_files(many):
        path.unlink()
    text = anjuan("--cases", str(many), "validate", "--today", "2026-11-27")
    assert cold.stdout == built.stdout and json.loads(cold.stdout)["cases"]
    assert warm.stdout == text.stdout and warm.returncode == text.returncode == cold.returncode


def test_a_cold_check_of_many_cases_on_every_core_finds_what_one_core_finds(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold start spreads the checks over worker processes: same findings, same order,
    progress for every case, and the index it leaves is the one a single process leaves."""
    import tui.core.index as index
    from tui.core.index import IndexStats, checked_cases

    for n in range(4, 12):  # eleven cases, some broken, some with findings
        shutil.copytree(many / "XH-2022-001", many / f"XH-2022-{n:03d}")
    edit(many / "XH-2022-005" / "case.toml", "smes = 162", "smes = 999")
    (many / "XH-2022-007" / "case.toml").write_text("not = [toml", encoding="utf-8")
    git(many, "add", "-A")
    git(many, "commit", "-q", "--no-verify", "-m", "eleven cases")
    plain = tmp_path / "plain"  # and a folder outside git
    shutil.copytree(many, plain, ignore=shutil.ignore_patterns(".git"))

    def run(cases: Path, parallel_from: int) -> tuple[list[dict], list[int], bytes]:  # type: ignore[type-arg]
        monkeypatch.setattr(index, "PARALLEL_FROM", parallel_from)
        for path in index_files(cases) if (cases / ".git").exists() else []:
            path.unlink()
        steps: list[int] = []
        stats = IndexStats()
        got = checked_cases(cases, TODAY, stats=stats, progress=lambda d, t: steps.append(d))
        assert stats.checked == len(got) == 11
        stored = (
            b"".join(p.read_bytes() for p in index_files(cases))
            if (cases / ".git").exists()
            else b""
        )
        return [c.to_json() for c in got], steps, stored

    for cases in (many, plain):
        one = run(cases, 10**9)
        spread = run(cases, 2)
        assert spread == one
        assert one[1] == list(range(1, 12))
        broken = [c for c in one[0] if c["case"] == "XH-2022-007"]
        assert broken[0]["findings"][0]["rule"] == "TOML.PARSE"
