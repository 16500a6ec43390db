"""The working-day calendar follows official holidays and make-up working weekends."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask

from app.engine import workdays


def test_national_day_week_and_make_up_saturday():
    assert not workdays.is_workday(date(2026, 10, 1))
    assert not workdays.is_workday(date(2026, 10, 7))
    assert workdays.is_workday(date(2026, 10, 10))  # 调休: a Saturday worked
    assert not workdays.is_workday(date(2026, 11, 22))  # an ordinary Sunday


def test_deadline_skips_the_holiday():
    start = datetime(2026, 9, 29, 9, 0, tzinfo=workdays.CHINA_TZ)
    due = workdays.add_working_days(start, 3)
    # 9-30 is day 1; 10-1..10-7 are holidays; 10-8 and 10-9 are days 2 and 3
    assert due == datetime(2026, 10, 10, 0, 0, tzinfo=workdays.CHINA_TZ).astimezone(UTC)


def test_working_days_between_is_symmetric():
    a, b = date(2026, 9, 25), date(2026, 10, 12)
    assert workdays.working_days_between(a, b) == 7
    assert workdays.working_days_between(b, a) == -7


def test_years_beyond_the_package_fall_back_and_say_so(tmp_path):
    assert workdays.coverage_note(date(2030, 5, 6)) is not None
    assert not workdays.is_workday(date(2030, 10, 1))
    override = tmp_path / "holidays.json"
    override.write_text('{"holidays": ["2030-10-04"], "workdays": ["2030-10-12"]}')
    calendar = workdays.WorkCalendar.from_file(str(override))
    assert not calendar.is_workday(date(2030, 10, 4))
    assert calendar.is_workday(date(2030, 10, 12))
    assert workdays.is_workday(date(2030, 10, 4))  # outside an app: the national calendar only


def test_each_app_counts_with_its_own_overrides(tmp_path):
    """Two apps in one process, one with an extra holiday: each deadline uses its own calendar."""
    override = tmp_path / "holidays.json"
    override.write_text('{"holidays": ["2030-10-08"], "workdays": []}')
    plain, extra = Flask("plain"), Flask("extra")
    workdays.init_app(plain, None)
    workdays.init_app(extra, str(override))
    start = datetime(2030, 10, 7, 9, 0, tzinfo=workdays.CHINA_TZ)  # a Monday
    with extra.app_context():
        assert not workdays.is_workday(date(2030, 10, 8))
        with plain.app_context():
            assert workdays.is_workday(date(2030, 10, 8))
            assert workdays.add_working_days(start, 1) == _midnight_after(date(2030, 10, 8))
        assert workdays.add_working_days(start, 1) == _midnight_after(date(2030, 10, 9))
        assert workdays.working_days_between(date(2030, 10, 7), date(2030, 10, 9)) == 1


def _midnight_after(day: date) -> datetime:
    return datetime(day.year, day.month, day.day + 1, tzinfo=workdays.CHINA_TZ).astimezone(UTC)
