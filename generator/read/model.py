"""The role model: the one vocabulary the whole handbook speaks.

A role file is validated into a :class:`Role`. Every later stage (checks,
rendering, printing) works on these objects, never on raw YAML data.
Field descriptions end up in the JSON Schema that editors use for completion.
"""

from __future__ import annotations

import difflib
import re
import typing
from datetime import date
from typing import Annotated, Any, Literal, Protocol

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_serializer,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic.json_schema import SkipJsonSchema
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

Frequency = Literal["per_shift", "daily", "weekly", "monthly", "quarterly", "yearly", "as_needed"]
ChecklistFrequency = Literal[
    "per_shift",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "onboarding",
    "per_event",
    "as_needed",
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


#: How a change to a field counts in a role's revision history (generator.read.history),
#: declared on the field with ``Field(json_schema_extra=...)`` (``x-change`` in the JSON
#: Schema). Any change at or under a SUBSTANTIVE field needs a new document.version and
#: new signatures; a field without a marker (nor one above it) is wording.
SUBSTANTIVE: dict[str, Any] = {"x-change": "substantive"}
#: A list whose membership is substantive: an item added or removed. Its items' own
#: fields follow their own markers.
MEMBERSHIP: dict[str, Any] = {"x-change": "membership"}
#: The document control (version, approval, review date): the record of the changes,
#: not a change.
RECORD: dict[str, Any] = {"x-change": "record"}


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


def _shifts_defined(data: Any, info: ValidationInfo) -> Any:
    """``per_shift`` needs the shifts of the policies."""
    company = info.context
    per_shift = isinstance(data, dict) and data.get("frequency") == "per_shift"
    if per_shift and company is not None and not (company.policies and company.policies.shifts):
        raise PydanticCustomError(
            "no_shifts",
            "per_shift needs the company's shifts: list them under shifts in content/policies.yaml",
            {"at": "frequency"},
        )
    return data


class Duty(Traceable):
    id: ItemId
    title: Text = Field(description="Short name of the duty.")
    description: Text = Field(description="What the duty involves (主要工作内容).")
    frequency: Frequency = Field(json_schema_extra=SUBSTANTIVE)
    _shifts = model_validator(mode="before")(_shifts_defined)
    measured_by: list[ItemId] = Field(
        default_factory=list, description="Ids of the goals that measure this duty."
    )


class DutyArea(Strict):
    area: Text = Field(description="Area of responsibility, e.g. 客户开发.")
    duties: list[Duty] = Field(min_length=1, json_schema_extra=MEMBERSHIP)


class Qualifications(Strict):
    education: list[Text] = Field(min_length=1)
    experience: list[Text] = Field(min_length=1)
    skills: list[Text] = Field(min_length=1)
    qualities: list[Text] = Field(min_length=1)
    certificates: list[Text] = Field(default_factory=list)
    min_years: MaybeNumber = Field(
        default=None,
        ge=0,
        le=50,
        description="Years of experience required, as a number (checked against the years"
        " of the career paths leading here).",
    )


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
    better); scored in points (``basis: points``, for metrics in %), it is 100
    plus the difference from the target in the metric's own points (a 20 秒接通率
    of 83 % against a floor of 85 % is 98). A floor or a ceiling
    (``at_least``/``at_most``) earns no more than 100; within a range
    (``target`` to ``target_max``) is 100. A goal is scored on a 100-point scale
    and contributes
    ``weight x points / 100`` to the sheet. At 100 % achievement it earns 100
    points; every percentage point below deducts ``deduct_per_point_below``
    points, every point above adds ``add_per_point_above``, up to
    ``max_percent_of_weight``; below ``zero_below_percent`` it earns nothing.
    """

    deduct_per_point_below: Number = Field(default=1, ge=0)
    add_per_point_above: Number = Field(default=0, ge=0)
    zero_below_percent: Number = Field(default=0, ge=0, le=100)
    max_percent_of_weight: Number = Field(default=100, ge=100, le=300)
    basis: Literal["ratio", "points"] | None = Field(
        default=None,
        description="ratio (actual ÷ target) or points (the difference, for % metrics);"
        " unset: points for % metrics when policies.yaml says percent_in_points, else ratio.",
    )
    text: Text = Field(description="The rule as printed on the goal sheet.")
    #: The preset of policies.yaml this rule is (filled in by validation).
    id: SkipJsonSchema[str | None] = None


Direction = Literal["higher_is_better", "lower_is_better", "at_least", "at_most", "within_range"]


class Metric(Strict):
    """One KPI of the dictionary, defined once for every goal that measures it."""

    id: ItemId
    name: Text = Field(description="e.g. 销售收入")
    definition: Text = Field(
        description="口径: what counts, e.g. 经财务确认的不含税销售收入.",
        json_schema_extra=SUBSTANTIVE,
    )
    formula: MaybeText = Field(
        default=None, description="e.g. 逾期应收余额 ÷ 应收总余额", json_schema_extra=SUBSTANTIVE
    )
    unit: Text = Field(description="e.g. 万元, %, 家, 分", json_schema_extra=SUBSTANTIVE)
    direction: Direction = Field(
        json_schema_extra=SUBSTANTIVE,
        description="higher_is_better / lower_is_better (scored as a ratio or in points);"
        " at_least / at_most (a floor or a ceiling: no extra for beating it);"
        " within_range (target to target_max).",
    )
    scale_max: MaybeNumber = Field(
        default=None,
        gt=0,
        description="For a score on a scale: its maximum, e.g. 5.",
        json_schema_extra=SUBSTANTIVE,
    )
    system: Slug | None = Field(
        default=None,
        description="Id of the system (policies.yaml systems) the figure is from.",
        json_schema_extra=SUBSTANTIVE,
    )
    report: MaybeText = Field(default=None, description="The report or table in that system.")
    over_time: Literal["sum", "average", "last", "ratio_of_sums"] = Field(
        json_schema_extra=SUBSTANTIVE,
        description="How a month's figures make a quarter's: summed (sum), averaged, the"
        " period's last value, or a ratio recomputed from the summed parts.",
    )
    over_people: Literal["sum", "average", "none"] = Field(
        json_schema_extra=SUBSTANTIVE,
        description="How the figures of a team's members make the team's: sum, average, or"
        " none (not comparable, e.g. a manager's own judgement).",
    )


#: Fields of a goal that validation fills in from the KPI dictionary and the policies;
#: a role file that writes one of them is told where it is defined.
FROM_DICTIONARY = ("unit", "direction", "data_source")


class Goal(Traceable):
    id: ItemId
    name: Text
    kind: Literal["quantitative", "qualitative"] = Field(json_schema_extra=SUBSTANTIVE)
    metric: Text = Field(
        json_schema_extra=SUBSTANTIVE,
        description="Id of a metric of the KPI dictionary (content/metrics.yaml); without a"
        " dictionary, or for a qualitative goal, what is measured, e.g. 团队稳定性.",
    )
    unit: MaybeText = Field(
        default=None,
        description="Without a dictionary metric: unit of baseline and target.",
        json_schema_extra=SUBSTANTIVE,
    )
    direction: Direction = Field(
        default="higher_is_better",
        description="Without a dictionary metric.",
        json_schema_extra=SUBSTANTIVE,
    )
    baseline: MaybeNumber = Field(
        default=None,
        description="Current level, for quantitative goals.",
        json_schema_extra=SUBSTANTIVE,
    )
    target: MaybeNumber = Field(
        default=None,
        json_schema_extra=SUBSTANTIVE,
        description="Target value, for quantitative goals (the floor, the ceiling, or the low"
        " end of a range).",
    )
    target_max: MaybeNumber = Field(
        default=None,
        description="High end of the range, for a metric kept within a range.",
        json_schema_extra=SUBSTANTIVE,
    )
    stretch_target: MaybeNumber = Field(
        default=None, description="挑战目标, optional.", json_schema_extra=SUBSTANTIVE
    )
    target_level: MaybeText = Field(
        default=None,
        description="For qualitative goals: the rating level to reach.",
        json_schema_extra=SUBSTANTIVE,
    )
    criteria: MaybeText = Field(
        default=None,
        json_schema_extra=SUBSTANTIVE,
        description="For qualitative goals: what reaching target_level means for this goal"
        " (达标标准), e.g. 本季度主动离职不超过1人.",
    )
    period: GoalPeriod = Field(json_schema_extra=SUBSTANTIVE)
    deadline: MaybeText = Field(
        default=None,
        description="Optional deadline within the period.",
        json_schema_extra=SUBSTANTIVE,
    )
    weight: Number = Field(
        ge=0,
        le=100,
        description="Weight in percent; a sheet totals 100.",
        json_schema_extra=SUBSTANTIVE,
    )
    data_source: MaybeText = Field(
        default=None,
        json_schema_extra=SUBSTANTIVE,
        description="Without a dictionary metric: where the figure comes from, e.g. CRM 销售报表.",
    )
    assessor: Text = Field(description="考核部门 or person.", json_schema_extra=SUBSTANTIVE)
    duty: ItemId = Field(description="Id of the duty this goal serves.")
    scoring: ScoringRule | Slug | None = Field(
        default=None,
        description="Id of a scoring preset of policies.yaml, or a rule.",
        json_schema_extra=SUBSTANTIVE,
    )
    rating_scale: list[RatingLevel] | Slug = Field(
        default_factory=list,
        json_schema_extra=SUBSTANTIVE,
        description="Qualitative goals: id of a rating scale of policies.yaml (its own levels"
        " only where the policy allows it, with override_reason).",
    )
    override_reason: MaybeText = Field(
        default=None, description="Why this goal departs from the company's policy."
    )
    example: bool | None = Field(
        default=None,
        json_schema_extra=SUBSTANTIVE,
        description="Quantitative goals: true when the target figures are examples a company"
        " adjusts (printed as such), false when they are the real targets.",
    )
    #: Filled in by validation: the dictionary's metric and the rating scale's id.
    measure: SkipJsonSchema[Metric | None] = None
    scale: SkipJsonSchema[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _from_company(cls, data: Any, info: ValidationInfo) -> Any:
        company = info.context
        if not isinstance(data, dict) or company is None:
            return data
        return resolve_goal(data, company)

    @model_validator(mode="after")
    def _kind_fields(self) -> Goal:
        for name in ("scoring", "rating_scale"):
            if isinstance(getattr(self, name), str):
                raise no_policies(str(getattr(self, name)), name)
        if self.kind == "quantitative":
            missing = [
                f for f in ("unit", "target", "scoring", "data_source") if getattr(self, f) is None
            ]
            if missing:
                raise ValueError(
                    "a quantitative goal needs " + ", ".join(missing) + " (besides metric)"
                )
            if self.example is None:
                raise PydanticCustomError(
                    "example_unset",
                    "say whether the target figures are real: example: false (the real"
                    " targets) or example: true (figures to adjust, printed as examples)",
                    {"at": "example"},
                )
            if (self.direction == "within_range") != (self.target_max is not None):
                raise PydanticCustomError(
                    "range",
                    "target_max is the high end of a range: give it exactly when the metric"
                    " is kept within_range (direction here: {direction})",
                    {"direction": self.direction, "at": "target_max"},
                )
            low, high = self.target, self.target_max
            if low is not None and high is not None and high < low:
                raise PydanticCustomError(
                    "range",
                    "expected target_max at least target ({low}), got {high}",
                    {"low": f"{low:g}", "high": f"{high:g}", "at": "target_max"},
                )
            top = self.measure.scale_max if self.measure else None
            if top is not None and self.target is not None and self.target > top:
                raise PydanticCustomError(
                    "scale_max",
                    "expected a target of at most {top} (the scale's maximum), got {target}",
                    {"top": f"{top:g}", "target": f"{self.target:g}", "at": "target"},
                )
        else:
            if self.data_source is None:
                raise PydanticCustomError(
                    "no_evidence",
                    "a qualitative goal needs data_source: the evidence it is rated on, e.g."
                    " 季度协作评价表",
                    {"at": "data_source"},
                )
            levels = [lvl.level for lvl in self.levels]
            if len(levels) < 2:
                raise ValueError("a qualitative goal needs a rating_scale of at least 2 levels")
            if self.target_level is None or self.target_level not in levels:
                raise ValueError(
                    "a qualitative goal needs target_level set to one of its rating levels: "
                    + ", ".join(levels)
                )
        return self

    @property
    def metric_name(self) -> str:
        """What is measured, as people call it: the dictionary's name, or the text."""
        return self.measure.name if self.measure is not None else self.metric

    @property
    def levels(self) -> list[RatingLevel]:
        """The rating levels of a qualitative goal (a policy's id is resolved by validation)."""
        return self.rating_scale if isinstance(self.rating_scale, list) else []

    @property
    def rule(self) -> ScoringRule | None:
        return self.scoring if isinstance(self.scoring, ScoringRule) else None

    @property
    def scored_in_points(self) -> bool:
        return self.rule is not None and self.rule.basis == "points"


class Company(Protocol):
    """What validation refers to: the policies and the KPI dictionary
    (:class:`generator.read.company.Company`)."""

    @property
    def policies(self) -> Any: ...
    @property
    def metrics(self) -> dict[str, Metric]: ...
    @property
    def invalid(self) -> tuple[str, ...]: ...


def resolve_goal(data: dict[str, Any], company: Company) -> dict[str, Any]:
    """A goal's raw data with what the dictionary and the policies define filled in;
    a field the role file must not write (the dictionary defines it) is an error."""
    for injected in ("measure", "scale"):
        if injected in data:
            raise PydanticCustomError(
                "extra_forbidden", "unknown field (validation fills it in)", {"at": injected}
            )
    data = dict(data)
    metric = company.metrics.get(data["metric"]) if isinstance(data.get("metric"), str) else None
    policies = company.policies
    if data.get("kind") == "quantitative" and "metrics.yaml" in company.invalid:
        raise PydanticCustomError(
            "no_dictionary",
            "metric '{value}' cannot be looked up: content/metrics.yaml has errors",
            {"value": str(data.get("metric")), "at": "metric"},
        )
    if data.get("kind") == "quantitative" and company.metrics and metric is None:
        raise PydanticCustomError(
            "unknown_metric",
            "no metric '{value}' in the KPI dictionary (content/metrics.yaml){hint}",
            {
                "value": str(data.get("metric")),
                "hint": did_you_mean(str(data.get("metric")), sorted(company.metrics)),
                "at": "metric",
            },
        )
    if metric is not None:
        for name in FROM_DICTIONARY:
            if name in data:
                raise PydanticCustomError(
                    "from_dictionary",
                    "remove {name}: the KPI dictionary defines it for metric '{metric}'",
                    {"name": name, "metric": metric.id, "at": name},
                )
        data["measure"] = metric
        data["unit"] = metric.unit
        data["direction"] = metric.direction
        data["data_source"] = metric_source(metric, company)
    if policies is not None:
        scoring = data.get("scoring")
        if isinstance(scoring, str):
            preset = policies.rule(scoring)
            if preset is None:
                raise PydanticCustomError(
                    "unknown_rule",
                    "no scoring preset '{value}' in content/policies.yaml{hint}",
                    {
                        "value": scoring,
                        "hint": did_you_mean(scoring, [r.id for r in policies.scoring_rules]),
                        "at": "scoring",
                    },
                )
            data["scoring"] = preset.model_dump(exclude_none=True)
        in_percent = (metric.unit if metric else data.get("unit")) == "%"
        rule = data.get("scoring")
        if isinstance(rule, dict) and rule.get("basis") is None:
            basis = "points" if in_percent and policies.percent_in_points else "ratio"
            data["scoring"] = {**rule, "basis": basis}
        scale = data.get("rating_scale")
        if data.get("kind") == "qualitative" and scale in (None, []):
            scale = policies.goal_rating_scale
        if isinstance(scale, list):
            scale_id = policies.goal_rating_scale
            check_override(
                policies.scale(scale_id), data, "rating_scale", f"write rating_scale: {scale_id}"
            )
        if isinstance(scale, str):
            data = with_scale(data, policies, scale)
    return data


def with_scale(data: dict[str, Any], policies: Any, scale_id: str) -> dict[str, Any]:
    """``data`` with the levels of the policies' rating scale ``scale_id`` (and its id
    in ``scale``); an unknown id is an error with "did you mean"."""
    found = policies.scale(scale_id)
    if found is None:
        raise PydanticCustomError(
            "unknown_scale",
            "no rating scale '{value}' in content/policies.yaml{hint}",
            {
                "value": scale_id,
                "hint": did_you_mean(scale_id, [s.id for s in policies.rating_scales]),
                "at": "rating_scale",
            },
        )
    levels = [level.model_dump() for level in found.levels]
    return {**data, "rating_scale": levels, "scale": found.id}


def check_override(policy: Any, data: dict[str, Any], name: str, instead: str) -> None:
    """A role's own value where the policy has one: only where the policy is
    ``overridable``, and with an ``override_reason``; ``instead`` says what to write."""
    if policy is None:
        return
    if not policy.overridable:
        raise PydanticCustomError(
            "policy_fixed",
            "the company's policy applies here and allows no exception: {instead}",
            {"instead": instead, "at": name},
        )
    if not data.get("override_reason"):
        raise PydanticCustomError(
            "override_reason",
            "this departs from the company's policy ({instead}): say why in override_reason",
            {"instead": instead, "at": name},
        )


def no_policies(value: str, at: str) -> PydanticCustomError:
    """The error of a policy id where the policies could not be read."""
    return PydanticCustomError(
        "no_policies",
        "'{value}' names a policy of content/policies.yaml, which is missing or has errors",
        {"value": value, "at": at},
    )


def did_you_mean(value: str, known: list[str]) -> str:
    """'; did you mean 'x'?' or the known ids, for a message about an unknown id."""
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f" (known: {', '.join(known) or 'none'})"


def metric_source(metric: Metric, company: Company) -> str | None:
    """Where a metric's figure comes from, as printed: the system's name and the report."""
    system = None
    if metric.system is not None and company.policies is not None:
        found = company.policies.system(metric.system)
        system = found.name if found else metric.system
    parts = [p for p in (system, metric.report) if p]
    return " · ".join(parts) or None


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
    form: Slug | None = Field(
        default=None,
        description="Id of the form (content/forms/) that is the evidence, when the record"
        " is kept on a form rather than in a system.",
    )


class Checklist(Traceable):
    id: ItemId
    title: Text
    frequency: ChecklistFrequency
    description: MaybeText = None
    items: list[ChecklistItem] = Field(min_length=1)
    _shifts = model_validator(mode="before")(_shifts_defined)


class ScorecardItem(Traceable):
    name: Text = Field(description="评估项目")
    weight: MaybeNumber = Field(
        default=None,
        ge=0,
        le=100,
        description="Weight in percent; a scorecard totals 100. Leave it out where the item"
        " lists goals: it is their weights' sum.",
        json_schema_extra=SUBSTANTIVE,
    )
    criteria: Text = Field(description="评价标准", json_schema_extra=SUBSTANTIVE)
    evidence: Text = Field(description="评估依据: where the evidence comes from.")
    goals: list[ItemId] = Field(
        default_factory=list,
        description="Goals that feed this item.",
        json_schema_extra=SUBSTANTIVE,
    )


class Scorecard(Strict):
    """绩效评估表: the periodic performance review of the role."""

    period: GoalPeriod | None = Field(
        default=None,
        description="Unset: the review cycle of policies.yaml.",
        json_schema_extra=SUBSTANTIVE,
    )
    reviewers: list[Text] = Field(
        min_length=1, description="Who assesses, e.g. 销售经理.", json_schema_extra=SUBSTANTIVE
    )
    rating_scale: list[RatingLevel] | Slug = Field(
        default_factory=list,
        description="Id of a rating scale of policies.yaml (unset: its review_rating_scale).",
        json_schema_extra=SUBSTANTIVE,
    )
    items: list[ScorecardItem] = Field(min_length=1, json_schema_extra=MEMBERSHIP)
    sign_off: list[Text] = Field(
        min_length=1,
        description="Who signs, e.g. 被评估人, 直接上级.",
        json_schema_extra=SUBSTANTIVE,
    )
    override_reason: MaybeText = Field(
        default=None, description="Why this scorecard departs from the company's policy."
    )
    scale: SkipJsonSchema[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _from_company(cls, data: Any, info: ValidationInfo) -> Any:
        policies = info.context.policies if info.context is not None else None
        if not isinstance(data, dict) or policies is None:
            return data
        if "scale" in data:
            raise PydanticCustomError(
                "extra_forbidden", "unknown field (validation fills it in)", {"at": "scale"}
            )
        data = dict(data)
        cycle = policies.cycles.review
        if data.get("period") is None:
            data["period"] = cycle
        elif data["period"] != cycle:
            raise PydanticCustomError(
                "policy_cycle",
                "the company reviews performance {cycle} (cycles.review in"
                " content/policies.yaml), got {period}: leave period out",
                {"cycle": cycle, "period": str(data["period"]), "at": "period"},
            )
        scale = data.get("rating_scale") or policies.review_rating_scale
        if isinstance(scale, list):
            scale_id = policies.review_rating_scale
            check_override(
                policies.scale(scale_id), data, "rating_scale", f"write rating_scale: {scale_id}"
            )
            return data
        return with_scale(data, policies, str(scale))

    @model_validator(mode="after")
    def _complete(self) -> Scorecard:
        if isinstance(self.rating_scale, str):
            raise no_policies(self.rating_scale, "rating_scale")
        if self.period is None:
            raise PydanticCustomError(
                "no_policies",
                "expected a period: the handbook has no review cycle (content/policies.yaml)",
                {"at": "period"},
            )
        if len(self.rating_scale) < 2:
            raise ValueError("a scorecard needs a rating_scale of at least 2 levels")
        return self

    @property
    def levels(self) -> list[RatingLevel]:
        return self.rating_scale if isinstance(self.rating_scale, list) else []


class PlanStage(Strict):
    name: Text = Field(description="e.g. 诊断与约定")
    weeks: WholeNumber = Field(ge=1, le=52)


class ImprovementPlan(Traceable):
    """绩效改进计划: what happens when a review falls short."""

    trigger: Text = Field(
        description="When a plan starts, e.g. 季度评估为C级及以下.", json_schema_extra=SUBSTANTIVE
    )
    duration_weeks: MaybeWholeNumber = Field(
        default=None,
        ge=1,
        le=52,
        description="Unset: the length set in policies.yaml.",
        json_schema_extra=SUBSTANTIVE,
    )
    override_reason: MaybeText = Field(
        default=None, description="Why this plan departs from the company's policy."
    )
    stages: SkipJsonSchema[list[PlanStage]] = Field(default_factory=list)
    steps: list[Text] = Field(min_length=1)
    support: list[Text] = Field(default_factory=list, description="Help the company provides.")
    review: Text = Field(description="How and when the plan is closed.")

    @model_validator(mode="before")
    @classmethod
    def _from_company(cls, data: Any, info: ValidationInfo) -> Any:
        policies = info.context.policies if info.context is not None else None
        if not isinstance(data, dict) or policies is None:
            return data
        if "stages" in data:
            raise PydanticCustomError(
                "extra_forbidden", "unknown field (validation fills it in)", {"at": "stages"}
            )
        plan = policies.improvement_plan
        weeks = data.get("duration_weeks")
        if weeks is not None and weeks != plan.weeks:
            instead = f"leave duration_weeks out (the plan lasts {plan.weeks} weeks)"
            check_override(plan, data, "duration_weeks", instead)
            return data
        stages = [stage.model_dump() for stage in plan.stages]
        return {**data, "duration_weeks": plan.weeks, "stages": stages}

    @model_validator(mode="after")
    def _complete(self) -> ImprovementPlan:
        if self.duration_weeks is None:
            raise PydanticCustomError(
                "no_policies",
                "expected duration_weeks: the handbook has no improvement plan policy"
                " (content/policies.yaml)",
                {"at": "duration_weeks"},
            )
        return self


class Reward(Traceable):
    name: Text
    type: Literal["bonus", "promotion", "training", "recognition", "other"] = Field(
        json_schema_extra=SUBSTANTIVE
    )
    criteria: Text = Field(
        description="Transparent criteria: who earns it, when.", json_schema_extra=SUBSTANTIVE
    )
    reward: Text = Field(
        description="What is given, e.g. 季度绩效奖金, 随次月工资发放.",
        json_schema_extra=SUBSTANTIVE,
    )
    amount: MaybeText = Field(
        default=None,
        description="How much, or the formula, e.g. 奖金基数15000元 × 等级系数"
        " (confidential by default).",
        json_schema_extra=SUBSTANTIVE,
    )
    frequency: Frequency = Field(json_schema_extra=SUBSTANTIVE)
    ranked_among: Slug | None = Field(
        default=None,
        description="Role id whose holders compete for it (e.g. a 季度之星 among all 销售主任):"
        " checked against that role's headcount.",
        json_schema_extra=SUBSTANTIVE,
    )
    places: MaybeWholeNumber = Field(
        default=None,
        ge=1,
        description="How many of them earn it, e.g. 3 for the top three.",
        json_schema_extra=SUBSTANTIVE,
    )
    override_reason: MaybeText = Field(
        default=None, description="Why this reward departs from the company's bonus cycle."
    )

    @model_validator(mode="before")
    @classmethod
    def _bonus_cycle(cls, data: Any, info: ValidationInfo) -> Any:
        policies = info.context.policies if info.context is not None else None
        if not isinstance(data, dict) or policies is None or data.get("type") != "bonus":
            return data
        cycle = policies.cycles.bonus
        if data.get("frequency") != cycle and not data.get("override_reason"):
            raise PydanticCustomError(
                "policy_cycle",
                "the company settles bonuses {cycle} (cycles.bonus in content/policies.yaml),"
                " got {found}: make it {cycle}, or say why in override_reason",
                {"cycle": cycle, "found": str(data.get("frequency")), "at": "frequency"},
            )
        return data


class Recognition(Traceable):
    channel: Text = Field(description="e.g. 团队会议, 邮件, 一对一谈话")
    practice: Text
    frequency: Frequency


class Incentives(Strict):
    """激励方案: rewards with published criteria, and everyday recognition."""

    transparency: Text = Field(description="How criteria and results are made known.")
    rewards: list[Reward] = Field(min_length=1, json_schema_extra=MEMBERSHIP)
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
    mentor_role: Slug | None = Field(
        default=None,
        description="Role id the mentor holds, when it is a role of the handbook (checked"
        " against its headcount when it is this role).",
    )
    phases: list[OnboardingPhase] = Field(min_length=1)


class Role(Strict):
    id: Slug = Field(description="Lowercase slug; also the file name and the URL.")
    title: Text = Field(description="岗位名称, e.g. 销售主任")
    code: MaybeText = Field(
        default=None,
        description="岗位编号: the HR position code, e.g. XS-02 (unset: the id is shown).",
    )
    department: Text = Field(json_schema_extra=SUBSTANTIVE)
    grade: MaybeText = Field(default=None, description="职级", json_schema_extra=SUBSTANTIVE)
    pay_band: MaybeText = Field(
        default=None,
        description="薪酬范围, e.g. P6 · 月薪 15,000–22,000 元 (confidential by default).",
        json_schema_extra=SUBSTANTIVE,
    )
    headcount: WholeNumber = Field(
        default=1, ge=1, le=100000, description="编制人数", json_schema_extra=SUBSTANTIVE
    )
    status: Literal["published", "planned"] = Field(
        default="published",
        description="planned: a role being drafted; validated and named by other roles, but"
        " kept off the published site, its search and its printables.",
    )
    reports_to: Slug | None = Field(
        default=None, description="Role id of the direct superior.", json_schema_extra=SUBSTANTIVE
    )
    superior_outside: MaybeText = Field(
        default=None,
        description="A superior who is not a role of this handbook, by title, e.g. 总经理"
        " (shown as text, with no page).",
        json_schema_extra=SUBSTANTIVE,
    )
    direct_reports: list[Slug] = Field(default_factory=list, json_schema_extra=SUBSTANTIVE)
    reports_outside: list[Text] = Field(
        default_factory=list,
        description="Direct reports who are not roles of this handbook, by title.",
        json_schema_extra=SUBSTANTIVE,
    )
    purpose: Text = Field(description="岗位目的 / 职责综述")
    document: DocumentControl = Field(json_schema_extra=RECORD)
    responsibilities: list[DutyArea] = Field(min_length=1, json_schema_extra=MEMBERSHIP)
    qualifications: Qualifications = Field(json_schema_extra=SUBSTANTIVE)
    relationships: Relationships = Field(default_factory=Relationships)
    authority: list[Text] = Field(
        default_factory=list, description="岗位权限", json_schema_extra=SUBSTANTIVE
    )
    working_conditions: MaybeText = None
    goals: list[Goal] = Field(default_factory=list, json_schema_extra=MEMBERSHIP)
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
    #: Where the confidential values are (generator.read.confidential): filled in by
    #: reading, never written in a role file.
    confidential: SkipJsonSchema[frozenset[tuple[str | int, ...]]] = frozenset()

    @field_serializer("confidential")
    def _in_order(self, locs: frozenset[tuple[str | int, ...]]) -> list[tuple[str | int, ...]]:
        """A set's order changes with every process (string hashes are salted): dumped in
        order, the same role gives the same JSON, which the caches' keys are made of."""
        return sorted(locs, key=repr)

    @model_validator(mode="before")
    @classmethod
    def _not_written(cls, data: Any) -> Any:
        if isinstance(data, dict) and "confidential" in data:
            raise PydanticCustomError(
                "extra_forbidden",
                "unknown field (mark a value confidential with the tag !confidential, e.g."
                " target: !confidential 120)",
                {"at": "confidential"},
            )
        return data

    @model_validator(mode="after")
    def _derived(self) -> Role:
        if self.reports_to is not None and self.superior_outside is not None:
            raise PydanticCustomError(
                "two_superiors",
                "a role has one direct superior: reports_to (a role of the handbook) or"
                " superior_outside (a title), not both",
                {"at": "superior_outside"},
            )
        if self.scorecard is None:
            return self
        weights = {g.id: g.weight for g in self.goals}
        items = []
        for i, item in enumerate(self.scorecard.items):
            if not item.goals or any(g not in weights for g in item.goals):
                if item.weight is None:
                    raise PydanticCustomError(
                        "no_weight",
                        "expected a weight, or the goals whose weights it sums",
                        {"at": ("scorecard", "items", i, "weight")},
                    )
                items.append(item)
                continue
            total = sum(weights[g] for g in item.goals)
            if item.weight is not None and abs(item.weight - total) > 1e-6:
                listed = ", ".join(f"{g} {weights[g]:g}" for g in item.goals)
                raise PydanticCustomError(
                    "scorecard_weight",
                    "the scorecard weighs this item {weight}, but its goals weigh {total}"
                    " on the goal sheet ({listed}): leave weight out, it is their sum",
                    {
                        "weight": f"{item.weight:g}",
                        "total": f"{total:g}",
                        "listed": listed,
                        "at": ("scorecard", "items", i, "weight"),
                    },
                )
            items.append(item.model_copy(update={"weight": total}))
        return self.model_copy(
            update={"scorecard": self.scorecard.model_copy(update={"items": items})}
        )

    @property
    def position_code(self) -> str:
        """岗位编号 as documents show it: the HR code, or the id."""
        return self.code or self.id

    @property
    def published(self) -> bool:
        return self.status == "published"

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


def field_chain(model: type[BaseModel], names: tuple[str, ...]) -> list[FieldInfo]:
    """The fields a path of field names passes through, from ``model`` down (list items
    are skipped: ``("goals", "target")`` is the target of every goal). Raises KeyError
    with the first name that is not a field there."""
    chain: list[FieldInfo] = []
    current: type[BaseModel] | None = model
    for name in names:
        if current is None or name not in current.model_fields:
            raise KeyError(name)
        info = current.model_fields[name]
        chain.append(info)
        current = model_in(info.annotation)
    return chain


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (itself, in a list, or among the types of a union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None
