"""The working calendar: which days of a period are worked.

The calendar of the policies (``calendar: CN``, mainland China) comes from the
``holidays`` package: the days of the week the company works (``working_weekdays``,
Monday to Friday unless the policies say otherwise) less the statutory holidays, plus
the official 调休 weekends that are worked; then the company's own ``days_off`` and
``workdays`` (``calendar_overrides`` in ``content/policies.yaml``).

The State Council publishes each year's 调休 schedule late in the year before, and the
package knows it only from the release after that. A year without any official working
weekend in the package (nor any ``workdays`` of the company) is one whose schedule is
not known: its days are still counted, by weekends and statutory holidays alone, and a
warning says so, for the caller to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from generator.read.company import CalendarOverrides, Policies
from generator.read.periods import Period


@dataclass(frozen=True)
class WorkingDays:
    """The working days of a period, and what the caller should tell the reader."""

    days: tuple[date, ...]
    #: One line each, e.g. about a year without an official 调休 schedule.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficialYear:
    """One year of the official calendar: statutory days off and worked weekends."""

    days_off: frozenset[date]
    weekend_workdays: frozenset[date]


def official_year(year: int) -> OfficialYear:
    """The statutory holidays (with the weekdays given off for 调休) and the weekends
    worked instead, of one year of mainland China's calendar."""
    import holidays  # imported here: the CLI starts without it

    known = holidays.country_holidays("CN", years=year)  # = holidays.China
    # weekend_workdays also holds days of other years: keep the year's own.
    return OfficialYear(
        frozenset(d for d in known if d.year == year),
        frozenset(d for d in known.weekend_workdays if d.year == year),
    )


def working_days(period: Period, policies: Policies | None) -> WorkingDays:
    """The days of ``period`` that are worked, by the official calendar and the
    company's overrides (``policies``; without them Monday to Friday of the official
    calendar)."""
    overrides = policies.calendar_overrides if policies else CalendarOverrides()
    weekdays = frozenset(overrides.working_weekdays)
    days_off = frozenset(overrides.days_off)
    extra = frozenset(overrides.workdays)
    years = {year: official_year(year) for year in range(period.start.year, period.end.year + 1)}
    days = []
    for n in range((period.end - period.start).days + 1):
        day = period.start + timedelta(days=n)
        official = years[day.year]
        if day in days_off:
            continue
        usual = day.isoweekday() in weekdays and day not in official.days_off
        if usual or day in official.weekend_workdays or day in extra:
            days.append(day)
    warnings = [
        _unknown_year(year, official)
        for year, official in years.items()
        if not official.weekend_workdays and not any(d.year == year for d in extra)
    ]
    return WorkingDays(tuple(days), tuple(warnings))


def _unknown_year(year: int, official: OfficialYear) -> str:
    fix = "add the schedule under calendar_overrides in content/policies.yaml"
    if not official.days_off:
        return (
            f"the calendar of {year} has neither statutory holidays nor an official 调休"
            f" schedule: only weekends are used; {fix}"
        )
    return (
        f"the calendar of {year} has no official 调休 schedule yet: only weekends and"
        f" statutory holidays are used; {fix}"
    )
