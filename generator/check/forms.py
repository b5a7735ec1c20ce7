"""The forms a checklist names exist, and every form of the library is used."""

from __future__ import annotations

from collections.abc import Iterator

from generator.read.findings import Finding
from generator.read.forms import FormsReading
from generator.read.handbook import SourcedRole
from generator.read.model import did_you_mean


def check_forms(roles: list[SourcedRole], forms: FormsReading) -> list[Finding]:
    """A checklist item's form that is not in content/forms/ (an error), and a form no
    checklist item uses (a warning)."""
    known = sorted(form.id for form in forms.forms)
    used: set[str] = set()
    findings: list[Finding] = []
    for item in roles:
        if not item.read("checklists"):
            continue
        for loc, form_id in _cited(item):
            used.add(form_id)
            if form_id not in known:
                message = f"no form '{form_id}' in content/forms/{did_you_mean(form_id, known)}"
                findings.append(item.doc.finding(loc, message))
    for form in forms.forms:
        if form.id not in used:
            findings.append(
                forms.docs[form.id].finding(
                    ("id",),
                    f"form '{form.id}' is the evidence of no checklist item: name it in a"
                    " checklist item's form, or remove the file",
                    severity="warning",
                    kind="unused_form",
                )
            )
    return findings


def _cited(item: SourcedRole) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for c, checklist in enumerate(item.role.checklists):
        for i, entry in enumerate(checklist.items):
            if entry.form is not None:
                yield ("checklists", c, "items", i, "form"), entry.form
