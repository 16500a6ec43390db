"""The progress query's rate limits, in one place so the limiter behind them can be swapped.

Two windows guard the query: one per caller address (a script trying many numbers) and one per
application number (many addresses guessing one applicant's ID suffix). Both apply to every
number alike, known or not, so being limited says nothing about whether a number exists. They
count in the app's shared rate-limit store (:mod:`app.auth.ratelimit`), so every server process
sees the same counts.
"""

from __future__ import annotations

from limits import parse

from app.auth.ratelimit import client_key, limits

#: progress queries per caller address: 20 in 10 minutes
BY_ADDRESS = parse("20 per 10 minutes")
#: progress queries per application number: 10 an hour, from all addresses together
BY_NUMBER = parse("10 per hour")


def caller() -> str:
    """The caller's address as the limits count it."""
    return client_key()


def allow_progress_query(address: str, application_no: str) -> bool:
    """Count one query; False (and nothing counted against the number) when a limit is reached."""
    shared = limits()
    if not shared.allow(BY_ADDRESS, "progress-address", address):
        return False
    return shared.allow(BY_NUMBER, "progress-number", application_no.upper())


def reset() -> None:
    """Forget every counted query (tests)."""
    limits().reset()
