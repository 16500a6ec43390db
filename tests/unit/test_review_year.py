"""Which year's review a lease is due on a given day: each anniversary, and the expiry."""

from __future__ import annotations

from datetime import date

from handlers.tenancy import review_year


def test_a_review_falls_due_30_days_before_every_anniversary():
    start, end = date(2026, 3, 10), date(2029, 3, 9)
    assert review_year(start, end, date(2026, 12, 1), 30) is None
    assert review_year(start, end, date(2027, 2, 7), 30) is None
    assert review_year(start, end, date(2027, 2, 8), 30) == 2027
    assert review_year(start, end, date(2027, 11, 1), 30) == 2027  # still that year's, until the next
    assert review_year(start, end, date(2028, 2, 9), 30) == 2028  # a leap year
    assert review_year(start, end, date(2029, 2, 8), 30) == 2029  # the expiry: the renewal review


def test_a_lease_starting_on_new_years_day_gets_its_expiry_review_apart_from_the_anniversary():
    start, end = date(2027, 1, 1), date(2028, 12, 31)
    assert review_year(start, end, date(2027, 12, 15), 30) == 2028
    assert review_year(start, end, date(2028, 12, 15), 30) == 2029
