"""Who must sign again, the private roster, and the revision record as readers see it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.check import load_handbook
from generator.check.signatures import signature
from generator.read.findings import ContentError
from generator.read.history import Change, History, Revision
from generator.read.labels import load_labels
from generator.read.project import open_project
from generator.read.roster import Person, read_roster
from generator.render.revisions import (
    SHOWN_CHANGES,
    describe,
    resign_mark,
    revision_record,
    revision_rows,
)
from tests.conftest import REPO, TODAY, Commit, git_project
from tests.test_print import pdf_text, run, squeeze

LABELS = load_labels(REPO / "templates", "zh-CN")
WORDS = LABELS["revisions"]
ROLE_FILE = "content/roles/team-lead.yaml"


def revision(
    version: str, day: int, *changes: Change, parsed: bool = True, subject: str = "edit"
) -> Revision:
    return Revision(
        commit=f"{day:040x}",
        date=datetime(2026, 10, day, 9, 30, tzinfo=UTC),
        author="王芳",
        subject=subject,
        file=ROLE_FILE,
        version=version,
        approved_by="总经理",
        changes=changes,
        parsed=parsed,
    )


TARGET = Change(("goals", "G1", "target"), "changed", "substantive", 120, 150, item="新客户开发数")
TYPO = Change(("purpose",), "changed", "wording", "带领销售小组", "带领销售小组完成目标")


def test_a_change_is_said_in_the_labels_words() -> None:
    assert describe(TARGET, ROLE_FILE, WORDS) == "目标「新客户开发数」 · 目标值：120 → 150"
    added = Change(("responsibilities", 0, "duties", "D9"), "added", "substantive", item="客户拜访")
    assert describe(added, ROLE_FILE, WORDS) == "新增职责「客户拜访」"
    assert describe(TYPO, ROLE_FILE, WORDS).startswith("岗位目的：带领销售小组 → ")
    skill = Change(("qualifications", "skills", 2), "added", "substantive", None, "数据分析")
    assert describe(skill, ROLE_FILE, WORDS) == "任职资格 · 技能：新增 数据分析"
    power = Change(("authority", 1), "changed", "substantive", "建议权", "审批权")
    assert describe(power, ROLE_FILE, WORDS) == "岗位权限：建议权 → 审批权"
    form = Change(("checklists", "C1", "items", "回访投诉客户", "form"), "added", "wording",
                  None, "complaint-ledger", item="回访投诉客户")  # fmt: skip
    assert (
        describe(form, ROLE_FILE, WORDS) == "检查项「回访投诉客户」 · 表单：新增 complaint-ledger"
    )
    section = Change(("scorecard",), "added", "substantive", None, {"period": "quarterly"})
    assert describe(section, ROLE_FILE, WORDS) == "新增绩效评估"
    metric = Change(("metrics", "revenue", "definition"), "changed", "substantive", "a", "b",
                    item="销售收入")  # fmt: skip
    assert (
        describe(metric, "content/metrics.yaml", WORDS) == "指标库：指标「销售收入」 · 口径：a → b"
    )


def test_a_confidential_change_without_its_values_says_only_that_it_changed() -> None:
    hidden = Change(("pay_band",), "changed", "substantive", None, None, confidential=True)
    assert describe(hidden, ROLE_FILE, WORDS) == "薪酬范围：已修改（保密）"
    # With its values (the HR audience), it reads like any change.
    shown = Change(("pay_band",), "changed", "substantive", "M1", "M2", confidential=True)
    assert describe(shown, ROLE_FILE, WORDS) == "薪酬范围：M1 → M2"


def test_a_revision_that_does_not_parse_is_unclassified_with_its_message() -> None:
    broken = revision("1.1", 3, parsed=False, subject="临时保存")
    (row,) = revision_rows([broken], LABELS)
    assert row.changes == ["未分类（该版本文件无法读取）：临时保存"]
    assert row.kind_label == "未分类"


def test_a_long_revision_lists_its_first_changes_and_how_many_more() -> None:
    many = [
        Change(("authority", i), "changed", "wording", "a", "b") for i in range(SHOWN_CHANGES + 3)
    ]
    (row,) = revision_rows([revision("1.1", 3, *many)], LABELS)
    assert len(row.changes) == SHOWN_CHANGES
    assert row.changes[-1] == "等 4 项"


def test_the_record_says_why_it_is_missing_or_cut() -> None:
    assert revision_record(History(), "team-lead", LABELS).note == (
        "修订记录不可用：本手册未以 git 仓库保存。"
    )
    shallow = History(unavailable="shallow")
    assert "浅克隆" in revision_record(shallow, "team-lead", LABELS).note
    many = History(None, {"team-lead": tuple(revision("1.0", d, TYPO) for d in range(1, 13))})
    record = revision_record(many, "team-lead", LABELS)
    assert len(record.rows) == 10 and record.note == "仅列出最近 10 次修订，共 12 次。"
    assert revision_record(History(None, {}), "team-lead", LABELS).note == "暂无修订记录。"


@pytest.fixture
def team_lead(project: Path):  # type: ignore[no-untyped-def]
    return load_handbook(open_project(project), today=TODAY).role("team-lead")


def person(signed: str | None) -> Person:
    return Person(name="张三", role="team-lead", signed_version=signed)


def test_where_a_signature_stands(team_lead) -> None:  # type: ignore[no-untyped-def]
    current = team_lead.document.version  # "1.10"
    history = History(
        None,
        {"team-lead": (
            revision(current, 20, TYPO),
            revision(current, 15, TARGET),  # the substantive change that made 1.10
            revision("1.9", 10, TYPO),
            revision("1.9", 5),
        )},
    )  # fmt: skip
    assert signature(person(current), team_lead, history).state == "current"
    assert signature(person(None), team_lead, history).state == "unsigned"
    older = signature(person("1.9"), team_lead, history)
    assert older.state == "resign" and older.must_sign
    assert [r.date.day for r in older.changes] == [15]
    # Only wording since the signed version: the signature holds.
    wording = History(None, {"team-lead": (revision(current, 20, TYPO), revision("1.9", 5))})
    assert signature(person("1.9"), team_lead, wording).state == "wording"
    # Without a record, or a version it does not know, what changed cannot be told.
    unknown = signature(person("1.9"), team_lead, History())
    assert unknown.state == "resign" and not unknown.known
    assert not signature(person("0.1"), team_lead, history).known


def test_the_resign_mark_names_the_versions_and_the_changes(team_lead) -> None:  # type: ignore[no-untyped-def]
    history = History(None, {"team-lead": (revision("1.10", 15, TARGET), revision("1.9", 5))})
    mark = resign_mark(signature(person("1.9"), team_lead, history), LABELS)
    assert mark is not None and mark.title == "需重新签署"
    assert mark.reason == (
        "签署人签署的是 1.9 版，当前为 1.10 版，其间有实质性修改："
        "2026-10-15 目标「新客户开发数」 · 目标值：120 → 150"
    )
    assert resign_mark(signature(person("1.10"), team_lead, history), LABELS) is None
    assert resign_mark(signature(person(None), team_lead, history), LABELS) is None


ROSTER = """people:
  - name: 张三
    role: team-lead
    signed_version: "1.9"
  - name: 李四
    role: team-lead
    signed_version: "1.10"
  - name: 王五
    role: sales-rep
"""


def test_roster_errors_are_located(project: Path) -> None:
    (project / "people.yaml").write_text(
        "people:\n  - name: 张三\n    role: team-leed\n  - name: 李四\n    role: team-lead\n"
        "    signed_on: 2026-13-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        read_roster(open_project(project), {"team-lead", "sales-rep"})
    (finding,) = caught.value.findings
    assert (finding.line, finding.loc) == (6, ("people", 1, "signed_on"))
    (project / "people.yaml").write_text(
        "people:\n  - name: 张三\n    role: team-leed\n", encoding="utf-8"
    )
    with pytest.raises(ContentError) as caught:
        read_roster(open_project(project), {"team-lead", "sales-rep"})
    (finding,) = caught.value.findings
    assert finding.line == 3 and "did you mean 'team-lead'?" in finding.message


@pytest.mark.slow
def test_all_people_get_their_sheets_marked_where_they_must_sign_again(
    project: Path, tmp_path: Path
) -> None:
    """Without a revision record, a holder of another version must sign again (what
    changed cannot be told); the holder of the current version's sheet is unmarked."""
    (project / "people.yaml").write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "sheets"
    out.mkdir()
    result = run(project, "print", "team-lead", "goals", "--period", "2027", "--all-people",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "Wrote 2 sheets (1 to be signed again)"
    zhang = squeeze(pdf_text(out / "team-lead-agreement-2027-张三.pdf"))
    li = squeeze(pdf_text(out / "team-lead-agreement-2027-李四.pdf"))
    assert "需重新签署签署人签署的是1.9版，当前为1.10版" in zhang and "责任人：张三" in zhang
    assert "需重新签署" not in li and "责任人：李四" in li
    assert "修订记录不可用" in zhang


def test_all_people_usage_and_an_empty_roster(project: Path) -> None:
    both = run(project, "print", "team-lead", "goals", "--all-people", "--person", "张三")
    assert both.exit_code == 2 and "--all-people is for the goal sheets" in both.stderr
    nobody = run(project, "print", "team-lead", "goals", "--all-people")
    assert nobody.exit_code == 1
    assert "no one holds role team-lead in" in nobody.stderr
    assert "people.yaml (there is no such file: the roster, see README)" in nobody.stderr


def signed_project(tmp_path: Path) -> Path:
    """The mini handbook in a repository: team-lead 1.9, a wording fix, then 1.10 with a
    raised target; a roster of a holder of each version and one who signed nothing."""
    from tests.test_render import FIRST, FIXED, TEAM_LEAD

    role = "content/roles/team-lead.yaml"
    commits = [
        Commit("晨会职责的标点", {role: FIXED}, days_before=20),
        Commit("新客户开发目标提高到 100 家", {role: TEAM_LEAD}, days_before=10),
    ]
    root = git_project(tmp_path / "handbook", commits, {"team-lead.yaml": FIRST}, company=False)
    (root / "people.yaml").write_text(ROSTER, encoding="utf-8")
    return root


def test_history_unsigned_lists_who_must_sign_again(tmp_path: Path) -> None:
    root = signed_project(tmp_path)
    text = run(root, "history", "--unsigned")
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("张三\tteam-lead\tversion 1.10\tsigned 1.9; substantive changes")
    assert lines[1] == "王五\tsales-rep\tversion 1.0\thas signed nothing yet"
    data = json.loads(run(root, "history", "team-lead", "--unsigned", "--format", "json").stdout)
    (zhang,) = data["unsigned"]
    assert (zhang["name"], zhang["state"], zhang["known"]) == ("张三", "resign", True)
    assert len(zhang["revisions"]) == 1  # the raised target; the wording fix does not count
    assert run(root, "history", "--unsigned", "--since", "HEAD~1").exit_code == 2


@pytest.mark.slow
def test_a_sheet_made_out_to_a_holder_of_an_older_version_names_the_change(
    tmp_path: Path,
) -> None:
    root = signed_project(tmp_path)
    out = tmp_path / "zhang.pdf"
    result = run(root, "print", "team-lead", "goals", "--period", "2027", "--person", "张三",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = squeeze(pdf_text(out))
    assert (
        "需重新签署签署人签署的是1.9版，当前为1.10版，其间有实质性修改："
        "2026-11-18目标「月度销售额」·目标值：80→100"
    ) in text
    assert "修订记录" in text and "新客户开发目标" not in text  # changes, not commit messages
    li = tmp_path / "li.pdf"
    run(
        root,
        "print",
        "team-lead",
        "goals",
        "--period",
        "2027",
        "--person",
        "李四",
        "--out",
        str(li),
    )
    assert "需重新签署" not in squeeze(pdf_text(li))


def test_a_change_in_a_reward_whose_amount_is_confidential_is_sent_to_staff_without_values() -> (
    None
):
    """Before amounts had their own field, a reward's text said them: the staff record
    shows that a reward changed, not its old or new text."""
    from generator.read.confidential import DEFAULT_FIELDS
    from generator.render.audience import redact_history

    old, new = "季度奖金基数（3000元）× 等级系数", "季度绩效奖金"
    path = ("incentives", "rewards", "季度绩效奖金", "reward")
    reward = Change(path, "changed", "substantive", old, new, item="季度绩效奖金")
    history = History(None, {"team-lead": (revision("1.1", 3, reward, TYPO),)})
    staff = redact_history(history, "staff", fields=DEFAULT_FIELDS)
    hidden, typo = staff.of("team-lead")[0].changes
    assert (hidden.old, hidden.new, hidden.confidential) == (None, None, True)
    assert describe(hidden, ROLE_FILE, WORDS) == "奖励「季度绩效奖金」 · 奖励内容：已修改（保密）"
    assert typo == TYPO
    assert redact_history(history, "hr", fields=DEFAULT_FIELDS) is history
