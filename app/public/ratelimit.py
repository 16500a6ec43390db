"""The progress query's rate limits, in one place so the limiter behind them can be swapped.

Two windows guard the query: one per caller address (a script trying many numbers) and one per
application number (many addresses guessing one applicant's ID suffix). Both apply to every
number alike, known or not, so being limited says nothing about whether a number exists. For
now they count with :class:`app.auth.ratelimit.RateLimiter` in each process.
"""

from __future__ import annotations

from app.auth.ratelimit import RateLimiter, client_key

#: progress queries per caller address: 20 in 10 minutes
BY_ADDRESS = RateLimiter(20, 600)
#: progress queries per application number: 10 an hour, from all addresses together
BY_NUMBER = RateLimiter(10, 3600)


def caller() -> str:
    """The caller's address as the limits count it."""
    return client_key()


def allow_progress_query(address: str, application_no: str) -> bool:
    """Count one query; False (and nothing counted against the number) when a limit is reached."""
    if not BY_ADDRESS.allow(address):
        return False
    return BY_NUMBER.allow(application_no.upper())


def reset() -> None:
    """Forget every counted query (tests)."""
    BY_ADDRESS.reset()
    BY_NUMBER.reset()
