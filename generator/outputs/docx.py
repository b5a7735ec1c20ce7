"""Word documents (.docx): the job description (岗位说明书) and the annual goal agreement
(目标责任书), which HR edits, stamps and archives in Word or WPS (python-docx).

The job description has the content of the printed one (templates/print/
_documents.html.j2) and a signature block; the goal agreement is the year's goals as
an agreement between the holder and the direct superior, with its clauses and
signatures. Every word a reader sees comes from the labels files: the words of the
printed documents (``job``, ``agreement`` with its clauses, ``goals``, ``assess.hr`` ...)
and the ``docx`` section for the few of the Word documents' own, never from this module.

Made to survive editing: real tables with a table style (Table Grid), their header
rows repeated on every page (``w:tblHeader``) and no row split across pages
(``w:cantSplit``), no text boxes; the Chinese font of the PDFs is set on the document
defaults, the styles and every run (``w:eastAsia`` in ``w:rFonts``), so text typed or
pasted into a copy keeps it.

Values are data (see render/escape.py): a value reaches the document only through
``_Doc.text``, as the text of a run, which python-docx escapes for XML. The documents
have no field codes and no template tags, and nothing is ever parsed from a value.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from generator.outputs.package import stable_package
from generator.read.model import Goal, RatingLevel, Role
from generator.render.pages import num
from generator.render.revisions import ResignMark, RevisionRecord, revision_record

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table, _Cell, _Row
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    from generator.read.handbook import Handbook

#: The Chinese font, the PDFs' (the first family of templates/print/print.css), also
#: for Latin letters and digits so that a document looks like its PDF.
FONT = "Noto Sans CJK SC"
#: Shading of heading cells, as ``th`` in print.css.
HEAD_FILL = "EEF0F6"
#: Body text: 五号, the usual size of Chinese office documents.
BODY_PT = 10.5
SMALL_PT = 9
#: A4 with 20 mm margins: the width tables are laid out in, portrait and landscape.
PAGE_MM = (210, 297)
MARGIN_MM = 20

#: A cell: one paragraph, or several (one a line).
Cell = str | Sequence[str]


def job_description_docx(
    role: Role,
    labels: dict[str, Any],
    handbook: Handbook,
    resign: ResignMark | None = None,
    *,
    mark: str | None = None,
) -> bytes:
    """The job description (岗位说明书) of ``role`` as a .docx (marked when the person it
    is printed for must sign it again: ``resign``; ``mark``: the words in its header that
    mark it confidential)."""
    words, role_words, doc_words = labels["job"], labels["role"], labels["docx"]
    title = labels["pages"]["job-description"]
    doc = _Doc(labels, landscape=False, title=f"{role.title} · {title}", author=role.document.owner,
               mark=mark)  # fmt: skip
    doc.footer(
        f"{role_words['version']} {role.document.version} · "
        f"{role_words['last_reviewed']} {role.document.last_reviewed}"
    )
    doc.heading(f"{role.title} · {title}", 0)
    _resign_mark(doc, resign, labels)

    doc.heading(words["basic_info"], 1)
    basic = doc.table((28, 57, 28, 57))
    doc.row(
        basic, [role_words["title"], role.title, role_words["id"], role.position_code], heads={0, 2}
    )
    grade = role.grade or role_words["none"]
    doc.row(basic, [role_words["department"], role.department, role_words["grade"], grade],
            heads={0, 2})  # fmt: skip
    doc.row(
        basic,
        [role_words["reports_to"], superior(role, labels, handbook, outside=True),
         role_words["direct_reports"], _reports(role, labels, handbook)],
        heads={0, 2},
    )  # fmt: skip
    doc.row(
        basic,
        [role_words["headcount"], str(role.headcount), role_words["version"],
         role.document.version],
        heads={0, 2},
    )  # fmt: skip
    if role.pay_band:
        doc.row(basic, [role_words["pay_band"], role.pay_band, "", ""], heads={0})

    doc.heading(words["purpose"], 1)
    doc.paragraph(role.purpose)

    doc.heading(words["responsibilities"], 1)
    for number, area in enumerate(role.responsibilities, start=1):
        doc.heading(f"{number}. {area.area}", 2)
        duties = doc.table((40, 108, 22), header=[words["duty"], words["content"],
                                                   words["frequency"]])  # fmt: skip
        for duty in area.duties:
            frequency = labels["frequency"][duty.frequency]
            doc.row(duties, [f"{duty.id} {duty.title}", duty.description, frequency])

    doc.heading(words["qualifications"], 1)
    found = role.qualifications
    qualifications = doc.table((30, 140))
    rows = [("education", found.education), ("experience", found.experience),
            ("skills", found.skills), ("qualities", found.qualities),
            ("certificates", found.certificates)]  # fmt: skip
    for key, items in rows:
        if items:
            doc.row(qualifications, [words[key], items], heads={0})

    relationships = role.relationships
    if relationships.internal or relationships.external:
        doc.heading(words["relationships"], 1)
        table = doc.table((22, 48, 100), header=["", words["party"], words["purpose_of_contact"]])
        for side, parties in (("internal", relationships.internal),
                              ("external", relationships.external)):  # fmt: skip
            for rel in parties:
                doc.row(table, [words[side], rel.party, rel.purpose], heads={0})

    if role.authority:
        doc.heading(words["authority"], 1)
        for item in role.authority:
            doc.paragraph(item, style="List Bullet")

    if role.working_conditions:
        doc.heading(words["working_conditions"], 1)
        doc.paragraph(role.working_conditions)

    doc.heading(words["document_control"], 1)
    control = doc.table(
        (30, 35, 35, 35, 35),
        header=[role_words["version"], words["prepared_by"], words["reviewed_by"],
                words["approved_by"], role_words["last_reviewed"]],
    )  # fmt: skip
    document = role.document
    doc.row(control, [document.version, document.prepared_by, document.reviewed_by,
                      document.approved_by, str(document.last_reviewed)])  # fmt: skip

    doc.heading(labels["goals"]["signatures"], 1)
    doc.paragraph(words["signature_note"], keep=True)
    doc.signatures(
        [words["holder_signature"], doc_words["superior_signature"], labels["assess"]["hr"]],
        (57, 57, 56),
    )
    _revision_record(doc, revision_record(handbook.history, role.id, labels), labels, 170)
    return doc.save()


def goal_agreement_docx(
    role: Role,
    labels: dict[str, Any],
    year: int | None = None,
    person: str | None = None,
    *,
    handbook: Handbook | None = None,
    resign: ResignMark | None = None,
    mark: str | None = None,
) -> bytes:
    """The annual goal agreement (目标责任书) of ``role`` as a .docx: made out to
    ``person`` for ``year`` (either left blank to write in by hand), marked when the
    person must sign it again (``resign``) and, in its header, as confidential (``mark``).

    The assessor (考核人) is the direct superior: a title outside the handbook, or the
    title of the superior's role, which needs ``handbook``; without it that line is left
    blank to write in.
    """
    words, doc_words, print_words = labels["goals"], labels["docx"], labels["print"]
    role_words, agreement = labels["role"], labels["agreement"]
    heading = (
        doc_words["annual_agreement"].replace("{year}", str(year))
        if year is not None
        else labels["sheet"]["agreement"]
    )
    doc = _Doc(labels, landscape=True, title=f"{role.title} · {heading}",
               author=role.document.owner, mark=mark)  # fmt: skip
    doc.footer(f"{role.title} · {heading}")
    doc.heading(f"{role.title} · {heading}", 0)
    _resign_mark(doc, resign, labels)

    parties = doc.table((35, 93, 35, 94))
    doc.row(parties, [role_words["title"], role.title, role_words["id"], role.position_code],
            heads={0, 2})  # fmt: skip
    doc.row(
        parties,
        [print_words["person"], person or "", agreement["superior"],
         superior(role, labels, handbook) if handbook or not role.reports_to else ""],
        heads={0, 2},
    )  # fmt: skip
    year_text = doc_words["year_value"].replace("{year}", str(year)) if year is not None else ""
    doc.row(parties, [role_words["department"], role.department, agreement["year"], year_text],
            heads={0, 2})  # fmt: skip
    doc.paragraph(agreement["preamble"])

    doc.heading(doc_words["goals_heading"], 1)
    table = doc.table(
        (13, 26, 32, 60, 40, 20, 14, 52),
        header=[words["number"], words["item"], words["metric"], words["definition"],
                words["target"], words["period"], words["weight"], words["scoring"]],
    )  # fmt: skip
    for number, goal in enumerate(role.goals, start=1):
        period = labels["period"][goal.period]
        doc.row(table, [
            str(number), goal.name, _metric(goal, labels),
            goal.measure.definition if goal.measure else "", _target(goal, labels),
            f"{period}（{goal.deadline}）" if goal.deadline else period,
            f"{num(goal.weight)}%", _rule(goal, labels),
        ], small={3, 7})  # fmt: skip
    doc.row(table, ["", words["total"], "", "", "", "", f"{num(role.total_weight)}%", ""],
            heads={1, 6})  # fmt: skip
    notes = [print_words["scoring_note"]]
    if any(goal.example for goal in role.goals):
        notes.append(labels["site"]["example_note"])
    doc.paragraph(" ".join(notes), small=True)

    for levels, goals in _scales(role.goals):
        doc.heading(words["rating_scale"], 2)
        names = doc_words["separator"].join(goal.name for goal in goals)
        doc.paragraph(f"{doc_words['applies_to']}{doc_words['colon']}{names}", small=True)
        scale = doc.table((20, 35, 202), header=[words["level"], words["score_percent"],
                                                 words["description"]])  # fmt: skip
        for level in levels:
            doc.row(scale, [level.level, num(level.score_percent), level.description])

    for clause in agreement["clauses"]:
        doc.heading(clause["title"], 1)
        doc.paragraph(clause["text"])

    doc.heading(words["signatures"], 1)
    doc.signatures(
        [words["responsible"], words["supervisor"], labels["assess"]["hr"]],
        (86, 86, 85),
    )
    if handbook is not None:
        _revision_record(doc, revision_record(handbook.history, role.id, labels), labels, 257)
    return doc.save()


def _resign_mark(doc: _Doc, resign: ResignMark | None, labels: dict[str, Any]) -> None:
    if resign is not None:
        paragraph = doc.paragraph("")
        doc.text(paragraph, resign.title + labels["docx"]["colon"], bold=True)
        doc.text(paragraph, resign.reason)


def _revision_record(
    doc: _Doc, record: RevisionRecord, labels: dict[str, Any], width: float
) -> None:
    """The revision record (修订记录): a row per revision, newest first."""
    words = labels["revisions"]
    doc.heading(words["title"], 1)
    if record.rows:
        changes = width - 20 - 24 - 26 - 22 - 22
        table = doc.table(
            (20, 24, changes, 26, 22, 22),
            header=[words["version"], words["date"], words["changes"], words["kind"],
                    words["author"], words["approved_by"]],
        )  # fmt: skip
        for row in record.rows:
            doc.row(table, [row.version, row.date, row.changes, row.kind_label, row.author,
                            row.approved_by], small={2})  # fmt: skip
    if record.note:
        doc.paragraph(record.note, small=True)


def superior(
    role: Role, labels: dict[str, Any], handbook: Handbook | None, *, outside: bool = False
) -> str:
    """The title of the role's direct superior (with ``outside``: a title outside the
    handbook marked as such), or the word for none."""
    if role.reports_to is not None and handbook is not None:
        return handbook.role(role.reports_to).title
    if role.superior_outside is not None:
        return role.superior_outside + (str(labels["role"]["outside"]) if outside else "")
    return str(labels["role"]["none"])


def _reports(role: Role, labels: dict[str, Any], handbook: Handbook) -> str:
    outside = labels["role"]["outside"]
    titles = [handbook.role(rid).title for rid in role.direct_reports]
    titles += [title + outside for title in role.reports_outside]
    return str(labels["docx"]["separator"]).join(titles) or str(labels["role"]["none"])


def _metric(goal: Goal, labels: dict[str, Any]) -> list[str]:
    colon = labels["docx"]["colon"]
    return [goal.metric_name, f"{labels['goals']['source']}{colon}{goal.data_source}"]


def _target(goal: Goal, labels: dict[str, Any]) -> list[str]:
    """The target as the printed sheets write it: a floor (≥), a ceiling (≤), a range
    (a–b) or a value, with its unit and a scale's maximum; a qualitative goal's level
    and what reaching it means."""
    words, colon = labels["goals"], labels["docx"]["colon"]
    if goal.kind != "quantitative":
        lines = [f"{words['target_level']} {goal.target_level}"]
        if goal.criteria:
            lines.append(f"{words['criteria']}{colon}{goal.criteria}")
        return lines
    text = words["bound"].get(goal.direction, "") + str(num(goal.target))
    if goal.target_max is not None:
        text += f"–{num(goal.target_max)}"
    text += f" {goal.unit}"
    if goal.measure is not None and goal.measure.scale_max is not None:
        text += f"（{words['out_of']} {num(goal.measure.scale_max)}）"
    if goal.direction == "lower_is_better":
        text += f"（{words['direction_lower']}）"
    lines = [text]
    if goal.stretch_target is not None:
        lines.append(f"{words['stretch']} {num(goal.stretch_target)} {goal.unit}")
    return lines


def _rule(goal: Goal, labels: dict[str, Any]) -> list[str]:
    """The scoring rule, or each rating level's score (a line each)."""
    if goal.rule is not None:
        return [goal.rule.text]
    form = labels["docx"]["level_score"]
    return [
        form.replace("{level}", level.level).replace("{score}", str(num(level.score_percent)))
        for level in goal.levels
    ]


def _scales(goals: Sequence[Goal]) -> list[tuple[list[RatingLevel], list[Goal]]]:
    """The rating scales of the qualitative goals, each once, with the goals rated on it."""
    scales: dict[tuple[RatingLevel, ...], list[Goal]] = {}
    for goal in goals:
        if goal.levels:
            scales.setdefault(tuple(goal.levels), []).append(goal)
    return [(list(levels), rated) for levels, rated in scales.items()]


class _Doc:
    """A Word document being written: A4, the Chinese font everywhere, and the few
    building blocks both documents are made of."""

    def __init__(
        self,
        labels: dict[str, Any],
        *,
        landscape: bool,
        title: str,
        author: str,
        mark: str | None = None,
    ):
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        self.labels = labels
        self.document: Document = docx.Document()
        section = self.document.sections[0]
        short, long = PAGE_MM
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(long), Mm(short)
        else:
            section.page_width, section.page_height = Mm(short), Mm(long)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(MARGIN_MM))
        self._styles(str(labels["print"]["lang"]))
        properties = self.document.core_properties
        properties.title, properties.author = title, author
        properties.last_modified_by, properties.comments = author, ""
        properties.language = str(labels["print"]["lang"])
        # A fixed date: the same document is the same bytes (the build compares them).
        properties.created = properties.modified = datetime(2000, 1, 1, tzinfo=UTC)
        if mark:
            self.header(mark)

    def _styles(self, language: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        styles = self.document.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            for r_pr in defaults.iter(qn("w:rPr")):
                _set_font(r_pr)
                lang = r_pr.find(qn("w:lang"))
                if lang is not None:
                    lang.set(qn("w:val"), language)
                    lang.set(qn("w:eastAsia"), "zh-CN")
        normal = styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        normal.paragraph_format.space_before = Pt(4)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.2
        sizes = {"Title": 16, "Heading 1": 12, "Heading 2": 10.5}
        for name in ("Normal", "Table Grid", "List Bullet", "Footer", *sizes):
            style = styles[name]
            _set_font(style.element.get_or_add_rPr())
            if name in sizes:
                style.font.size = Pt(sizes[name])
                style.font.bold = True
                style.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
                style.paragraph_format.space_before = Pt(10 if name != "Title" else 0)
                style.paragraph_format.space_after = Pt(4)
                style.paragraph_format.keep_with_next = True
        title = styles["Title"]
        # The template's Title has a rule under it and a theme colour: a plain title here.
        t_pr = title.element.pPr
        if t_pr is not None and t_pr.find(qn("w:pBdr")) is not None:
            t_pr.remove(t_pr.find(qn("w:pBdr")))
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_after = Pt(10)

    # --- text ---------------------------------------------------------------------------

    def text(self, paragraph: Paragraph, value: str, *, bold: bool = False,
             small: bool = False) -> Run:  # fmt: skip
        """``value`` as the text of a new run of ``paragraph``: the one way a value enters
        the document (python-docx escapes it; a tab or line break stays one)."""
        from docx.shared import Pt

        run = paragraph.add_run(str(value))
        _set_font(run._r.get_or_add_rPr())
        if bold:
            run.bold = True
        if small:
            run.font.size = Pt(SMALL_PT)
        return run

    def heading(self, value: str, level: int) -> Paragraph:
        """The title (level 0) or a heading of a section (1) or part of it (2)."""
        style = "Title" if level == 0 else f"Heading {level}"
        paragraph = self.document.add_paragraph(style=style)
        self.text(paragraph, value)
        return paragraph

    def paragraph(self, value: str, *, style: str | None = None, small: bool = False,
                  keep: bool = False) -> Paragraph:  # fmt: skip
        """A paragraph of ``value``; ``keep`` keeps it on the page of what follows."""
        paragraph = self.document.add_paragraph(style=style)
        self.text(paragraph, value, small=small)
        if keep:
            paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def header(self, value: str) -> None:
        """``value`` in the header of every page, in bold red (what marks the document
        confidential)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import RGBColor

        paragraph = self.document.sections[0].header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = self.text(paragraph, value, bold=True, small=True)
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)

    def footer(self, value: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph = self.document.sections[0].footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.text(paragraph, value, small=True)

    # --- tables -------------------------------------------------------------------------

    def table(self, widths_mm: Sequence[float], header: Sequence[str] | None = None) -> Table:
        """A table of columns ``widths_mm`` wide, in the Table Grid style; ``header`` is
        its heading row, repeated on every page the table runs over."""
        from docx.shared import Mm

        table: Table = self.document.add_table(rows=0, cols=len(widths_mm))
        table.style = self.document.styles["Table Grid"]
        table.autofit = False
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        if header is not None:
            row = self.row(table, header, heads=set(range(len(header))))
            row._tr.get_or_add_trPr().append(_element("w:tblHeader"))
        return table

    def row(
        self,
        table: Table,
        cells: Sequence[Cell],
        *,
        heads: set[int] | frozenset[int] = frozenset(),
        small: set[int] | frozenset[int] = frozenset(),
        keep: bool = False,
    ) -> _Row:
        """A row of ``cells`` (a cell: a text, or its lines), never split across pages;
        ``heads`` are heading cells (bold, shaded), ``small`` cells in small print, and
        ``keep`` keeps the row on the page of the next one."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.shared import Mm, Pt

        row: _Row = table.add_row()  # type: ignore[no-untyped-call]  # (python-docx 1.2)
        row._tr.get_or_add_trPr().append(_element("w:cantSplit"))
        widths = [column.width for column in table.columns]
        for index, (cell, content) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = widths[index] or Mm(20)
            lines = [content] if isinstance(content, str) else list(content)
            for number, line in enumerate(lines):
                paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
                paragraph.paragraph_format.space_before = Pt(0)
                paragraph.paragraph_format.space_after = Pt(0)
                paragraph.paragraph_format.line_spacing = 1.0
                paragraph.paragraph_format.keep_with_next = keep
                if line:
                    self.text(paragraph, line, bold=index in heads, small=index in small)
            if index in heads:
                _shade(cell)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        return row

    def signatures(self, parties: Sequence[str], widths_mm: Sequence[float]) -> None:
        """The signature block: a column per party, its name over a space to sign in,
        and the date under it; kept on one page."""
        from docx.enum.table import WD_ROW_HEIGHT_RULE
        from docx.shared import Mm

        words = self.labels["docx"]
        date = f"{self.labels['goals']['date']}{words['colon']}{words['date_blank']}"
        table = self.table(widths_mm)
        self.row(table, list(parties), heads=set(range(len(parties))), keep=True)
        space = self.row(table, [""] * len(parties), keep=True)
        space.height = Mm(22)
        space.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        self.row(table, [date] * len(parties))

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return stable_package(buffer.getvalue())


def _element(tag: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _set_font(r_pr: Any) -> None:
    """The font of runs with these properties: ``FONT`` for Chinese (``w:eastAsia``) and
    for the rest; theme fonts, which Word would prefer, removed."""
    from docx.oxml.ns import qn

    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.get_or_add_rFonts() if hasattr(r_pr, "get_or_add_rFonts") else None
    if fonts is None:  # docDefaults' rPr is a plain element
        fonts = _element("w:rFonts")
        r_pr.insert(0, fonts)
    for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{theme}"), None)
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{slot}"), FONT)


def _shade(cell: _Cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = _element("w:shd", val="clear", color="auto", fill=HEAD_FILL)
    tc_pr.insert_element_before(
        shading, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
        "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
    )  # fmt: skip
