"""What the company defines once and every role refers to by id.

``content/policies.yaml`` holds the policies: rating scales, scoring-rule presets,
the review and bonus cycles, the improvement plan, shifts, the working calendar,
the company's systems and the tolerance of the cascade check. ``content/metrics.yaml``
is the KPI dictionary (指标库): each metric's name, 口径, formula, unit, direction,
data source and how it adds up over time and over people. A role's goals name a
metric and a rating scale or scoring preset; validation fills in their definitions
(:class:`Company` is the validation context), so every later stage sees one truth.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from generator.read.confidential import DEFAULT_FIELDS, field_error
from generator.read.findings import Finding, Loc
from generator.read.model import (
    MEMBERSHIP,
    SUBSTANTIVE,
    GoalPeriod,
    ItemId,
    Metric,
    Number,
    PlanStage,
    RatingLevel,
    ScoringRule,
    Slug,
    Strict,
    Text,
    WholeNumber,
    did_you_mean,
)
from generator.read.project import Project
from generator.read.source import Document, SourceError, read_document
from generator.read.validate import validate_document

TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _check_time(value: str) -> str:
    if not TIME_RE.fullmatch(value):
        raise PydanticCustomError("time", "expected a time of day written as HH:MM, e.g. 08:30")
    return value


Time = Annotated[str, AfterValidator(_check_time)]


def _check_weekday(value: int) -> int:
    if not 1 <= value <= 7:
        raise PydanticCustomError(
            "weekday",
            "expected a day of the week from 1 (Monday) to 7 (Sunday), got {value}",
            {"value": value},
        )
    return value


#: A day of the week as ISO numbers it: 1 = Monday to 7 = Sunday.
Weekday = Annotated[
    WholeNumber,
    AfterValidator(_check_weekday),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 7}),
]


class RatingScale(Strict):
    id: Slug
    name: Text = Field(description="e.g. 公司绩效等级")
    levels: list[RatingLevel] = Field(min_length=2, json_schema_extra=SUBSTANTIVE)
    overridable: bool = Field(
        default=False,
        description="Roles may use a scale of their own instead, saying why (override_reason).",
    )


class ScoringPreset(ScoringRule):
    id: Slug


class Cycles(Strict):
    review: GoalPeriod = Field(description="How often performance is reviewed (scorecards).")
    bonus: GoalPeriod = Field(description="How often bonuses are settled.")


class ImprovementPolicy(Strict):
    """绩效改进计划: how long a plan lasts and the stages it goes through."""

    weeks: WholeNumber = Field(ge=1, le=52)
    stages: list[PlanStage] = Field(default_factory=list)
    overridable: bool = False

    @model_validator(mode="after")
    def _stages_fill_the_plan(self) -> ImprovementPolicy:
        total = sum(s.weeks for s in self.stages)
        if self.stages and total != self.weeks:
            raise ValueError(f"the stages last {total} weeks, the plan {self.weeks}")
        return self


class Shift(Strict):
    id: ItemId
    name: Text = Field(description="e.g. 早班")
    start: Time
    end: Time = Field(description="May be earlier than start: the shift ends the next day.")


class System(Strict):
    id: Slug
    name: Text = Field(description="The system's name as people know it, e.g. 纷享销客 CRM")


class CalendarOverrides(Strict):
    """Where the company's calendar differs from the official one (days off, working days)."""

    working_weekdays: list[Weekday] = Field(
        default=[1, 2, 3, 4, 5],
        min_length=1,
        description="The days of the week the company works, 1 = Monday to 7 = Sunday"
        " (default Monday to Friday; [1, 2, 3, 4, 5, 6] for a six-day week). Statutory"
        " holidays stay days off.",
    )
    days_off: list[date] = Field(
        default_factory=list,
        description="The company's own days off besides the statutory holidays, e.g. 2026-12-31.",
    )
    workdays: list[date] = Field(
        default_factory=list,
        description="Extra working days, e.g. the official 调休 weekends of a year the calendar"
        " does not know yet: a year with a day listed here counts as having its schedule.",
    )

    @model_validator(mode="after")
    def _no_day_twice(self) -> CalendarOverrides:
        both = sorted(set(self.days_off) & set(self.workdays))
        if both:
            raise PydanticCustomError(
                "calendar_conflict",
                "{day} is both a day off (days_off) and a working day (workdays)",
                {"day": both[0].isoformat(), "at": "workdays"},
            )
        return self


class Policies(Strict):
    """content/policies.yaml: the company's rules that every role follows."""

    rating_scales: list[RatingScale] = Field(min_length=1)
    goal_rating_scale: Slug = Field(
        description="Id of the rating scale of qualitative goals.",
        json_schema_extra=SUBSTANTIVE,
    )
    review_rating_scale: Slug = Field(
        description="Id of the rating scale of scorecards.", json_schema_extra=SUBSTANTIVE
    )
    scoring_rules: list[ScoringPreset] = Field(default_factory=list, json_schema_extra=SUBSTANTIVE)
    percent_in_points: bool = Field(
        json_schema_extra=SUBSTANTIVE,
        default=True,
        description="Metrics in % are scored in percentage points (85 % against a target of"
        " 90 % is 5 points short), not as a ratio of two percentages.",
    )
    cycles: Cycles = Field(json_schema_extra=SUBSTANTIVE)
    improvement_plan: ImprovementPolicy = Field(json_schema_extra=SUBSTANTIVE)
    shifts: list[Shift] = Field(default_factory=list)
    calendar: Literal["CN"] = Field(
        default="CN",
        description="The working calendar of dated checklists: CN = mainland China, its"
        " statutory holidays and official 调休 working weekends (from the holidays package).",
    )
    calendar_overrides: CalendarOverrides = Field(
        default_factory=CalendarOverrides,
        description="The company's working week and the days it works or rests unlike the"
        " official calendar.",
    )
    systems: list[System] = Field(default_factory=list, description="Where figures come from.")
    confidential_fields: list[str] = Field(
        default=list(DEFAULT_FIELDS),
        description="Fields whose values are for HR and the role's managers only, in every"
        " role: field names joined by dots, list items skipped (e.g. pay_band,"
        " incentives.rewards.amount, goals.stretch_target). The staff build leaves them out;"
        " a single value is marked in a role file with the tag !confidential.",
    )
    cascade_tolerance_percent: Number = Field(
        default=5,
        ge=0,
        le=100,
        description="A role's target and its reports' targets (× headcount) may differ by this"
        " much before validate reports a gap.",
    )

    @model_validator(mode="after")
    def _ids(self) -> Policies:
        for index, path in enumerate(self.confidential_fields):
            problem = field_error(path)
            if problem is not None:
                raise PydanticCustomError(
                    "unknown_field", problem, {"at": ("confidential_fields", index)}
                )
        scales = [s.id for s in self.rating_scales]
        for name in ("goal_rating_scale", "review_rating_scale"):
            value = getattr(self, name)
            if value not in scales:
                raise PydanticCustomError(
                    "unknown_id",
                    "no rating scale '{value}' (known: {known})",
                    {"value": value, "known": ", ".join(scales), "at": name},
                )
        return self

    def scale(self, scale_id: str) -> RatingScale | None:
        return next((s for s in self.rating_scales if s.id == scale_id), None)

    def rule(self, rule_id: str) -> ScoringPreset | None:
        return next((r for r in self.scoring_rules if r.id == rule_id), None)

    def system(self, system_id: str) -> System | None:
        return next((s for s in self.systems if s.id == system_id), None)


class MetricDictionary(Strict):
    """content/metrics.yaml: the KPI dictionary (指标库)."""

    metrics: list[Metric] = Field(min_length=1, json_schema_extra=MEMBERSHIP)


@dataclass(frozen=True)
class Company:
    """The policies and the KPI dictionary, as roles are validated against them."""

    policies: Policies | None = None
    metrics: dict[str, Metric] = field(default_factory=dict)
    #: Names of the company's files that exist but have errors (reported on their own).
    invalid: tuple[str, ...] = ()

    @functools.cached_property
    def key(self) -> bytes:
        """Changes with anything a role's validation takes from the company."""
        policies = self.policies.model_dump_json() if self.policies else ""
        metrics = [m.model_dump_json() for m in self.metrics.values()]
        return "\n".join([policies, *metrics, *self.invalid]).encode()


def load_company(project: Project) -> tuple[Company, list[Finding]]:
    """The policies and the KPI dictionary of the handbook, with the findings of their
    files (a file that is missing is no finding: the handbook does without it)."""
    findings: list[Finding] = []
    invalid: list[str] = []
    max_bytes = project.settings.max_file_bytes
    policies_doc = _read(project.policies_file, max_bytes, findings, invalid)
    policies = None
    if policies_doc is not None:
        policies, found = validate_document(policies_doc, Policies)
        findings.extend(found)
        if policies is None:
            invalid.append(project.policies_file.name)
        else:
            findings.extend(_duplicates(policies_doc, policies))
    metrics: dict[str, Metric] = {}
    metrics_doc = _read(project.metrics_file, max_bytes, findings, invalid)
    if metrics_doc is not None:
        dictionary, found = validate_document(metrics_doc, MetricDictionary)
        findings.extend(found)
        if dictionary is None:
            invalid.append(project.metrics_file.name)
        else:
            systems = [s.id for s in policies.systems] if policies else []
            check_systems = project.policies_file.name not in invalid
            for i, metric in enumerate(dictionary.metrics):
                loc: Loc = ("metrics", i)
                if metric.id in metrics:
                    findings.append(
                        metrics_doc.finding((*loc, "id"), f"id '{metric.id}' is used twice")
                    )
                metrics[metric.id] = metric
                if check_systems and metric.system is not None and metric.system not in systems:
                    message = f"no system '{metric.system}' in content/policies.yaml"
                    findings.append(
                        metrics_doc.finding(
                            (*loc, "system"), message + did_you_mean(metric.system, systems)
                        )
                    )
                if metric.system is None:
                    findings.append(
                        metrics_doc.finding(
                            (*loc, "system"),
                            "no data source: name the system the figure comes from",
                            severity="warning",
                            kind="no_data_source",
                        )
                    )
    return Company(policies, metrics, tuple(invalid)), findings


def _read(
    path: Path, max_bytes: int, findings: list[Finding], invalid: list[str]
) -> Document | None:
    if not path.exists():
        return None
    try:
        doc = read_document(path, max_bytes=max_bytes)
    except SourceError as exc:
        findings.extend(exc.findings)
        invalid.append(path.name)
        return None
    findings.extend(doc.warnings)
    return doc


def _duplicates(doc: Document, policies: Policies) -> list[Finding]:
    found = []
    for name in ("rating_scales", "scoring_rules", "shifts", "systems"):
        seen: set[str] = set()
        for i, entry in enumerate(getattr(policies, name)):
            if entry.id in seen:
                found.append(doc.finding((name, i, "id"), f"id '{entry.id}' is used twice"))
            seen.add(entry.id)
    return found
