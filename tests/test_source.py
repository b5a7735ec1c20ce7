"""Reading role files: every mistake is located at file:line:column with a plain message."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.check import load_handbook
from generator.read import source
from generator.read.company import Company
from generator.read.findings import ContentError, Finding
from generator.read.handbook import load_role
from generator.read.project import open_project
from generator.read.source import SourceError, read_document
from tests.conftest import TODAY, make_project

MINI = (Path(__file__).parent / "fixtures" / "mini" / "roles" / "team-lead.yaml").read_text(
    encoding="utf-8"
)


def findings_for(tmp_path: Path, data: bytes | str, name: str = "team-lead.yaml") -> list[Finding]:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    _, findings = load_role(path, 64 * 1024, Company())
    return findings


def headline(finding: Finding, root: Path) -> str:
    return finding.format(root).splitlines()[0]


def test_syntax_error_points_at_the_line_and_shows_it(tmp_path: Path) -> None:
    text = "id: team-lead\ntitle: [销售组长\ndepartment: 销售部\n"
    (finding,) = findings_for(tmp_path, text)
    assert finding.line == 3 and finding.column == 11
    assert finding.message.startswith("YAML syntax error:")
    report = finding.format(tmp_path)
    assert report.splitlines()[0].startswith("team-lead.yaml:3:11: YAML syntax error")
    assert report.splitlines()[1].strip() == "department: 销售部"
    assert report.splitlines()[2] == "    " + " " * 10 + "^"


def test_tab_indentation_is_named(tmp_path: Path) -> None:
    text = "id: team-lead\ndocument:\n\tversion: 1\n"
    (finding,) = findings_for(tmp_path, text)
    assert headline(finding, tmp_path) == (
        "team-lead.yaml:3:1: tab character in indentation: indent with spaces only"
    )


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    text = "id: team-lead\ntitle: 组长\ntitle: 主任\n"
    (finding,) = findings_for(tmp_path, text)
    assert headline(finding, tmp_path) == (
        "team-lead.yaml:3:1: title: duplicate key 'title' (first written on line 2)"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    (finding,) = findings_for(tmp_path, text)
    assert headline(finding, tmp_path) == (
        "team-lead.yaml: file is empty: expected a role definition"
    )


def test_gbk_file_gets_a_resave_hint(tmp_path: Path) -> None:
    (finding,) = findings_for(tmp_path, "id: team-lead\ntitle: 销售组长\n".encode("gbk"))
    assert finding.line == 2 and finding.column == 8
    assert "not UTF-8" in finding.message and "GBK" in finding.message
    assert "re-save it as UTF-8" in finding.message


def test_utf16_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_LE + "id: team-lead\n".encode("utf-16-le")
    (finding,) = findings_for(tmp_path, data)
    assert finding.message == "file is UTF-16, not UTF-8: re-save it as UTF-8"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    assert findings_for(tmp_path, codecs.BOM_UTF8 + MINI.encode("utf-8")) == []


def test_windows_line_endings_are_accepted(tmp_path: Path) -> None:
    assert findings_for(tmp_path, MINI.replace("\n", "\r\n")) == []


@pytest.mark.parametrize(
    ("old", "new", "severity", "code"),
    [
        ("title: 销售组长", "title: 销售\u202e组长", "warning", "U+202E"),
        ("evidence: 晨会记录", "evidence: 晨会\ufdd0记录", "error", "U+FDD0"),
    ],
    ids=["bidi-control", "noncharacter"],
)
def test_characters_written_as_they_are_are_found_in_any_value(
    tmp_path: Path, old: str, new: str, severity: str, code: str
) -> None:
    """Without a backslash in the file, values are not searched one by one unless the text
    holds what they are searched for: a bidirectional control or a noncharacter written as
    it is (not escaped) is still reported, at its value."""
    text = MINI.replace(old, new)
    assert "\\" not in text and new in text
    (finding,) = findings_for(tmp_path, text)
    assert finding.severity == severity and code in finding.message
    assert (finding.line, finding.loc[-1]) == (
        text[: text.index(new)].count("\n") + 1,
        new.split(":")[0],
    )


def test_every_character_a_value_may_not_hold_is_looked_for() -> None:
    """Values are searched one by one only in files whose text could give them a character
    of ``_NOT_IN_VALUES`` or ``_BIDI_CONTROL``: each such character is refused in the text
    as it is (``_CONTROL``) or makes the file's values searched (``_VALUE_TROUBLE``)."""
    missed = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if (source._NOT_IN_VALUES.match(chr(code)) or source._BIDI_CONTROL.match(chr(code)))
        and not source._CONTROL.match(chr(code))
        and not source._VALUE_TROUBLE.match(chr(code))
    ]
    assert missed == []


def test_aliases_are_refused(tmp_path: Path) -> None:
    text = "id: &x team-lead\ntitle: *x\n"
    (finding,) = findings_for(tmp_path, text)
    assert headline(finding, tmp_path) == (
        "team-lead.yaml:2:1: title: anchors and aliases (&name, *name) are not supported"
    )


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    (finding,) = findings_for(tmp_path, "\n".join(lines) + "\n")
    assert "anchors and aliases" in finding.message


def test_custom_tags_are_refused(tmp_path: Path) -> None:
    (finding,) = findings_for(tmp_path, "id: !!python/name:os.system team-lead\n")
    assert "custom YAML tag" in finding.message


def test_oversized_file_names_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("purpose: " + "长" * 400 + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_document(path, max_bytes=1024)
    assert "more than the limit of 1,024" in caught.value.finding.message


def test_yaml_11_traps_stay_as_written_in_text_fields(tmp_path: Path) -> None:
    text = MINI.replace("grade: M1", "grade: no").replace(
        "purpose: 带领", "purpose: 2026-01-05 起带领"
    )
    path = tmp_path / "team-lead.yaml"
    path.write_text(text, encoding="utf-8")
    sourced, findings = load_role(path, 64 * 1024, Company())
    assert findings == [] and sourced is not None
    role = sourced.role
    assert role.grade == "no"  # not the boolean False
    assert role.document.version == "1.10"  # not the float 1.1
    assert role.purpose.startswith("2026-01-05 起")  # not a date object


def test_folder_named_like_a_role_file(tmp_path: Path) -> None:
    folder = tmp_path / "team-lead.yaml"
    folder.mkdir()
    _, (finding,) = load_role(folder, 1024, Company())
    assert finding.message == "is a folder, expected a role file (.yaml)"


class _RefusingLoader(source._Loader):  # type: ignore[name-defined,misc]
    """libyaml as newer releases are: nesting past a limit (here 10 levels) is refused
    before the events that reach it, in words of its own."""

    def get_event(self) -> yaml.Event:
        event = super().get_event()
        if isinstance(event, yaml.CollectionStartEvent) and event.start_mark.column > 20:
            raise yaml.MarkedYAMLError("while nesting", event.start_mark, "too deep for me")
        return event


def test_deep_nesting_is_reported_in_our_words_whatever_libyaml_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source, "_Loader", _RefusingLoader)
    deep = MINI.replace("authority: [小组内客户分配建议权]", "authority: " + "[" * 60 + "]" * 60)
    (finding,) = findings_for(tmp_path, deep)
    assert headline(finding, tmp_path) == (
        "team-lead.yaml:45:61: authority[0]: lists and mappings are nested more than 50 levels"
        " deep (a role file needs a few)"
    )
    # Not too deep for us, but a syntax error: libyaml's message stands.
    broken = MINI.replace("authority: [小组内客户分配建议权]", "authority: " + "[" * 30 + "]" * 29)
    (finding,) = findings_for(tmp_path, broken)
    assert finding.message.startswith("YAML syntax error: too deep for me")


def _file_system_traps(roles: Path, outside: Path) -> None:
    """Beside the valid mini roles: what a folder of role files may also hold."""
    os.mkfifo(roles / "fifo.yaml")  # reading it would wait for a writer forever
    (roles / "loop.yaml").symlink_to("loop.yaml")
    (roles / "dangling.yaml").symlink_to("nothing.yaml")
    (roles / ".#team-lead.yaml").symlink_to("user@host.1234:1700000000")  # an editor's lock
    (roles / ".team-lead.yaml.swp").write_bytes(b"\x00swap")
    (roles / "team-lead.yaml~").write_text("id: [backup\n", encoding="utf-8")
    outside.write_text("SECRET-FIRST-LINE: not a role\n", encoding="utf-8")
    (roles / "outside.yaml").symlink_to(outside)
    (roles / "t3.YAML").write_text(MINI.replace("id: team-lead", "id: t3"), encoding="utf-8")


FILE_SYSTEM_FINDINGS = [
    "content/roles/dangling.yaml: is a symbolic link to nothing.yaml, which does not exist",
    "content/roles/fifo.yaml: is a named pipe (FIFO), not a regular file: expected a YAML file",
    "content/roles/loop.yaml: is a symbolic link that leads round in a loop (loop.yaml)",
    "content/roles/outside.yaml: is a symbolic link to {outside}, outside the project folder:"
    " role files are read only from inside it",
    "content/roles/t3.YAML: warning: is named .YAML, so it is not read: rename it to t3.yaml",
]


def test_only_regular_files_of_the_project_are_read(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    roles, outside = root / "content" / "roles", tmp_path / "secret.yaml"
    _file_system_traps(roles, outside)
    (roles / "linked.yaml").symlink_to("sales-rep.yaml")  # inside the project: followed
    with pytest.raises(ContentError) as caught:
        load_handbook(open_project(root), today=TODAY)
    findings = sorted(caught.value.findings, key=lambda f: (f.file.name, f.line))
    reports = [f.format(root) for f in findings]
    expected = [line.format(outside=outside) for line in FILE_SYSTEM_FINDINGS]
    expected[2:2] = [
        "content/roles/linked.yaml:1:5: id: id must match the file name:"
        " expected 'linked', got 'sales-rep'"
    ]
    expected[-1:-1] = ["content/roles/sales-rep.yaml:1:5: id: role id already used by linked.yaml"]
    assert [report.splitlines()[0] for report in reports] == expected
    assert not any("SECRET" in r for r in reports)


@pytest.mark.parametrize("command", [["validate"], ["build", "--no-print"]])
def test_the_commands_neither_hang_nor_crash_on_file_system_traps(
    tmp_path: Path, command: list[str]
) -> None:
    root = make_project(tmp_path / "p")
    outside = tmp_path / "secret.yaml"
    _file_system_traps(root / "content" / "roles", outside)
    main = [sys.executable, "-c", "from generator.cli import main; main()"]
    done = subprocess.run(
        [*main, "--project", str(root), *command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HANDBOOK_TODAY": TODAY.isoformat()},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "SECRET" not in done.stderr
    for line in FILE_SYSTEM_FINDINGS:
        assert line.format(outside=outside) in done.stderr
    assert not (root / "site").exists()
