"""The printable sheets of a role and the names of their files.

Pure data: which sheets exist and where their files go. Rendering them is
the job of the printing and spreadsheet adapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.read.model import Role
from generator.read.periods import Period

SheetKind = Literal[
    "checklist",
    "agreement",
    "goals",
    "job-description",
    "onboarding",
    "training",
    "scorecard",
    "pack",
]
#: The documents of a role, in the order of the combined pack: the job description, the
#: annual goal agreement (目标责任书), the current period's review sheet (考核表), the
#: training plan and the scorecard (绩效评估表).
DOCUMENTS: tuple[SheetKind, ...] = (
    "job-description",
    "onboarding",
    "agreement",
    "goals",
    "training",
    "scorecard",
)
#: The documents whose file is named after a period: the agreement's year, the review
#: sheet's period.
DATED: tuple[SheetKind, ...] = ("agreement", "goals")


@dataclass(frozen=True)
class Sheet:
    kind: SheetKind
    checklist_id: str | None = None

    @property
    def key(self) -> str:
        """How the sheet is named on the command line: a checklist id or the kind."""
        return self.checklist_id or self.kind

    def filename(
        self, period: Period | None = None, person: str | None = None, suffix: str = ".pdf"
    ) -> str:
        stem = f"checklist-{self.checklist_id}" if self.checklist_id else self.kind
        parts = [stem] + ([period.slug] if period else [])
        if person:
            parts.append(re.sub(r"[^\w]+", "_", person).strip("_") or "person")
        return "-".join(parts) + suffix


def role_sheets(role: Role) -> list[Sheet]:
    """Every printable sheet of the role, in the order of the combined pack."""
    sheets = [Sheet(kind) for kind in DOCUMENTS if _has(role, kind)]
    sheets += [Sheet("checklist", c.id) for c in role.checklists]
    return [*sheets, Sheet("pack")]


def _has(role: Role, kind: SheetKind) -> bool:
    if kind in DATED:
        return bool(role.goals)
    if kind == "scorecard":
        return role.scorecard is not None
    if kind == "onboarding":
        return role.onboarding is not None
    return True


def find_sheet(role: Role, key: str) -> Sheet:
    for sheet in role_sheets(role):
        if sheet.key.lower() == key.lower():
            return sheet
    choices = ", ".join(s.key for s in role_sheets(role))
    raise KeyError(f"{role.id} has no sheet {key!r} (choose from: {choices})")


#: Where the printable forms (PDF, and XLSX for ledgers) are published.
FORMS_DOWNLOADS = "forms/downloads"


def form_file(form_id: str, suffix: str = ".pdf") -> str:
    """The site path of a form's printable file."""
    return f"{FORMS_DOWNLOADS}/{form_id}{suffix}"


def downloads_folder(role_id: str) -> str:
    return f"roles/{role_id}/downloads"


def workbook_name(period: Period) -> str:
    """The goal workbook of a review period (the review sheet that scores itself)."""
    return Sheet("goals").filename(period, suffix=".xlsx")
