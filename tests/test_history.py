"""Revision history from git: each change classified by the model's declarations, the
version discipline it asks for, and `handbook history`.

Every test makes its own repository (conftest.git_project): fixed authors and dates,
never this repository's own history.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.check import load_handbook
from generator.cli import main
from generator.read.company import MetricDictionary, Policies
from generator.read.handbook import Handbook
from generator.read.history import History, classify
from generator.read.model import Role
from generator.read.project import open_project
from tests.conftest import TODAY, Commit, git, git_project, make_project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

LEAD_FILE = "content/roles/team-lead.yaml"

LEAD = """\
id: team-lead
title: 销售组长
department: 销售部
grade: M1
headcount: 2
superior_outside: 销售经理
purpose: 带领销售小组完成月度销售目标，维护重点客户关系。
document:
  version: "1.0"
  owner: 人力资源部
  prepared_by: 人力资源部
  reviewed_by: 销售经理
  approved_by: 总经理
  last_reviewed: 2026-10-01
  review_interval_months: 12
responsibilities:
  - area: 客户开发
    duties:
      - id: D1
        title: 新客户开发
        description: 每月开发有效新客户不少于 5 家，并在 CRM 中建立客户档案。
        frequency: monthly
        measured_by: [G1]
  - area: 团队管理
    duties:
      - id: D2
        title: 每日晨会
        description: 主持每日晨会，跟进组员的拜访计划与绩效进度。
        frequency: daily
        measured_by: [G2]
qualifications:
  education: [大专及以上学历]
  experience: [3 年以上销售经验]
  skills: [谈判技巧]
  qualities: [沟通能力强]
goals:
  - id: G1
    name: 月度销售额
    kind: quantitative
    example: false
    metric: revenue
    baseline: 90
    target: 100
    period: monthly
    weight: 70
    assessor: 销售经理
    duty: D1
    scoring: volume
  - id: G2
    name: 团队协作水平
    kind: qualitative
    metric: 上级与同事评议
    criteria: 协作顺畅，无推诿
    period: quarterly
    weight: 30
    data_source: 季度评议表
    assessor: 销售经理
    duty: D2
    target_level: B
incentives:
  transparency: 奖励条件在季初公布。
  rewards:
    - name: 季度绩效奖金
      type: bonus
      criteria: 季度评估为B级及以上
      reward: 随次月工资发放
      amount: 奖金基数3000元 × 等级系数
      frequency: quarterly
"""

#: A role that uses nothing of the KPI dictionary.
CLERK = """\
id: sales-clerk
title: 销售内勤
department: 销售部
superior_outside: 销售经理
purpose: 处理销售订单与合同归档。
document:
  version: "1.0"
  owner: 人力资源部
  prepared_by: 人力资源部
  reviewed_by: 销售经理
  approved_by: 销售经理
  last_reviewed: 2026-10-01
  review_interval_months: 12
responsibilities:
  - area: 订单处理
    duties:
      - id: D1
        title: 订单录入
        description: 当日录入客户订单并核对价格。
        frequency: daily
qualifications:
  education: [大专及以上学历]
  experience: [1 年以上文员经验]
  skills: [办公软件]
  qualities: [细致]
"""


def edit(text: str, *changes: tuple[str, str]) -> str:
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


TARGET_120 = ("    target: 100\n", "    target: 120\n")
VERSION_11 = ('  version: "1.0"', '  version: "1.1"')
REVIEWED = ("  last_reviewed: 2026-10-01", "  last_reviewed: 2026-11-20")
TYPO = ("并在 CRM 中建立客户档案。", "并在 CRM 中建立客户档案")


def project(tmp_path: Path, *commits: Commit) -> Path:
    return git_project(
        tmp_path / "handbook", commits, {"team-lead.yaml": LEAD, "sales-clerk.yaml": CLERK},
        mini=False,
    )  # fmt: skip


def history_of(root: Path) -> History:
    return load(root).history


def load(root: Path) -> Handbook:
    return load_handbook(open_project(root), today=TODAY)


def version_findings(handbook: Handbook) -> list[str]:
    return [f"{f.loc[-1]}: {f.message}" for f in handbook.warnings if f.kind == "version"]


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(root), *args])


# The declarations ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "names", "action", "member", "kind"),
    [
        (Role, ("goals", "target"), "changed", False, "substantive"),
        (Role, ("goals", "scoring", "zero_below_percent"), "changed", False, "substantive"),
        (Role, ("goals", "name"), "changed", False, "wording"),
        (Role, ("goals",), "added", True, "substantive"),  # a goal added
        (Role, ("responsibilities", "duties"), "removed", True, "substantive"),
        (Role, ("responsibilities", "duties", "description"), "changed", False, "wording"),
        (Role, ("responsibilities", "duties", "frequency"), "changed", False, "substantive"),
        (Role, ("qualifications", "skills"), "added", True, "substantive"),
        (Role, ("reports_to",), "changed", False, "substantive"),
        (Role, ("direct_reports",), "added", True, "substantive"),
        (Role, ("headcount",), "changed", False, "substantive"),
        (Role, ("pay_band",), "added", False, "substantive"),
        (Role, ("incentives", "rewards", "amount"), "changed", False, "substantive"),
        (Role, ("scorecard", "items", "weight"), "changed", False, "substantive"),
        (Role, ("scorecard", "items"), "added", True, "substantive"),
        (Role, ("purpose",), "changed", False, "wording"),
        (Role, ("checklists",), "added", True, "wording"),
        (Role, ("checklists", "items", "text"), "changed", False, "wording"),
        (Role, ("training", "modules", "hours"), "changed", False, "wording"),
        (Role, ("document", "version"), "changed", False, None),  # the record itself
        (Role, ("goals", "no_such_field"), "changed", False, "unclassified"),
        (MetricDictionary, ("metrics", "definition"), "changed", False, "substantive"),
        (MetricDictionary, ("metrics", "name"), "changed", False, "wording"),
        (Policies, ("rating_scales", "levels", "score_percent"), "changed", False, "substantive"),
        (Policies, ("rating_scales", "name"), "changed", False, "wording"),
        (Policies, ("scoring_rules", "deduct_per_point_below"), "changed", False, "substantive"),
    ],
)
def test_the_model_declares_which_changes_are_substantive(
    model: type, names: tuple[str, ...], action: str, member: bool, kind: str | None
) -> None:
    assert classify(model, names, action, None, member) == kind


def test_a_section_added_whole_is_substantive_when_it_holds_substantive_fields() -> None:
    reward = {"name": "季度之星", "type": "recognition", "criteria": "季度第一"}
    incentives = {"transparency": "公布", "rewards": [reward]}
    assert classify(Role, ("incentives",), "added", incentives, False) == "substantive"
    assert classify(Role, ("training",), "added", {"modules": []}, False) == "wording"


# Reading the history -------------------------------------------------------------


def test_a_changed_target_is_substantive_with_old_and_new(tmp_path: Path) -> None:
    root = project(tmp_path, Commit("提高月度销售目标", {LEAD_FILE: edit(LEAD, TARGET_120)}))
    found = history_of(root)
    assert found.available
    newest, first = found.of("team-lead")
    assert (newest.subject, newest.author, newest.kind) == (
        "提高月度销售目标",
        "人力资源部 李敏",
        "substantive",
    )
    assert newest.date.date().isoformat() == "2026-11-27" and newest.date.utcoffset() is not None
    assert (newest.version, newest.approved_by, newest.file) == ("1.0", "总经理", LEAD_FILE)
    (change,) = newest.changes
    assert (change.path, change.action, change.kind) == (
        ("goals", "G1", "target"),
        "changed",
        "substantive",
    )
    assert (change.old, change.new, change.item, change.confidential) == (
        "100",
        "120",
        "月度销售额",
        False,
    )
    # the first revision adds the role, whole
    assert first.subject == "初始版本" and [c.action for c in first.changes] == ["added"]
    assert first.substantive and first.changes[0].path == ()
    assert [r.subject for r in found.of("sales-clerk")] == ["初始版本"]
    assert [r.subject for _, r in found.latest(2)] == ["提高月度销售目标", "初始版本"]


def test_a_typo_in_a_duty_description_is_wording(tmp_path: Path) -> None:
    root = project(tmp_path, Commit("错别字", {LEAD_FILE: edit(LEAD, TYPO)}))
    (revision, _) = history_of(root).of("team-lead")
    (change,) = revision.changes
    assert change.path == ("responsibilities", "客户开发", "duties", "D1", "description")
    assert (change.kind, change.item, revision.kind, revision.substantive) == (
        "wording", "新客户开发", "wording", False,
    )  # fmt: skip


DUTY_D3 = """      - id: D3
        title: 周例会
        description: 每周一主持小组例会。
        frequency: weekly
"""


def test_a_duty_added_or_removed_is_substantive(tmp_path: Path) -> None:
    added = edit(LEAD, ("        measured_by: [G2]\n", "        measured_by: [G2]\n" + DUTY_D3))
    root = project(
        tmp_path, Commit("新增职责", {LEAD_FILE: added}), Commit("删除职责", {LEAD_FILE: LEAD})
    )
    removed, add, _ = history_of(root).of("team-lead")
    assert [(c.path, c.action, c.kind, c.item) for c in add.changes] == [
        (("responsibilities", "团队管理", "duties", "D3"), "added", "substantive", "周例会")
    ]
    assert add.changes[0].new["title"] == "周例会"
    assert [(c.action, c.kind) for c in removed.changes] == [("removed", "substantive")]


def test_a_goal_weight_is_substantive(tmp_path: Path) -> None:
    weights = edit(LEAD, ("    weight: 70", "    weight: 60"), ("    weight: 30", "    weight: 40"))
    (revision, _) = history_of(project(tmp_path, Commit("调整权重", {LEAD_FILE: weights}))).of(
        "team-lead"
    )
    assert [(c.path, c.old, c.new, c.kind) for c in revision.changes] == [
        (("goals", "G1", "weight"), "70", "60", "substantive"),
        (("goals", "G2", "weight"), "30", "40", "substantive"),
    ]


def test_a_metric_definition_shows_on_the_roles_using_it(tmp_path: Path) -> None:
    metrics = (Path(__file__).parent.parent / "content/metrics.yaml").read_text("utf-8")
    changed = edit(metrics, ("全公司唯一的销售额口径", "含已开票未发货的合同额"))
    renamed = edit(changed, ("    name: 销售额\n", "    name: 销售收入\n"))
    root = project(
        tmp_path,
        Commit("销售额口径调整", {"content/metrics.yaml": changed}, days_before=3),
        Commit("指标改名", {"content/metrics.yaml": renamed}, days_before=2),
    )
    found = history_of(root)
    rename, definition, _ = found.of("team-lead")
    assert (definition.subject, definition.file, definition.kind) == (
        "销售额口径调整", "content/metrics.yaml", "substantive",
    )  # fmt: skip
    (change,) = definition.changes
    assert (change.path, change.item, change.file) == (
        ("metrics", "revenue", "definition"),
        "销售额",
        None,
    )
    assert "含已开票未发货的合同额" in str(change.new)
    assert (rename.kind, [c.path for c in rename.changes]) == (
        "wording",
        [("metrics", "revenue", "name")],
    )
    assert [r.subject for r in found.of("sales-clerk")] == ["初始版本"]  # uses no metric


def test_a_revision_that_does_not_parse_is_unclassified_with_its_subject(tmp_path: Path) -> None:
    broken = LEAD.replace("  version:", "\tversion:")
    root = project(
        tmp_path,
        Commit("误存的文件", {LEAD_FILE: broken}, days_before=3),
        Commit("修复并提高目标", {LEAD_FILE: edit(LEAD, TARGET_120)}, days_before=2),
    )
    fixed, bad, _ = history_of(root).of("team-lead")
    assert (bad.parsed, bad.kind, bad.subject, bad.version, bad.changes) == (
        False, "unclassified", "误存的文件", None, (),
    )  # fmt: skip
    # the next revision that parses is compared with the last one that did
    assert [c.path for c in fixed.changes] == [("goals", "G1", "target")] and fixed.parsed


def test_a_confidential_change_keeps_its_values_marked(tmp_path: Path) -> None:
    amount = edit(LEAD, ("奖金基数3000元", "奖金基数3500元"))
    tagged = edit(amount, ("    target: 100", "    target: !confidential 120"))
    root = project(
        tmp_path,
        Commit("奖金基数", {LEAD_FILE: amount}, days_before=3),
        Commit("目标保密", {LEAD_FILE: tagged}, days_before=2),
    )
    target, bonus, _ = history_of(root).of("team-lead")
    (change,) = bonus.changes  # incentives.rewards.amount is confidential by the policies
    assert change.confidential and "3500" in str(change.new)
    (change,) = target.changes
    assert change.confidential and change.new == "120"


def test_without_a_repository_the_history_is_unavailable_and_all_else_works(tmp_path: Path) -> None:
    root = make_project(tmp_path / "handbook", {"team-lead.yaml": LEAD}, mini=False, company=True)
    handbook = load(root)
    assert handbook.history.unavailable == "not_a_repository" and not handbook.history.available
    assert run(root, "validate").exit_code == 0
    rendered = run(root, "render", "--out", str(tmp_path / "pages"))
    assert rendered.exit_code == 0, rendered.output
    result = run(root, "history")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == "no revision history: the project is not in a git repository\n"


def test_a_repository_without_commits_or_without_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "handbook", {"team-lead.yaml": LEAD}, mini=False, company=True)
    git(root, "init", "-q", "-b", "main")
    assert history_of(root).unavailable == "no_commits"
    monkeypatch.setattr("generator.read.history.shutil.which", lambda name: None)
    assert history_of(root).unavailable == "no_git"


def test_a_shallow_clone_has_no_history(tmp_path: Path) -> None:
    root = project(tmp_path, Commit("提高目标", {LEAD_FILE: edit(LEAD, TARGET_120)}))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    handbook = load(clone)
    assert handbook.history.unavailable == "shallow" and handbook.roles
    assert run(clone, "history", "--format", "json").stdout.strip() == (
        '{"available": false, "reason": "shallow"}'
    )


def test_a_project_in_a_folder_of_a_repository(tmp_path: Path) -> None:
    """The repository holds more than the handbook: paths are the project's own."""
    outer = tmp_path / "company"
    root = make_project(outer / "hr-handbook", {"team-lead.yaml": LEAD}, mini=False, company=True)
    (outer / "README.md").write_text("其他资料\n", encoding="utf-8")
    git(outer, "init", "-q", "-b", "main")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "初始版本", days_before=30)
    (root / LEAD_FILE).write_text(edit(LEAD, TARGET_120), encoding="utf-8")
    (outer / "README.md").write_text("其他资料（更新）\n", encoding="utf-8")
    git(outer, "commit", "-q", "-am", "提高目标", days_before=1)
    newest, _ = history_of(root).of("team-lead")
    assert (newest.file, [c.path for c in newest.changes]) == (
        LEAD_FILE,
        [("goals", "G1", "target")],
    )


# Version discipline ----------------------------------------------------------------


def test_a_substantive_change_without_a_new_version_is_a_warning(tmp_path: Path) -> None:
    root = project(tmp_path, Commit("提高目标", {LEAD_FILE: edit(LEAD, TARGET_120)}))
    handbook = load(root)
    commit = handbook.history.of("team-lead")[0].commit[:7]
    change = f"goals.G1.target (月度销售额) changed in {commit} on 2026-11-27"
    assert version_findings(handbook) == [
        f"version: substantive change since version 1.0 was set: {change}; raise"
        " document.version (a new version is signed again)",
        f"last_reviewed: last_reviewed (2026-10-01) was not changed since the substantive"
        f" change {change}: review the role and set the date of that review",
    ]
    found = next(f for f in handbook.warnings if f.kind == "version")
    assert (found.file.name, found.line, found.severity) == ("team-lead.yaml", 9, "warning")
    assert run(root, "validate", "--strict").exit_code == 1


@pytest.mark.parametrize(
    ("commits", "expected"),
    [
        # the version and the review date raised with the change, or after it
        ([Commit("提高目标", {LEAD_FILE: edit(LEAD, TARGET_120, VERSION_11, REVIEWED)})], []),
        (
            [
                Commit("提高目标", {LEAD_FILE: edit(LEAD, TARGET_120)}, days_before=3),
                Commit("1.1 版", {LEAD_FILE: edit(LEAD, TARGET_120, VERSION_11, REVIEWED)}),
            ],
            [],
        ),
        # a new version, but not reviewed again
        ([Commit("提高目标", {LEAD_FILE: edit(LEAD, TARGET_120, VERSION_11)})], ["last_reviewed"]),
        ([Commit("错别字", {LEAD_FILE: edit(LEAD, TYPO)})], []),  # wording needs nothing
    ],
    ids=["raised-together", "raised-after", "not-reviewed", "wording"],
)
def test_a_new_version_and_review_date_answer_for_substantive_changes(
    tmp_path: Path, commits: list[Commit], expected: list[str]
) -> None:
    handbook = load(project(tmp_path, *commits))
    assert [message.split(":")[0] for message in version_findings(handbook)] == expected


def test_uncommitted_changes_count_until_the_version_is_raised(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / LEAD_FILE).write_text(edit(LEAD, TARGET_120), encoding="utf-8")
    (version, _) = version_findings(load(root))
    assert "goals.G1.target (月度销售额) changed (uncommitted)" in version
    assert load(root).history.uncommitted["team-lead"][0].old == "100"
    (root / LEAD_FILE).write_text(edit(LEAD, TARGET_120, VERSION_11, REVIEWED), encoding="utf-8")
    assert version_findings(load(root)) == []
    (root / LEAD_FILE).write_text(edit(LEAD, TYPO), encoding="utf-8")
    assert version_findings(load(root)) == []


def test_a_metric_changed_asks_for_a_new_version_of_the_roles_using_it(tmp_path: Path) -> None:
    metrics = (Path(__file__).parent.parent / "content/metrics.yaml").read_text("utf-8")
    changed = edit(metrics, ("全公司唯一的销售额口径", "含已开票未发货的合同额"))
    root = project(tmp_path, Commit("销售额口径调整", {"content/metrics.yaml": changed}))
    (version, _) = version_findings(load(root))
    assert "content/metrics.yaml: metrics.revenue.definition (销售额) changed in" in version
    assert all("sales-clerk" not in str(f.file) for f in load(root).warnings if f.kind == "version")


# handbook history --------------------------------------------------------------------


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A handbook revised three times: a typo, a bonus amount (confidential), a target."""
    amount = edit(LEAD, TYPO, ("奖金基数3000元", "奖金基数3500元"))
    return project(
        tmp_path_factory.mktemp("revised"),
        Commit("修改错别字", {LEAD_FILE: edit(LEAD, TYPO)}, days_before=5),
        Commit("调整奖金基数", {LEAD_FILE: amount}, days_before=3, author="人力资源部 王芳"),
        Commit("提高目标", {LEAD_FILE: edit(amount, TARGET_120, VERSION_11, REVIEWED)}),
    )


def test_history_lists_a_roles_revisions_newest_first(revised: Path) -> None:
    result = run(revised, "history", "team-lead")
    assert result.exit_code == 0, result.output
    commits = [line.split()[1] for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert len(commits) == 4 and all(len(c) == 7 for c in commits)
    target, bonus, typo, first = result.stdout.split("\n2026-")
    assert target.splitlines() == [
        f"2026-11-27  {commits[0]}  team-lead  version 1.1  substantive",
        "    提高目标",
        "    by 人力资源部 李敏, approved by 总经理",
        "    substantive  goals.G1.target (月度销售额): 100 → 120",
    ]
    assert bonus.splitlines()[2:] == [
        "    by 人力资源部 王芳, approved by 总经理",
        "    substantive  incentives.rewards.季度绩效奖金.amount: changed (confidential)",
    ]
    assert "3500" not in result.stdout and "3000" not in result.stdout
    sentence = "每月开发有效新客户不少于 5 家，并在 CRM 中建立客户档案"
    assert typo.splitlines()[-1] == (
        "    wording      responsibilities.客户开发.duties.D1.description (新客户开发):"
        f" {sentence}。 → {sentence}"
    )
    assert first.splitlines()[-1] == "    substantive  whole file (销售组长): added"
    shown = run(revised, "history", "team-lead", "--show-confidential").stdout
    assert "amount (季度绩效奖金): 奖金基数3000元 × 等级系数 → 奖金基数3500元 × 等级系数" in shown


def test_history_as_json_since_a_date_or_a_commit(revised: Path) -> None:
    result = run(revised, "history", "--format", "json", "--since", "2026-11-25")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    rows = payload["revisions"]
    assert payload["available"] and [r["subject"] for r in rows] == ["提高目标", "调整奖金基数"]
    assert {k: rows[0][k] for k in ("role", "version", "approved_by", "kind", "parsed")} == {
        "role": "team-lead", "version": "1.1", "approved_by": "总经理",
        "kind": "substantive", "parsed": True,
    }  # fmt: skip
    assert rows[0]["date"] == "2026-11-27T10:00:00+08:00" and len(rows[0]["commit"]) == 40
    assert rows[0]["changes"] == [
        {
            "path": ["goals", "G1", "target"], "field": "goals.G1.target", "file": LEAD_FILE,
            "action": "changed", "kind": "substantive", "item": "月度销售额",
            "confidential": False, "old": "100", "new": "120",
        }
    ]  # fmt: skip
    (secret,) = rows[1]["changes"]
    assert secret["confidential"] and secret["old"] is None and secret["new"] is None
    bonus = rows[1]["commit"]
    after = json.loads(run(revised, "history", "--since", bonus, "--format", "json").stdout)
    assert [r["subject"] for r in after["revisions"]] == ["提高目标"]
    everything = json.loads(run(revised, "history", "--format", "json").stdout)["revisions"]
    assert [(r["role"], r["subject"]) for r in everything] == [
        ("team-lead", "提高目标"), ("team-lead", "调整奖金基数"), ("team-lead", "修改错别字"),
        ("team-lead", "初始版本"), ("sales-clerk", "初始版本"),
    ]  # fmt: skip


def test_history_refuses_an_unknown_role_or_commit(revised: Path) -> None:
    result = run(revised, "history", "nobody")
    assert result.exit_code == 2
    assert "no role 'nobody' (known: sales-clerk, team-lead)" in result.stderr
    result = run(revised, "history", "--since", "no-such-tag")
    assert result.exit_code == 2 and "no commit 'no-such-tag'" in result.stderr
    result = run(revised, "history", "--since", "2026-02-30")
    assert result.exit_code == 2 and "no such date: 2026-02-30" in result.stderr


def test_a_rating_scale_changed_shows_on_the_roles_rated_on_it(tmp_path: Path) -> None:
    policies = (Path(__file__).parent.parent / "content/policies.yaml").read_text("utf-8")
    changed = edit(policies, ("        score_percent: 120\n", "        score_percent: 130\n"))
    root = project(tmp_path, Commit("A级系数", {"content/policies.yaml": changed}))
    found = history_of(root)
    newest, _ = found.of("team-lead")  # G2 is rated on the company's scale
    assert [(c.path, c.old, c.new, c.kind) for c in newest.changes] == [
        (("rating_scales", "company", "levels", "A", "score_percent"), "120", "130", "substantive")
    ]
    assert newest.file == "content/policies.yaml" and newest.version == "1.0"
    assert len(found.of("sales-clerk")) == 1


def test_an_uncommitted_metric_change_counts_for_the_roles_using_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    metrics = root / "content/metrics.yaml"
    metrics.write_text(
        edit(metrics.read_text("utf-8"), ("全公司唯一的销售额口径", "含预收款")), encoding="utf-8"
    )
    handbook = load(root)
    (change,) = handbook.history.uncommitted["team-lead"]
    assert (change.path, change.file) == (
        ("metrics", "revenue", "definition"),
        "content/metrics.yaml",
    )
    assert "sales-clerk" not in handbook.history.uncommitted
    assert (
        "content/metrics.yaml: metrics.revenue.definition (销售额) changed (uncommitted)"
        in (version_findings(handbook)[0])
    )


def test_the_history_kept_between_loads_follows_new_commits(tmp_path: Path) -> None:
    root = project(tmp_path, Commit("错别字", {LEAD_FILE: edit(LEAD, TYPO)}, days_before=2))
    first = history_of(root)
    assert history_of(root) == first  # (read again from what the first load kept)
    (root / LEAD_FILE).write_text(edit(LEAD, TYPO, TARGET_120), encoding="utf-8")
    git(root, "commit", "-q", "-am", "提高目标", days_before=1)
    again = history_of(root)
    assert [r.subject for r in again.of("team-lead")] == ["提高目标", "错别字", "初始版本"]
    assert again.of("team-lead")[1:] == first.of("team-lead")
