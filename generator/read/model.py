"""The role model: the one vocabulary the whole handbook speaks.

A role file is validated into a :class:`Role`. Every later stage (checks,
rendering, printing) works on these objects, never on raw YAML data.
Field descriptions end up in the JSON Schema that editors use for completion.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ITEM_ID_RE = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")


def _check_slug(value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise PydanticCustomError(
            "slug",
            "expected an id of lowercase letters, digits and single hyphens (e.g. sales-director)",
        )
    return value


def _check_item_id(value: str) -> str:
    if not ITEM_ID_RE.fullmatch(_check_length(value)):
        raise PydanticCustomError(
            "item_id",
            "expected an id of letters, digits, '-' and '_' (e.g. D1, goal-sales)",
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty_text", "expected some text, got an empty value")
    return _check_length(value)


#: The most characters a text value may have. Laying out a table cell of the printable
#: sheets takes time with the square of its length (a duty description of 2,400
#: characters took 20 s); the longest value of the sample roles has 172.
MAX_TEXT_CHARS = 1000


def _check_length(value: str) -> str:
    if len(value) > MAX_TEXT_CHARS:
        raise PydanticCustomError(
            "text_too_long",
            "expected at most {limit} characters, got {length}: shorten it",
            {"limit": f"{MAX_TEXT_CHARS:,}", "length": f"{len(value):,}"},
        )
    return value


def _check_optional_length(value: str | None) -> str | None:
    return None if value is None else _check_length(value)


#: A number as people write it: digits, perhaps a sign and a decimal point. Pydantic
#: would also read 7_0 as 70 (Python's digit grouping), 1e2 as 100 and inf; none of
#: them is what a person writing a role file means.
DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _decimal_check(error_type: str) -> BeforeValidator:
    """Refuse text that is not a plain decimal number, as the number type's own error
    (so the message says which numbers the field takes)."""

    def check(value: object) -> object:
        if isinstance(value, str) and not DECIMAL_RE.fullmatch(value.strip()):
            raise PydanticCustomError(error_type, "expected a number written with digits")
        return value

    return BeforeValidator(check)


Slug = Annotated[str, AfterValidator(_check_slug)]
ItemId = Annotated[str, AfterValidator(_check_item_id)]
Text = Annotated[str, AfterValidator(_check_text)]
#: Text that may be left empty.
MaybeText = Annotated[str | None, AfterValidator(_check_optional_length)]
Number = Annotated[float, _decimal_check("float_parsing")]
WholeNumber = Annotated[int, _decimal_check("int_parsing")]
# (Annotated outside the "| None": so a Field's ge/le still show in the JSON Schema.)
MaybeNumber = Annotated[float | None, _decimal_check("float_parsing")]
MaybeWholeNumber = Annotated[int | None, _decimal_check("int_parsing")]

Frequency = Literal["daily", "weekly", "monthly", "quarterly", "yearly", "as_needed"]
ChecklistFrequency = Literal[
    "daily", "weekly", "monthly", "quarterly", "yearly", "onboarding", "per_event", "as_needed"
]
GoalPeriod = Literal["monthly", "quarterly", "half_yearly", "yearly"]
TrainingFormat = Literal[
    "workshop",
    "case_study",
    "e_learning",
    "shadowing",
    "coaching",
    "role_play",
    "lecture",
    "self_study",
    "simulation",
]


class Strict(BaseModel):
    """Base for every part of a role file: unknown keys are errors."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


class Traceable(Strict):
    principles: list[Text] = Field(
        default_factory=list,
        description="Management principles (by name, e.g. 明确职责) this item implements.",
    )


class DocumentControl(Strict):
    version: Text = Field(description="Document version, e.g. 1.0")
    owner: Text = Field(description="Who keeps this role file current (person or department).")
    prepared_by: Text = Field(description="编制")
    reviewed_by: Text = Field(description="审核")
    approved_by: Text = Field(description="核准")
    last_reviewed: date = Field(description="Date of the last review, YYYY-MM-DD.")
    review_interval_months: WholeNumber = Field(
        ge=1, le=60, description="Months after last_reviewed by which the role must be reviewed."
    )


class Duty(Traceable):
    id: ItemId
    title: Text = Field(description="Short name of the duty.")
    description: Text = Field(description="What the duty involves (主要工作内容).")
    frequency: Frequency
    measured_by: list[ItemId] = Field(
        default_factory=list, description="Ids of the goals that measure this duty."
    )


class DutyArea(Strict):
    area: Text = Field(description="Area of responsibility, e.g. 客户开发.")
    duties: list[Duty] = Field(min_length=1)


class Qualifications(Strict):
    education: list[Text] = Field(min_length=1)
    experience: list[Text] = Field(min_length=1)
    skills: list[Text] = Field(min_length=1)
    qualities: list[Text] = Field(min_length=1)
    certificates: list[Text] = Field(default_factory=list)


class Relationship(Strict):
    party: Text = Field(description="Who, e.g. 财务部 or 重点客户.")
    purpose: Text = Field(description="What the role works with them on.")


class Relationships(Strict):
    internal: list[Relationship] = Field(default_factory=list)
    external: list[Relationship] = Field(default_factory=list)


class RatingLevel(Strict):
    level: Text = Field(description="Level name, e.g. A or 优秀.")
    score_percent: Number = Field(
        ge=0, le=200, description="Share of the goal's weight earned at this level, in percent."
    )
    description: Text


class ScoringRule(Strict):
    """How a quantitative goal turns an actual value into a score.

    Achievement is actual/target in percent (target/actual when lower is
    better). A goal is scored on a 100-point scale and contributes
    ``weight x points / 100`` to the sheet. At 100 % achievement it earns 100
    points; every percentage point below deducts ``deduct_per_point_below``
    points, every point above adds ``add_per_point_above``, up to
    ``max_percent_of_weight``; below ``zero_below_percent`` it earns nothing.
    """

    deduct_per_point_below: Number = Field(default=1, ge=0)
    add_per_point_above: Number = Field(default=0, ge=0)
    zero_below_percent: Number = Field(default=0, ge=0, le=100)
    max_percent_of_weight: Number = Field(default=100, ge=100, le=300)
    text: Text = Field(description="The rule as printed on the goal sheet.")


class Goal(Traceable):
    id: ItemId
    name: Text
    kind: Literal["quantitative", "qualitative"]
    metric: Text = Field(description="What is measured, e.g. 月度销售回款额.")
    unit: MaybeText = Field(default=None, description="Unit of baseline and target, e.g. 万元, %.")
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    baseline: MaybeNumber = Field(
        default=None, description="Current level, for quantitative goals."
    )
    target: MaybeNumber = Field(default=None, description="Target value, for quantitative goals.")
    stretch_target: MaybeNumber = Field(default=None, description="挑战目标, optional.")
    target_level: MaybeText = Field(
        default=None, description="For qualitative goals: the rating level to reach."
    )
    period: GoalPeriod
    deadline: MaybeText = Field(default=None, description="Optional deadline within the period.")
    weight: Number = Field(ge=0, le=100, description="Weight in percent; a sheet totals 100.")
    data_source: Text = Field(description="Where the figure comes from, e.g. CRM 销售报表.")
    assessor: Text = Field(description="考核部门 or person.")
    duty: ItemId = Field(description="Id of the duty this goal serves.")
    scoring: ScoringRule | None = None
    rating_scale: list[RatingLevel] = Field(default_factory=list)
    example: bool = Field(
        default=True, description="Target figures are examples a company adjusts (marked as such)."
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> Goal:
        if self.kind == "quantitative":
            missing = [f for f in ("unit", "target", "scoring") if getattr(self, f) is None]
            if missing:
                raise ValueError(
                    "a quantitative goal needs " + ", ".join(missing) + " (besides metric)"
                )
        else:
            if len(self.rating_scale) < 2:
                raise ValueError("a qualitative goal needs a rating_scale of at least 2 levels")
            levels = [lvl.level for lvl in self.rating_scale]
            if self.target_level is None or self.target_level not in levels:
                raise ValueError(
                    "a qualitative goal needs target_level set to one of its rating levels: "
                    + ", ".join(levels)
                )
        return self


class OnboardingWindow(Strict):
    label: Text = Field(description="e.g. 试用期")
    weeks: WholeNumber = Field(ge=1, le=104)


class TrainingModule(Traceable):
    id: ItemId
    title: Text
    category: Text = Field(description="e.g. 专业技能, 管理能力, 职业素养")
    objectives: list[Text] = Field(min_length=1)
    format: TrainingFormat
    hours: Number = Field(gt=0, le=500)
    week: MaybeWholeNumber = Field(
        default=None, ge=1, description="Week offset from the start in role."
    )
    phase: MaybeText = Field(default=None, description="e.g. 试用期, 第二季度, 年度")
    onboarding: bool = Field(default=False, description="Part of the onboarding window.")
    prerequisites: list[ItemId] = Field(default_factory=list)
    trainer: Text = Field(description="Trainer or owning department.")
    assessment: Text = Field(description="How learning is checked.")
    prepares_for: list[ItemId] = Field(
        default_factory=list, description="Ids of duties or goals this module prepares for."
    )

    @model_validator(mode="after")
    def _when(self) -> TrainingModule:
        if self.week is None and self.phase is None:
            raise ValueError("a training module needs a week or a phase (when it takes place)")
        return self


class Training(Strict):
    onboarding_window: OnboardingWindow
    modules: list[TrainingModule] = Field(min_length=1)


class ChecklistItem(Traceable):
    text: Text
    duty: ItemId | None = Field(default=None, description="Id of the duty this item serves.")
    owner: MaybeText = Field(default=None, description="Who does it, if not the role itself.")
    evidence: MaybeText = Field(default=None, description="What shows it is done.")


class Checklist(Traceable):
    id: ItemId
    title: Text
    frequency: ChecklistFrequency
    description: MaybeText = None
    items: list[ChecklistItem] = Field(min_length=1)


class ScorecardItem(Traceable):
    name: Text = Field(description="评估项目")
    weight: Number = Field(ge=0, le=100, description="Weight in percent; a scorecard totals 100.")
    criteria: Text = Field(description="评价标准")
    evidence: Text = Field(description="评估依据: where the evidence comes from.")
    goals: list[ItemId] = Field(default_factory=list, description="Goals that feed this item.")


class Scorecard(Strict):
    """绩效评估表: the periodic performance review of the role."""

    period: GoalPeriod
    reviewers: list[Text] = Field(min_length=1, description="Who assesses, e.g. 销售经理.")
    rating_scale: list[RatingLevel] = Field(min_length=2)
    items: list[ScorecardItem] = Field(min_length=1)
    sign_off: list[Text] = Field(min_length=1, description="Who signs, e.g. 被评估人, 直接上级.")


class ImprovementPlan(Traceable):
    """绩效改进计划: what happens when a review falls short."""

    trigger: Text = Field(description="When a plan starts, e.g. 季度评估为C级及以下.")
    duration_weeks: WholeNumber = Field(ge=1, le=52)
    steps: list[Text] = Field(min_length=1)
    support: list[Text] = Field(default_factory=list, description="Help the company provides.")
    review: Text = Field(description="How and when the plan is closed.")


class Reward(Traceable):
    name: Text
    type: Literal["bonus", "promotion", "training", "recognition", "other"]
    criteria: Text = Field(description="Transparent criteria: who earns it, when.")
    reward: Text = Field(description="What is given.")
    frequency: Frequency


class Recognition(Traceable):
    channel: Text = Field(description="e.g. 团队会议, 邮件, 一对一谈话")
    practice: Text
    frequency: Frequency


class Incentives(Strict):
    """激励方案: rewards with published criteria, and everyday recognition."""

    transparency: Text = Field(description="How criteria and results are made known.")
    rewards: list[Reward] = Field(min_length=1)
    recognition: list[Recognition] = Field(default_factory=list)


class CareerStep(Traceable):
    role: Slug = Field(description="Id of the next role.")
    requirements: list[Text] = Field(min_length=1)
    typical_years: MaybeNumber = Field(default=None, ge=0, le=40)
    training: list[ItemId] = Field(
        default_factory=list, description="Training modules of this role that prepare for it."
    )


class CareerPath(Traceable):
    """职业发展规划: goals, skill growth, promotion and transition paths."""

    short_term_goals: list[Text] = Field(default_factory=list)
    long_term_goals: list[Text] = Field(default_factory=list)
    skill_development: list[Text] = Field(default_factory=list)
    next_roles: list[CareerStep] = Field(default_factory=list)
    transitions: list[Text] = Field(default_factory=list, description="职业转型: other paths.")


class OnboardingPhase(Traceable):
    id: ItemId
    title: Text = Field(description="e.g. 第一天, 第一周, 第30天")
    day_from: WholeNumber = Field(
        ge=1, le=365, description="First day of the phase (day 1 = start)."
    )
    day_to: WholeNumber = Field(ge=1, le=365, description="Last day of the phase.")
    focus: Text
    activities: list[Text] = Field(default_factory=list)
    training: list[ItemId] = Field(default_factory=list, description="Training module ids.")
    checklists: list[ItemId] = Field(default_factory=list, description="Checklist ids.")
    goals: list[ItemId] = Field(default_factory=list, description="Goal ids.")
    milestone: Text = Field(description="What shows the phase is complete.")

    @model_validator(mode="after")
    def _days(self) -> OnboardingPhase:
        if self.day_to < self.day_from:
            raise ValueError(f"day_to ({self.day_to}) is before day_from ({self.day_from})")
        return self


class Onboarding(Strict):
    """入职计划: the first day, week and 30/60/90 days of someone new in the role."""

    mentor: Text = Field(description="Who guides the newcomer.")
    phases: list[OnboardingPhase] = Field(min_length=1)


class Role(Strict):
    id: Slug = Field(description="Lowercase slug; also the file name and the URL.")
    title: Text = Field(description="岗位名称, e.g. 销售主任")
    department: Text
    grade: MaybeText = Field(default=None, description="职级")
    headcount: WholeNumber = Field(default=1, ge=1, le=100000, description="编制人数")
    reports_to: Slug | None = Field(default=None, description="Role id of the direct superior.")
    direct_reports: list[Slug] = Field(default_factory=list)
    purpose: Text = Field(description="岗位目的 / 职责综述")
    document: DocumentControl
    responsibilities: list[DutyArea] = Field(min_length=1)
    qualifications: Qualifications
    relationships: Relationships = Field(default_factory=Relationships)
    authority: list[Text] = Field(default_factory=list, description="岗位权限")
    working_conditions: MaybeText = None
    goals: list[Goal] = Field(default_factory=list)
    training: Training | None = None
    checklists: list[Checklist] = Field(default_factory=list)
    scorecard: Scorecard | None = None
    improvement_plan: ImprovementPlan | None = None
    incentives: Incentives | None = None
    career: CareerPath | None = None
    onboarding: Onboarding | None = None
    principle_framework: Slug | None = Field(
        default=None,
        description="Id of the principle framework (content/principles.yaml) whose coverage"
        " this role must show.",
    )

    @property
    def duties(self) -> list[Duty]:
        return [duty for area in self.responsibilities for duty in area.duties]

    def duty(self, duty_id: str) -> Duty:
        return next(d for d in self.duties if d.id == duty_id)

    def goal(self, goal_id: str) -> Goal:
        return next(g for g in self.goals if g.id == goal_id)

    def module(self, module_id: str) -> TrainingModule:
        modules = self.training.modules if self.training else []
        return next(m for m in modules if m.id == module_id)

    def title_of(self, item_id: str) -> str:
        """Name of the duty, goal or training module with this id."""
        for duty in self.duties:
            if duty.id == item_id:
                return duty.title
        for goal in self.goals:
            if goal.id == item_id:
                return goal.name
        return self.module(item_id).title

    def checklist(self, checklist_id: str) -> Checklist:
        return next(c for c in self.checklists if c.id == checklist_id)

    @property
    def total_weight(self) -> float:
        return sum(goal.weight for goal in self.goals)

    @property
    def training_hours(self) -> float:
        return sum(m.hours for m in self.training.modules) if self.training else 0.0


class Principle(Strict):
    number: WholeNumber = Field(ge=1)
    name: Text = Field(description="The source's section heading, word for word.")
    points: list[Text] = Field(min_length=1, description="The source's sub-section headings.")
    summary: Text = Field(description="The principle in the handbook's own words.")


class Faq(Strict):
    id: ItemId
    question: Text
    answer: Text = Field(description="The answer in the handbook's own words.")


class Framework(Strict):
    """A set of management principles (content/principles.yaml) that roles tag items with."""

    id: Slug
    title: Text
    source: Text = Field(description="Where the principles come from.")
    principles: list[Principle] = Field(min_length=1)
    faqs: list[Faq] = Field(default_factory=list)

    @property
    def tags(self) -> list[str]:
        return [p.name for p in self.principles] + [f.id for f in self.faqs]
