"""Working-day calendar (工作日) following the State Council holiday schedule.

Years 2004-2026 come from the `chinesecalendar` package, including make-up working days (调休).
A deployment adds later years (the State Council notice comes each November) or corrects a year
from a JSON data file; a year known to neither source raises `CalendarYearUnknown` rather than
guessing. Counting starts the day after the triggering day (the Regulation Art 33:
"自收到申请之日起" counts whole working days after receipt).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from domain.errors import CalendarYearUnknown

DEFAULT_DATA_FILE = Path(__file__).parent / "data" / "calendar.json"


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]  # weekend days that are working days (调休)
    source: str

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


@dataclass
class WorkingDayCalendar:
    years: dict[int, YearSchedule]
    version: str
    _cache: dict[date, bool] = field(default_factory=dict, repr=False)
    _ordinals: list[int] | None = field(default=None, repr=False)

    def schedule(self, year: int) -> YearSchedule:
        try:
            return self.years[year]
        except KeyError:
            raise CalendarYearUnknown(year) from None

    def is_working_day(self, day: date) -> bool:
        known = self._cache.get(day)
        if known is None:
            known = self.schedule(day.year).is_working_day(day)
            self._cache[day] = known
        return known

    def _working_ordinals(self) -> list[int]:
        """Every working day of every known year, as sorted ordinals (built once)."""
        if self._ordinals is None:
            ordinals: list[int] = []
            for year in sorted(self.years):
                day = date(year, 1, 1)
                while day.year == year:
                    if self.years[year].is_working_day(day):
                        ordinals.append(day.toordinal())
                    day += timedelta(days=1)
            self._ordinals = ordinals
        return self._ordinals

    def _check_years(self, first: date, last: date) -> None:
        for year in range(first.year, last.year + 1):
            self.schedule(year)

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (`start` itself never counts)."""
        if count < 0:
            raise ValueError("count must not be negative")
        self.schedule(start.year)
        if count == 0:
            return start
        ordinals = self._working_ordinals()
        target = bisect_right(ordinals, start.toordinal()) + count - 1
        if target >= len(ordinals):
            raise CalendarYearUnknown(max(self.years) + 1)
        result = date.fromordinal(ordinals[target])
        self._check_years(start, result)  # a gap between known years must not be skipped
        return result

    def working_days_between(self, after: date, until: date) -> int:
        """Working days d with after < d <= until (0 when until <= after)."""
        if until <= after:
            return 0
        self._check_years(after + timedelta(days=1), until)
        ordinals = self._working_ordinals()
        return bisect_right(ordinals, until.toordinal()) - bisect_right(ordinals, after.toordinal())


def _from_chinesecalendar() -> tuple[dict[int, YearSchedule], str]:
    from chinese_calendar import constants

    holidays: dict[int, set[date]] = {}
    workdays: dict[int, set[date]] = {}
    for day in constants.holidays:
        holidays.setdefault(day.year, set()).add(day)
    for day in constants.workdays:
        workdays.setdefault(day.year, set()).add(day)
    version = metadata.version("chinesecalendar")
    source = f"chinesecalendar {version}"
    years = {
        year: YearSchedule(
            year, frozenset(holidays.get(year, ())), frozenset(workdays.get(year, ())), source
        )
        for year in sorted(set(holidays) | set(workdays))
    }
    return years, source


def _parse_days(values: Iterable[str], year: int, what: str) -> frozenset[date]:
    days = frozenset(date.fromisoformat(v) for v in values)
    stray = sorted(d for d in days if d.year != year)
    if stray:
        raise ValueError(f"calendar data for {year}: {what} {stray[0]} is not in {year}")
    return days


def load_calendar_file(path: Path) -> dict[int, YearSchedule]:
    """Read `{"years": {"2027": {"holidays": [...], "workdays": [...], "source": "..."}}}`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    years: dict[int, YearSchedule] = {}
    for key, spec in raw.get("years", {}).items():
        year = int(key)
        years[year] = YearSchedule(
            year,
            _parse_days(spec.get("holidays", []), year, "holiday"),
            _parse_days(spec.get("workdays", []), year, "make-up workday"),
            str(spec.get("source") or path.name),
        )
    return years


def build_calendar(extra_files: Iterable[Path] = ()) -> WorkingDayCalendar:
    """The package data, then the shipped data file, then each extra file (later ones win)."""
    years, base = _from_chinesecalendar()
    digest = hashlib.sha256()
    for path in [DEFAULT_DATA_FILE, *extra_files]:
        # A mistyped path must not silently leave a corrected year uncorrected.
        if not path.is_file():
            raise FileNotFoundError(f"calendar data file not found: {path}")
        digest.update(path.read_bytes())
        years.update(load_calendar_file(path))
    return WorkingDayCalendar(years=years, version=f"{base}+data:{digest.hexdigest()[:12]}")


@lru_cache(maxsize=8)
def default_calendar(extra_file: str | None = None) -> WorkingDayCalendar:
    return build_calendar([Path(extra_file)] if extra_file else [])
