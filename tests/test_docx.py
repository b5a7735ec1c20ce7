"""Word documents: the job description and the annual goal agreement (generator/outputs/docx.py).

The documents are read back as an editor meets them: by python-docx (the text of the
paragraphs, tables and footers; the fonts, table styles and row properties in the
XML) and, in the slow test, opened by LibreOffice Writer and printed to PDF.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from docx.document import Document
from docx.oxml.ns import qn

from generator.check import load_handbook
from generator.outputs.docx import FONT, goal_agreement_docx, job_description_docx
from generator.read.handbook import Handbook
from generator.read.labels import load_labels
from generator.read.model import Role
from generator.read.project import open_project
from generator.render.pages import num
from tests.conftest import MINI_ROLES, REPO, TODAY, make_project

LABELS = load_labels(REPO / "templates", "zh-CN")
ROLES = ["sales-director", "customer-service-supervisor"]
#: Elements that would make text a field, an embedded object or a text box.
NOT_TEXT = ["w:fldSimple", "w:fldChar", "w:instrText", "w:txbxContent", "w:pict",
            "w:object", "mc:AlternateContent", "wp:anchor"]  # fmt: skip


@pytest.fixture(scope="module")
def handbook() -> Handbook:
    return load_handbook(open_project(REPO), today=TODAY)


def read(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def paragraphs(document: Document) -> Iterator[Any]:
    """Every paragraph, in tables too (but not in the footers)."""
    yield from document.paragraphs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def text_of(document: Document) -> str:
    footers = [p for s in document.sections for p in s.footer.paragraphs]
    return "\n".join(p.text for p in [*paragraphs(document), *footers])


def table_rows(document: Document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for t in document.tables for row in t.rows]


def parts_xml(data: bytes) -> dict[str, str]:
    """The XML parts of the package (document, styles, footers ...) by name."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith(".xml")
        }


def both(role: Role, handbook: Handbook, labels: dict[str, Any] = LABELS) -> dict[str, bytes]:
    return {
        "job description": job_description_docx(role, labels, handbook),
        "agreement": goal_agreement_docx(role, labels, 2027, "张三", handbook=handbook),
    }


# --- content ---------------------------------------------------------------------------


@pytest.mark.parametrize("role_id", ROLES)
def test_job_description_has_the_printed_content(handbook: Handbook, role_id: str) -> None:
    role = handbook.role(role_id)
    document = read(job_description_docx(role, LABELS, handbook))
    text = text_of(document)
    rows = table_rows(document)
    job, words, signing = LABELS["job"], LABELS["role"], LABELS["docx"]
    assert document.paragraphs[0].text == f"{role.title} · {LABELS['pages']['job-description']}"
    assert [words["title"], role.title, words["id"], role.position_code] in rows  # the HR code
    assert [words["department"], role.department, words["grade"], role.grade] in rows
    assert [
        words["headcount"],
        str(role.headcount),
        words["version"],
        role.document.version,
    ] in rows
    superior_row = next(row for row in rows if row[0] == words["reports_to"])
    if role.reports_to:
        assert superior_row[1] == handbook.role(role.reports_to).title
    else:
        assert superior_row[1] == f"{role.superior_outside}{words['outside']}"
    expected_reports = [handbook.role(r).title for r in role.direct_reports] + [
        f"{title}{words['outside']}" for title in role.reports_outside
    ]
    assert superior_row[3] == "、".join(expected_reports)
    assert role.purpose in text
    header = [job["duty"], job["content"], job["frequency"]]
    assert rows.count(header) == len(role.responsibilities)
    for area in role.responsibilities:
        assert area.area in text
        for duty in area.duties:
            row = [f"{duty.id} {duty.title}", duty.description, LABELS["frequency"][duty.frequency]]
            assert row in rows
    q = role.qualifications
    for item in [*q.education, *q.experience, *q.skills, *q.qualities, *q.certificates]:
        assert item in text
    for rel in [*role.relationships.internal, *role.relationships.external]:
        assert rel.party in text and rel.purpose in text
    for item in [*role.authority, role.working_conditions or ""]:
        assert item in text
    d = role.document
    heads = [words["version"], job["prepared_by"], job["reviewed_by"], job["approved_by"],
             words["last_reviewed"]]  # fmt: skip
    assert heads in rows
    assert [d.version, d.prepared_by, d.reviewed_by, d.approved_by, str(d.last_reviewed)] in rows
    parties = [job["holder_signature"], signing["superior_signature"], LABELS["assess"]["hr"]]
    assert parties in rows
    assert [f"{LABELS['goals']['date']}：{signing['date_blank']}"] * 3 in rows
    assert job["signature_note"] in text


@pytest.mark.parametrize("role_id", ROLES)
def test_goal_agreement_has_goals_targets_clauses_and_signatures(
    handbook: Handbook, role_id: str
) -> None:
    role = handbook.role(role_id)
    document = read(goal_agreement_docx(role, LABELS, 2027, "张三", handbook=handbook))
    text = text_of(document)
    rows = table_rows(document)
    goals, signing, agreement = LABELS["goals"], LABELS["docx"], LABELS["agreement"]
    title = signing["annual_agreement"].replace("{year}", "2027")
    assert document.paragraphs[0].text == f"{role.title} · {title}"
    # The assessor is the direct superior: a role's title, or a title outside the handbook.
    assessor = handbook.role(role.reports_to).title if role.reports_to else role.superior_outside
    assert assessor in ("销售经理", "客户服务部经理")
    assert [LABELS["print"]["person"], "张三", agreement["superior"], assessor] in rows
    assert [LABELS["role"]["department"], role.department, agreement["year"], "2027年"] in rows
    assert agreement["preamble"] in text
    header = [goals["number"], goals["item"], goals["metric"], goals["definition"],
              goals["target"], goals["period"], goals["weight"], goals["scoring"]]  # fmt: skip
    start = rows.index(header)
    goal_rows = rows[start + 1 : start + 1 + len(role.goals)]
    for number, (goal, row) in enumerate(zip(role.goals, goal_rows, strict=True), start=1):
        assert row[:2] == [str(number), goal.name]
        assert row[2].startswith(goal.metric_name)
        assert row[3] == (goal.measure.definition if goal.measure else "")
        assert row[5].startswith(LABELS["period"][goal.period])
        assert row[6] == f"{num(goal.weight)}%"
        if goal.rule:
            assert row[7] == goal.rule.text
        else:
            assert row[7] == "\n".join(f"{lv.level}={num(lv.score_percent)}" for lv in goal.levels)
            assert row[4].startswith(f"{goals['target_level']} {goal.target_level}")
            assert f"{goals['criteria']}：{goal.criteria}" in row[4]
            for level in goal.levels:
                assert [level.level, num(level.score_percent), level.description] in rows
    assert rows[start + 1 + len(role.goals)][1::5] == [goals["total"], "100%"]
    # The clauses of the printed agreement: 目标调整, 奖惩兑现, 附则.
    assert [c["title"] for c in agreement["clauses"]] == ["目标调整", "奖惩兑现", "附则"]
    for clause in agreement["clauses"]:
        assert clause["title"] in text and clause["text"] in text
    parties = [goals["responsible"], goals["supervisor"], LABELS["assess"]["hr"]]
    assert parties in rows
    assert [f"{goals['date']}：{signing['date_blank']}"] * 3 in rows


def test_targets_are_written_as_on_the_printed_sheets(handbook: Handbook) -> None:
    """Floors ≥, ceilings ≤, ranges a–b, units, a scale's maximum, lower is better."""
    supervisor = handbook.role("customer-service-supervisor")
    director = handbook.role("sales-director")
    ranged = supervisor.goal("G1").model_copy(
        update={"direction": "within_range", "target_max": 95.0}
    )
    supervisor = supervisor.model_copy(update={"goals": [*supervisor.goals, ranged]})
    targets = {}
    for role in (supervisor, director):
        rows = table_rows(read(goal_agreement_docx(role, LABELS, 2027, handbook=handbook)))
        targets[role.id] = [row[4] for row in rows if row[0].isdigit()]
    assert targets["customer-service-supervisor"][:5] == [
        "≥85 %", "≤3 %", "≥80 %", "4.5 分（满分 5）\n挑战目标 4.6 分",
        "90 分（满分 100）\n挑战目标 94 分",
    ]  # fmt: skip
    assert targets["customer-service-supervisor"][-1] == "85–95 %"
    assert targets["sales-director"][0] == "456 万元\n挑战目标 540 万元"
    assert targets["sales-director"][6].startswith("5 %（越低越好）")


def test_blank_lines_without_person_year_or_handbook(handbook: Handbook) -> None:
    """Without a person and a year their cells are left to fill in; without the
    handbook a superior that is a role of it too (one outside it is a title)."""
    agreement = LABELS["agreement"]
    role = handbook.role("sales-director")
    director = read(goal_agreement_docx(role, LABELS))
    rows = table_rows(director)
    assert director.paragraphs[0].text == f"{role.title} · {LABELS['sheet']['agreement']}"
    assert [LABELS["print"]["person"], "", agreement["superior"], ""] in rows
    assert [LABELS["role"]["department"], role.department, agreement["year"], ""] in rows
    supervisor = goal_agreement_docx(handbook.role("customer-service-supervisor"), LABELS)
    assert [LABELS["print"]["person"], "", agreement["superior"], "客户服务部经理"] in table_rows(
        read(supervisor)
    )


def test_english_labels(handbook: Handbook) -> None:
    labels = load_labels(REPO / "templates", "en")
    role = handbook.role("customer-service-supervisor")
    documents = both(role, handbook, labels)
    for data in documents.values():
        text = text_of(read(data))
        assert labels["assess"]["hr"] in text and labels["docx"]["date_blank"] in text
        for chinese in ("superior_signature", "date_blank", "goals_heading"):
            assert LABELS["docx"][chinese] not in text
    agreement = text_of(read(documents["agreement"]))
    assert "Goal agreement 2027" in agreement
    assert labels["agreement"]["clauses"][-1]["text"] in agreement


def test_both_languages_word_the_documents_alike() -> None:
    english = load_labels(REPO / "templates", "en")
    assert english["docx"].keys() == LABELS["docx"].keys()
    assert len(english["agreement"]["clauses"]) == len(LABELS["agreement"]["clauses"])
    for clauses in (english["agreement"]["clauses"], LABELS["agreement"]["clauses"]):
        assert all(clause.keys() == {"title", "text"} for clause in clauses)


# --- made to survive editing -----------------------------------------------------------


@pytest.mark.parametrize("role_id", ROLES)
def test_the_chinese_font_is_set_on_every_run_and_the_normal_style(
    handbook: Handbook, role_id: str
) -> None:
    for name, data in both(handbook.role(role_id), handbook).items():
        document = read(data)
        runs = [
            run
            for part in [document.element.body, *(s.footer._element for s in document.sections)]
            for run in part.iter(qn("w:r"))
        ]
        assert len(runs) > 100, name
        for run in runs:
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            assert fonts is not None and fonts.get(qn("w:eastAsia")) == FONT, (name, run.xml)
        normal = document.styles["Normal"].element.rPr.rFonts
        assert normal.get(qn("w:eastAsia")) == FONT
        assert normal.get(qn("w:eastAsiaTheme")) is None  # a theme font would win over it
        defaults = document.styles.element.find(qn("w:docDefaults"))
        assert defaults is not None
        for fonts in defaults.iter(qn("w:rFonts")):
            assert fonts.get(qn("w:eastAsia")) == FONT


@pytest.mark.parametrize("role_id", ROLES)
def test_tables_are_styled_with_repeated_headers_and_rows_kept_whole(
    handbook: Handbook, role_id: str
) -> None:
    role = handbook.role(role_id)
    documents = both(role, handbook)
    for name, data in documents.items():
        document = read(data)
        headed = 0
        for table in document.tables:
            assert table.style is not None and table.style.name == "Table Grid"
            for index, row in enumerate(table.rows):
                tr_pr = row._tr.trPr
                assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
                marked = tr_pr.find(qn("w:tblHeader")) is not None
                assert not marked or index == 0  # only a first row repeats
                headed += marked
        xml = parts_xml(data)
        for element in NOT_TEXT:
            assert not any(f"<{element}" in part for part in xml.values()), (name, element)
        if name == "job description":
            # Each area's duties, the relationships, document control.
            assert headed == len(role.responsibilities) + 2
        else:
            assert headed == 2  # the goals and the one rating scale
    director = read(documents["agreement"])
    first = director.tables[1].rows[0]
    assert first._tr.trPr.find(qn("w:tblHeader")) is not None
    assert first.cells[1].text == LABELS["goals"]["item"]
    # A4, the agreement's wide table on landscape pages.
    job = read(documents["job description"]).sections[0]
    agreement = director.sections[0]
    assert (round(job.page_width.mm), round(job.page_height.mm)) == (210, 297)
    assert (round(agreement.page_width.mm), round(agreement.page_height.mm)) == (297, 210)


def test_the_same_document_is_the_same_bytes(handbook: Handbook) -> None:
    role = handbook.role("sales-director")
    assert both(role, handbook) == both(role, handbook)


# --- values are data --------------------------------------------------------------------

#: Values that a careless writer would turn into markup, a formula or a field.
HOSTILE = {
    "title": "{{ x }}",
    "purpose": '<w:t>注入</w:t></w:r><w:fldSimple w:instr="MERGEFIELD 姓名"/>',
    "description": "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'x'>]>&e; &amp; &lt;",
    "goal": "=cmd|' /C calc'!A0",
    "rule": "{{ 7*7 }} {% raw %} ${x} =1+1",
    "source": "]]><w:instrText>PAGE</w:instrText>",
    "criteria": 'DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc"',
}
AUTHORITY = ["=1+1", "MERGEFIELD 姓名 \\* MERGEFORMAT", "{ PAGE }", "@SUM(1)", "+9", "<b>粗</b>"]
PERSON = "<w:t>MERGEFIELD 姓名</w:t>"


def hostile_role(tmp_path: Path) -> tuple[Role, Handbook]:
    """The mini team lead with hostile values in its texts, as a reader writes them."""
    data = yaml.safe_load((MINI_ROLES / "team-lead.yaml").read_text(encoding="utf-8"))
    data.update(title=HOSTILE["title"], purpose=HOSTILE["purpose"], authority=AUTHORITY)
    data["responsibilities"][0]["duties"][0]["description"] = HOSTILE["description"]
    quantitative, qualitative = data["goals"]
    quantitative.update(name=HOSTILE["goal"], data_source=HOSTILE["source"])
    quantitative["scoring"]["text"] = HOSTILE["rule"]
    qualitative["criteria"] = HOSTILE["criteria"]
    role = json.dumps(data, ensure_ascii=False, default=str)  # JSON is YAML
    handbook = load_handbook(
        open_project(make_project(tmp_path / "p", {"team-lead.yaml": role})), today=TODAY
    )
    return handbook.role("team-lead"), handbook


def test_hostile_values_stay_literal_text(tmp_path: Path) -> None:
    role, handbook = hostile_role(tmp_path)
    documents = {
        "job description": job_description_docx(role, LABELS, handbook),
        "agreement": goal_agreement_docx(role, LABELS, 2027, PERSON, handbook=handbook),
    }
    for name, data in documents.items():
        text = text_of(read(data))
        xml = parts_xml(data)
        for element in NOT_TEXT:
            assert not any(f"<{element}" in part for part in xml.values()), (name, element)
        assert f"{HOSTILE['title']} · " in text
        assert "49" not in text  # {{ 7*7 }} was never a template
        body = xml["word/document.xml"]
        assert "&lt;w:t&gt;" in body and "<!DOCTYPE" not in body and "<!ENTITY" not in body
    job = text_of(read(documents["job description"]))
    for value in [HOSTILE["purpose"], HOSTILE["description"], *AUTHORITY]:
        assert value in job, value
    agreement = read(documents["agreement"])
    for value in [HOSTILE["goal"], HOSTILE["rule"], HOSTILE["source"], HOSTILE["criteria"]]:
        assert value in text_of(agreement), value
    assert [LABELS["print"]["person"], PERSON, LABELS["agreement"]["superior"], "无"] in table_rows(
        agreement
    )


# --- opened by LibreOffice Writer -------------------------------------------------------


def squeeze(text: str) -> str:
    """Text without white space: table cells wrap lines anywhere."""
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
def test_writer_prints_both_documents_with_their_chinese_text(
    handbook: Handbook, tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice Writer opens the documents: apt-get install libreoffice-writer-nogui"
        )
    sources: dict[Path, tuple[Role, str]] = {}
    for role_id in ROLES:
        for name, data in both(handbook.role(role_id), handbook).items():
            path = tmp_path / f"{role_id}-{name.replace(' ', '-')}.docx"
            path.write_bytes(data)
            sources[path] = (handbook.role(role_id), name)
    subprocess.run(
        [soffice, "--headless", "-env:UserInstallation=" + (tmp_path / "lo").as_uri(),
         "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for source, (role, name) in sources.items():
        pdf = source.with_suffix(".pdf")
        assert pdf.is_file(), f"Writer made no PDF of {source.name}"
        text = squeeze(
            subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout
        )
        expected = [role.title, LABELS["goals"]["date"], LABELS["assess"]["hr"]]
        if name == "job description":
            expected += [role.purpose, *(d.description for d in role.duties), *role.authority]
        else:
            expected += [g.name for g in role.goals]
            expected += [c["text"] for c in LABELS["agreement"]["clauses"]]
        for value in expected:
            assert squeeze(value) in text, (source.name, value)
        fonts = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        assert "NotoSansCJK" in fonts, (source.name, fonts)
