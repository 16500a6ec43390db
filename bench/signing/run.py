"""SM2 benchmark: sign and verify in C (GmSSL) vs the pure-Python reference, in the same run.

    .venv/bin/python -m bench.signing.run                  # 200 C rounds, 20 pure-Python rounds
    .venv/bin/python -m bench.signing.run --rounds 1000 --pure-rounds 50 --json out.json

Over the string-to-sign of a real request (the 税务 demo credential, ``POST /shuiwu/…``) it times

(a) **pure Python** — ``gmssl`` 3.2.2 ``CryptSM2.sign_with_sm3`` / ``verify_with_sm3``, what the
    ``sm2_sm3`` scheme and the sandbox used before;
(b) **C** — :func:`connectors.signing.gm.sign` / :func:`~connectors.signing.gm.verify` (GmSSL
    through ``gmssl-pyx``), what they use now;

and SM3 of a 200 KB contract PDF-sized body each way (five times: pure Python takes seconds).
Rounds alternate between (a) and (b) so a change in the machine's load hits both alike; the
figures are the medians in µs and the ratio a/b. It also checks, every round, that each side
verifies the other's signatures (the exit status is 1 if one did not).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import time

from gmssl import func, sm3
from gmssl import sm2 as pure_sm2

from connectors.signing import gm, sm2_sm3
from connectors.sources.tax import TaxConnector

PRIVATE_KEY = TaxConnector.demo_credential["private_key"]
PUBLIC_KEY = TaxConnector.demo_credential["public_key"]
DATA = sm2_sm3.string_to_sign("SW-DEMO-APP", "1700000000000", "0123456789abcdef0123456789abcdef", "POST",
                              "/shuiwu/api/v1/grsds/sbxx", sm2_sm3.sm3_hex(b'{"sfzjhm":"500103199001010000"}'))
PDF_SIZED = secrets.token_bytes(200_000)


def pure_sign(data: bytes) -> str:
    crypt = pure_sm2.CryptSM2(private_key=PRIVATE_KEY, public_key="")
    crypt.public_key = PUBLIC_KEY
    return crypt.sign_with_sm3(data, secrets.token_hex(32))


def pure_verify(signature: str, data: bytes) -> bool:
    crypt = pure_sm2.CryptSM2(private_key="", public_key="")
    crypt.public_key = PUBLIC_KEY
    return bool(crypt.verify_with_sm3(signature, data))


def _timed(work, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = work(*args)
    return (time.perf_counter() - started) * 1e6, result


def run(rounds: int, pure_rounds: int) -> dict:
    """Time both sides, alternating; return medians in µs and the interoperability count."""
    times: dict[str, list[float]] = {k: [] for k in ("pure_sign", "pure_verify", "c_sign", "c_verify",
                                                       "pure_sm3_200k", "c_sm3_200k")}
    crossed = failed = 0
    every = max(1, rounds // max(1, pure_rounds))
    for n in range(rounds):
        data = DATA + str(n).encode()
        us, c_signature = _timed(gm.sign, PRIVATE_KEY, PUBLIC_KEY, data)
        times["c_sign"].append(us)
        us, ok = _timed(gm.verify, PUBLIC_KEY, c_signature, data)
        times["c_verify"].append(us)
        failed += not ok
        if n % every == 0 and len(times["pure_sign"]) < pure_rounds:
            us, py_signature = _timed(pure_sign, data)
            times["pure_sign"].append(us)
            us, ok = _timed(pure_verify, py_signature, data)
            times["pure_verify"].append(us)
            failed += not ok
            # each way: C verifies pure Python's signature, pure Python verifies C's
            failed += not gm.verify(PUBLIC_KEY, py_signature, data)
            failed += not pure_verify(c_signature, data)
            crossed += 2
            if len(times["pure_sm3_200k"]) < 5:  # seconds each in pure Python
                times["pure_sm3_200k"].append(_timed(sm3.sm3_hash, func.bytes_to_list(PDF_SIZED))[0])
                times["c_sm3_200k"].append(_timed(gm.sm3_hex, PDF_SIZED)[0])
    out: dict = {"rounds": rounds, "pure_rounds": len(times["pure_sign"]), "cross_checks": crossed,
                 "failures": failed}
    for key, values in times.items():
        out[f"{key}_us"] = round(statistics.median(values), 1)
    for what in ("sign", "verify", "sm3_200k"):
        out[f"ratio_{what}_pure_over_c"] = round(out[f"pure_{what}_us"] / out[f"c_{what}_us"], 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="C sign+verify rounds")
    parser.add_argument("--pure-rounds", type=int, default=20, help="pure-Python rounds among them")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    out = run(args.rounds, args.pure_rounds)
    print(f"sign   : pure Python {out['pure_sign_us']:9.1f} µs   C {out['c_sign_us']:7.1f} µs   "
          f"×{out['ratio_sign_pure_over_c']}")
    print(f"verify : pure Python {out['pure_verify_us']:9.1f} µs   C {out['c_verify_us']:7.1f} µs   "
          f"×{out['ratio_verify_pure_over_c']}")
    print(f"SM3 200 KB: pure Python {out['pure_sm3_200k_us']:9.1f} µs   C {out['c_sm3_200k_us']:7.1f} µs   "
          f"×{out['ratio_sm3_200k_pure_over_c']}")
    print(f"cross-verified {out['cross_checks']} signatures, {out['failures']} failures")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return 1 if out["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
