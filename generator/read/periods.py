"""Calendar periods for dated sheets: a day, an ISO week, a month, a review period."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

#: The years a period may fall in: anything else is a typing mistake (and the
#: calendar of Python's dates ends in 9999, so 9999-W52 would not even have a Sunday).
YEARS = range(1900, 3000)


@dataclass(frozen=True)
class Period:
    label: str  # as the user wrote it, e.g. 2026-W49
    start: date
    end: date

    @property
    def slug(self) -> str:
        return self.label


def parse_day(text: str) -> Period:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date like 2026-12-01, got {text!r}") from None
    _check_year(day.year, text)
    return Period(day.isoformat(), day, day)


def parse_week(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", text)
    if not match:
        raise ValueError(f"expected an ISO week like 2026-W49, got {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    _check_year(year, text)
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}") from None
    return Period(f"{year}-W{week:02d}", monday, monday + timedelta(days=6))


def parse_month(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month like 2026-12, got {text!r}")
    year, month = int(match.group(1)), int(match.group(2))
    _check_year(year, text)
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year}-{month:02d}", date(year, month, 1), date(year, month, last))


def parse_review_period(text: str) -> Period:
    """A goal sheet's period: 2027, 2027-H1, 2027-Q1 or 2027-03."""
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        _check_year(year, text)
        return Period(text, date(year, 1, 1), date(year, 12, 31))
    match = re.fullmatch(r"(\d{4})-([QH])(\d)", text.upper())
    if match:
        year, kind, n = int(match.group(1)), match.group(2), int(match.group(3))
        _check_year(year, text)
        months = 3 if kind == "Q" else 6
        if not 1 <= n <= 12 // months:
            raise ValueError(f"expected {kind}1 to {kind}{12 // months}, got {text!r}")
        first = (n - 1) * months + 1
        last_month = first + months - 1
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(f"{year}-{kind}{n}", date(year, first, 1), end)
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        return parse_month(text)  # its message says what is wrong with the month or year
    raise ValueError(f"expected a period like 2027, 2027-H1, 2027-Q1 or 2027-03, got {text!r}")


def _check_year(year: int, text: str) -> None:
    if year not in YEARS:
        raise ValueError(
            f"expected a year from {YEARS.start} to {YEARS.stop - 1}, got {year} in {text!r}"
        )
