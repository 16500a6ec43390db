"""摇号 that anyone can re-run: a committed seed and a deterministic draw.

Before the draw the round publishes ``seed_hash = SHA-256(seed)`` and the participants in
their canonical order (sorted application numbers). After the draw it reveals ``seed``.
Anyone can then check ``sha256(seed) == seed_hash`` and recompute the order with
:func:`draw_order`: each participant's key is ``SHA-256(seed + ":" + application_no)`` and the
order is by key (ties, which SHA-256 makes practically impossible, keep the canonical order).
Nobody — including the operator — can steer the result once the hash is published, because a
different seed would not match it. ``docs/lottery.md`` specifies the algorithm
(:data:`ALGORITHM`) for reimplementation; ``scripts/verify-lottery`` is an independent one.

``python -m handlers.lottery <seed> <application_no> ...`` prints the order, for re-running a
published draw.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
from collections.abc import Sequence

#: the name published with every round; a changed algorithm gets a new name, old rounds keep theirs
ALGORITHM = "sha256-sort-v1"


def new_seed() -> str:
    """A fresh secret seed (256 random bits, hex)."""
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    """The hash published before the draw."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def draw_key(seed: str, application_no: str) -> str:
    """One participant's sort key: ``SHA-256(seed ":" application_no)`` as lowercase hex."""
    return hashlib.sha256(f"{seed}:{application_no}".encode()).hexdigest()


def draw_order(seed: str, participants: Sequence[str]) -> list[str]:
    """The drawn order of ``participants`` (application numbers) for ``seed``."""
    canonical = sorted(set(participants))
    return sorted(canonical, key=lambda number: draw_key(seed, number))


def verify(seed: str, seed_hash: str, participants: Sequence[str], published_order: Sequence[str]) -> bool:
    """True if the revealed seed matches the commitment and reproduces the published order."""
    return commitment(seed) == seed_hash and draw_order(seed, participants) == list(published_order)


def main(argv: list[str]) -> int:
    """Print the commitment and the order for a seed and participants."""
    if len(argv) < 2:
        print("usage: python -m handlers.lottery <seed> <application_no> ...", file=sys.stderr)
        return 2
    seed, participants = argv[0], argv[1:]
    print(f"seed_hash {commitment(seed)}")
    for rank, number in enumerate(draw_order(seed, participants), start=1):
        print(f"{rank:4d} {number}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
