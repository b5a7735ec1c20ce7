"""A corpus of bad role files, each with the exact messages it must produce.

``tests/bad/<case>.yaml`` (or ``.bin`` for files whose bytes matter: encodings,
line endings, control characters) is copied to ``content/roles/<case>.yaml`` of a
throw-away project and loaded with :func:`load_handbook`; ``tests/bad/<case>.expected``
holds the headline (``file:line:col: field: message``) of every finding, in report
order. An empty ``.expected`` means the file is accepted. A ``<case>.handbook.yml``
beside a case replaces the project's settings, and a case that is a folder is copied
as a folder. What git cannot hold (a FIFO, symbolic links that loop, dangle or lead out
of the project) is made at test time in ``tests/test_source.py``.

Most cases are the valid mini role with one edit (its id set to the case name, its
direct report removed so that it stands alone). They are written by this module::

    python3 tests/test_bad_input.py            # rewrite the case files from CASES
    UPDATE_EXPECTED=1 python3 -m pytest tests/test_bad_input.py   # then the messages

and the ``.expected`` files are read and reviewed by a person before committing.
"""

from __future__ import annotations

import codecs
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

if __name__ == "__main__":  # run as a script: make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.check import load_handbook
from generator.read.findings import ContentError, Finding
from generator.read.project import open_project
from generator.render.pages import render_pages
from tests.conftest import MINI_ROLES, TODAY, make_project

BAD = Path(__file__).resolve().parent / "bad"
UPDATE = os.environ.get("UPDATE_EXPECTED") == "1"
MINI = (MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8")


# --- the cases -------------------------------------------------------------------------


def base(case: str) -> str:
    """The valid mini role as ``content/roles/<case>.yaml`` of a project of its own."""
    return edit(edit(MINI, "id: team-lead", f"id: {case}"), "[sales-rep]", "[]")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def crlf_every_other_line(text: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(line.replace("\n", "\r\n") if i % 2 else line for i, line in enumerate(lines))


def billion_laughs() -> str:
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


Maker = Callable[[str], "str | bytes"]

#: case name -> the file's content, given the case name. ``str`` is written as UTF-8
#: to ``<case>.yaml``, ``bytes`` as they are to ``<case>.bin``.
CASES: dict[str, Maker] = {
    # YAML syntax
    "syntax-unclosed-bracket": lambda c: edit(
        base(c), "skills: [谈判技巧, CRM 系统操作]", "skills: [谈判技巧, CRM 系统操作"
    ),
    "syntax-unclosed-bracket-at-end": lambda c: edit(
        base(c), "owner: 销售组长\n", "owner: [销售组长\n"
    ),
    "syntax-unclosed-quote": lambda c: edit(base(c), "title: 销售组长", 'title: "销售组长'),
    "syntax-bad-indentation": lambda c: edit(base(c), "  owner: 人力资源部", " owner: 人力资源部"),
    "syntax-stray-colon": lambda c: edit(base(c), "title: 销售组长", "title: 销售组长: 主管"),
    "syntax-dash-without-space": lambda c: edit(base(c), "  - area: 团队管理", "  -area: 团队管理"),
    "syntax-two-documents": lambda c: base(c) + "---\nid: sales-rep\n",
    "tab-indentation": lambda c: edit(base(c), "  owner: 人力资源部", "\towner: 人力资源部"),
    "duplicate-key-top-level": lambda c: edit(
        base(c), "department: 销售部\n", "department: 销售部\ntitle: 销售主管\n"
    ),
    "duplicate-key-nested": lambda c: edit(
        base(c), "    unit: 万元\n", "    unit: 万元\n    unit: 元\n"
    ),
    "key-not-a-name": lambda c: edit(base(c), "grade: M1", "[grade, level]: M1"),
    # Documents that are not a role
    "empty": lambda c: "",
    "only-comments": lambda c: "# 销售组长的岗位说明书\n# 待人力资源部补充\n\n",
    "top-level-list": lambda c: "- team-lead\n- sales-rep\n",
    "plain-string": lambda c: "销售组长\n",
    # Encodings, line endings, bytes
    "gbk": lambda c: base(c).encode("gbk"),
    "gbk-one-line": lambda c: (
        base(c).encode("utf-8").replace("title: 销售组长".encode(), "title: 销售组长".encode("gbk"))
    ),
    "utf16-bom": lambda c: codecs.BOM_UTF16_LE + base(c).encode("utf-16-le"),
    "utf16-no-bom": lambda c: base(c).encode("utf-16-le"),
    "utf16-big-endian-no-bom": lambda c: base(c).encode("utf-16-be"),
    "utf8-bom": lambda c: codecs.BOM_UTF8 + base(c).encode("utf-8"),
    "line-endings-mixed": lambda c: crlf_every_other_line(base(c)).encode("utf-8"),
    "line-endings-mixed-with-error": lambda c: crlf_every_other_line(
        edit(base(c), "    weight: 70\n", "    weight: 百分之七十\n")
    ).encode("utf-8"),
    "line-endings-old-mac-with-error": lambda c: (
        edit(base(c), "    weight: 70\n", "    weight: 百分之七十\n")
        .replace("\n", "\r")
        .encode("utf-8")
    ),
    "control-character": lambda c: edit(base(c), "title: 销售组长", "title: 销售\x0c组长").encode(),
    "binary": lambda c: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
    # Characters written as escapes in double quotes: the file is clean, the values not
    "escape-control-character": lambda c: edit(base(c), "title: 销售组长", 'title: "销售\\e组长"'),
    "escape-nul": lambda c: edit(base(c), "unit: 万元", 'unit: "万元\\0"'),
    "escape-noncharacter": lambda c: edit(
        base(c), "evidence: 晨会记录", 'evidence: "晨会记录\\uFFFF"'
    ),
    "escape-several": lambda c: edit(
        edit(
            edit(
                base(c),
                "authority: [小组内客户分配建议权]",
                'authority: ["小组内\\v客户分配建议权"]',
            ),
            "      text: 完成率每低 1% 扣 1 分；低于 80% 不得分。",
            '      text: "\\x07完成率每低 1% 扣 1 分；低于 80% 不得分。"',
        ),
        "purpose: 带领",
        'purpose: "\\x9b\\N带领',
    ).replace("月度销售目标，维护重点客户关系。\n", '月度销售目标，维护重点客户关系。"\n', 1),
    "escape-bidi-controls": lambda c: edit(
        edit(base(c), "title: 销售组长", 'title: "销售\\u202e长组"'),
        "      - text: 在 CRM 中更新客户跟进记录",
        "      - text: 在 \u2066CRM\u2069 中更新客户跟进记录",
    ),
    # YAML features that are refused
    "alias": lambda c: edit(
        edit(
            base(c),
            "    assessor: 销售部经理\n    duty: D1",
            "    assessor: &boss 销售部经理\n    duty: D1",
        ),
        "    assessor: 销售部经理\n    duty: D2",
        "    assessor: *boss\n    duty: D2",
    ),
    "alias-bomb": lambda c: billion_laughs(),
    "merge-key": lambda c: edit(base(c), "    weight: 30\n", "    <<: {weight: 30}\n"),
    "anchor-without-alias": lambda c: edit(base(c), "grade: M1", "grade: &level M1"),
    "text-starting-with-star": lambda c: edit(
        base(c), "evidence: 晨会记录", "evidence: *晨会记录*"
    ),
    "text-starting-with-at": lambda c: edit(base(c), "owner: 销售组长", "owner: @销售组长"),
    "backslash-in-double-quotes": lambda c: edit(
        base(c), "data_source: 季度评议表", 'data_source: "D:\\评议\\x2026.xlsx"'
    ),
    "custom-tag": lambda c: edit(
        base(c), "grade: M1", "grade: !!python/object/apply:os.system [ls]"
    ),
    "deep-nesting-flow": lambda c: edit(
        base(c),
        "authority: [小组内客户分配建议权]",
        "authority: " + "[" * 5000 + "小组内客户分配建议权" + "]" * 5000,
    ),
    "deep-nesting-block": lambda c: edit(
        base(c),
        "authority: [小组内客户分配建议权]",
        "authority:\n" + "- " * 5000 + "小组内客户分配建议权",
    ),
    "oversized": lambda c: base(c),  # with max_file_bytes: 1024 (oversized.handbook.yml)
    # Keys
    "unknown-key-with-suggestion": lambda c: edit(base(c), "responsibilities:", "responsibilties:"),
    "unknown-key-nested-with-suggestion": lambda c: edit(
        base(c), "    weight: 70", "    wieght: 70"
    ),
    "unknown-key-without-close-match": lambda c: edit(
        base(c), "headcount: 2\n", "headcount: 2\nsalary: 8000\n"
    ),
    "missing-required-field": lambda c: edit(base(c), "department: 销售部\n", ""),
    "missing-required-nested-field": lambda c: edit(base(c), "    metric: 月度销售回款额\n", ""),
    # Types
    "wrong-type-list-for-text": lambda c: edit(base(c), "title: 销售组长", "title: [销售组长]"),
    "wrong-type-text-for-number": lambda c: edit(base(c), "hours: 6", "hours: 六小时"),
    "wrong-type-mapping-for-list": lambda c: edit(
        base(c), "authority: [小组内客户分配建议权]", "authority: {分配: 小组内客户分配建议权}"
    ),
    "wrong-type-text-for-mapping": lambda c: edit(
        base(c),
        "qualifications:\n  education: [大专及以上学历]\n  experience: [3 年以上销售经验]\n"
        "  skills: [谈判技巧, CRM 系统操作]\n  qualities: [沟通能力强, 抗压能力强]\n",
        "qualifications: 大专及以上学历，3 年以上销售经验\n",
    ),
    "wrong-type-text-for-true-false": lambda c: edit(base(c), "onboarding: true", "onboarding: 是"),
    "wrong-date": lambda c: edit(
        base(c), "last_reviewed: 2026-06-01", "last_reviewed: 2026年6月1日"
    ),
    "empty-text": lambda c: edit(base(c), "title: 销售组长", 'title: ""'),
    "nothing-for-text": lambda c: edit(base(c), "title: 销售组长", "title:"),
    "number-not-a-number": lambda c: edit(base(c), "    weight: 70", "    weight: .nan"),
    "number-with-underscore": lambda c: edit(base(c), "    weight: 70", "    weight: 7_0"),
    "number-with-exponent": lambda c: edit(base(c), "hours: 6", "hours: 6e0"),
    "long-value-in-number": lambda c: edit(base(c), "hours: 6", "hours: " + "六个小时的课程" * 40),
    "text-too-long": lambda c: edit(
        base(c),
        "description: 每月开发有效新客户不少于 5 家，并在 CRM 中建立客户档案。",
        "description: " + "每月开发有效新客户不少于 5 家，并在 CRM 中建立客户档案。" * 80,
    ),
    "unknown-choice": lambda c: edit(base(c), "format: case_study", "format: 案例分析"),
    # Ids
    "id-with-dot-dot": lambda c: edit(base(c), f"id: {c}", "id: ../team-lead"),
    "id-with-capitals": lambda c: edit(base(c), f"id: {c}", "id: Team-Lead"),
    "id-with-spaces": lambda c: edit(base(c), f"id: {c}", "id: team lead"),
    "id-differs-from-file-name": lambda c: edit(base(c), f"id: {c}", "id: team-lead"),
    # Accepted: YAML 1.1 values stay as written (values checked in test_yaml_11_traps)
    "yaml-1-1-traps": lambda c: edit(
        edit(
            edit(edit(base(c), "grade: M1", "grade: no"), "purpose: 带领", "purpose: 2026-01-05"),
            "        evidence: 晨会记录",
            "        evidence: 0123",
        ),
        "category: 专业技能",
        "category: on",
    ),
    # Accepted: only ~, null and nothing mean "empty" (see test_empty_values_mean_nothing)
    "empty-values": lambda c: edit(
        edit(base(c), "grade: M1", "grade: ~"),
        "        evidence: 晨会记录",
        "        evidence: null",
    ).replace("      phase: 第二季度\n", "      week: 5\n      phase:\n"),
}

#: cases whose project has other settings
SETTINGS = {"oversized": "max_file_bytes: 1024\n"}
#: cases that are folders named like a role file
FOLDERS = {"folder-named-like-a-role-file": {"README.txt": "not a role\n"}}


def write_cases() -> None:
    """(Re)write the case files from CASES, SETTINGS and FOLDERS."""
    BAD.mkdir(exist_ok=True)
    for name, make in CASES.items():
        data = make(name)
        for old in (BAD / f"{name}.yaml", BAD / f"{name}.bin"):
            old.unlink(missing_ok=True)
        if isinstance(data, str):
            (BAD / f"{name}.yaml").write_bytes(data.encode("utf-8"))
        else:
            (BAD / f"{name}.bin").write_bytes(data)
    for name, settings in SETTINGS.items():
        (BAD / f"{name}.handbook.yml").write_text(settings, encoding="utf-8")
    for name, files in FOLDERS.items():
        folder = BAD / f"{name}.yaml"
        folder.mkdir(exist_ok=True)
        for file, text in files.items():
            (folder / file).write_text(text, encoding="utf-8")


# --- the test ------------------------------------------------------------------------


def corpus() -> list[str]:
    if not BAD.is_dir():
        return []
    return sorted({p.stem for p in BAD.iterdir() if p.suffix in (".yaml", ".bin")})


def case_file(name: str) -> Path:
    for suffix in (".yaml", ".bin"):
        if (BAD / f"{name}{suffix}").exists():
            return BAD / f"{name}{suffix}"
    raise FileNotFoundError(name)


def project_with_case(tmp_path: Path, name: str) -> Path:
    root = make_project(tmp_path / "p", mini=False)
    settings = BAD / f"{name}.handbook.yml"
    if settings.exists():
        shutil.copy(settings, root / "handbook.yml")
    source, target = case_file(name), root / "content" / "roles" / f"{name}.yaml"
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    return root


def load(root: Path) -> list[Finding]:
    try:
        handbook = load_handbook(open_project(root), today=TODAY)
    except ContentError as exc:
        assert exc.findings, "ContentError without findings"
        findings = exc.findings
    else:
        findings = handbook.warnings
    return sorted(findings, key=lambda f: (f.file.as_posix(), f.line, f.column))


@pytest.mark.parametrize("name", corpus())
def test_bad_input(tmp_path: Path, name: str) -> None:
    root = project_with_case(tmp_path, name)
    started = time.perf_counter()
    findings = load(root)
    assert time.perf_counter() - started < 3, "loading one file must be fast"
    reports = [f.format(root) for f in findings]
    headlines = [r.splitlines()[0] for r in reports]
    expected_file = BAD / f"{name}.expected"
    if UPDATE:
        expected_file.write_text("".join(h + "\n" for h in headlines), encoding="utf-8")
    assert headlines == expected_file.read_text(encoding="utf-8").splitlines()
    for finding, report in zip(findings, reports, strict=True):
        lines = report.splitlines()
        if finding.line == 0:  # the whole file: no line to show
            assert len(lines) == 1, report
            continue
        assert len(lines) == 3, f"a located finding shows its line and a caret:\n{report}"
        _, shown, caret = lines
        assert shown.startswith("    ") and caret.startswith("    ")
        assert caret.strip() == "^" and len(caret) - 4 == finding.column
        assert finding.column <= len(shown) - 4 + 1, "the caret is within or just after the line"


def test_every_generated_case_is_in_the_corpus() -> None:
    for name, make in CASES.items():
        data = make(name)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        assert case_file(name).read_bytes() == raw, f"run python3 {__file__} to rewrite {name}"
    for name in [*CASES, *SETTINGS, *FOLDERS]:
        assert (BAD / f"{name}.expected").exists(), name


def test_yaml_11_traps_keep_the_values_as_written(tmp_path: Path) -> None:
    root = project_with_case(tmp_path, "yaml-1-1-traps")
    role = load_handbook(open_project(root), today=TODAY).role("yaml-1-1-traps")
    assert role.grade == "no"  # not the boolean False
    assert role.document.version == "1.10"  # not the number 1.1
    assert role.purpose.startswith("2026-01-05")  # not a date
    assert role.checklists[0].items[0].evidence == "0123"  # not the octal number 83
    assert role.training is not None and role.training.modules[0].category == "on"  # not True
    assert role.goals[0].weight == 70 and role.headcount == 2  # numbers are still numbers


def test_empty_values_mean_nothing(tmp_path: Path) -> None:
    root = project_with_case(tmp_path, "empty-values")
    role = load_handbook(open_project(root), today=TODAY).role("empty-values")
    assert role.grade is None
    assert role.checklists[0].items[0].evidence is None
    assert role.training is not None and role.training.modules[1].phase is None


def test_a_yaml_file_outside_roles_is_neither_loaded_nor_published(tmp_path: Path) -> None:
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from generator.site.plugin import HandbookPlugin

    root = make_project(tmp_path / "p")
    (root / "content" / "notes.yaml").write_text("- 这不是岗位文件\n- [未闭合\n", encoding="utf-8")
    (root / "content" / "team.yml").write_text("id: Not A Role\n", encoding="utf-8")
    handbook = load_handbook(open_project(root), today=TODAY)
    assert [r.id for r in handbook.roles] == ["sales-rep", "team-lead"]
    assert handbook.warnings == []
    pages = render_pages(handbook, downloads=False)
    assert not [page for page in pages if "notes" in page or "team." in page]
    # What MkDocs would publish from content/: the plugin drops every YAML file.
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["handbook"]
    assert isinstance(plugin, HandbookPlugin)
    plugin.config.pages_dir, plugin.config.pages = str(tmp_path / "pages"), list(pages)
    config = plugin.on_config(config)
    files = get_files(config)
    assert {"notes.yaml", "team.yml"} <= {f.src_uri for f in files}
    published = {f.src_uri for f in plugin.on_files(files, config=config)}
    assert not {"notes.yaml", "team.yml"} & published
    assert "roles/team-lead/index.md" in published


if __name__ == "__main__":
    write_cases()
    print(f"wrote {len(CASES) + len(FOLDERS)} cases into {BAD}")
