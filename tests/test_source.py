"""Reading role files: every mistake is located at file:line:column with a plain message."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
import yaml

from generator import source
from generator.findings import Finding
from generator.handbook import load_role
from generator.source import SourceError, read_document

MINI = (Path(__file__).parent / "fixtures" / "mini" / "roles" / "team-lead.yaml").read_text(
    encoding="utf-8"
)


def findings_for(tmp_path: Path, data: bytes | str, name: str = "team-lead.yaml") -> list[Finding]:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    _, findings = load_role(path, max_bytes=64 * 1024)
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
    sourced, findings = load_role(path, max_bytes=64 * 1024)
    assert findings == [] and sourced is not None
    role = sourced.role
    assert role.grade == "no"  # not the boolean False
    assert role.document.version == "1.10"  # not the float 1.1
    assert role.purpose.startswith("2026-01-05 起")  # not a date object


def test_folder_named_like_a_role_file(tmp_path: Path) -> None:
    folder = tmp_path / "team-lead.yaml"
    folder.mkdir()
    _, (finding,) = load_role(folder, max_bytes=1024)
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
