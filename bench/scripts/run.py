"""Script benchmark: the cost of one evaluation in-process vs bounded, in the same run.

For each kind of code the engine evaluates — a plain gateway condition, a parameter value, a
condition that calls a builtin, a script task, a decision table — it times N evaluations two
ways over the same data:

(a) in-process: the restricted sandbox (:class:`app.engine.sandbox.Sandbox`, or the DMN engine
    called directly), unbounded against C-level work;
(b) bounded: :class:`app.engine.bounded.BoundedSandbox` — the fast path for provably cheap
    code, an evaluator process (pipe round trip, pickling the data both ways) for the rest.

Prints µs per evaluation of each and the ratio b/a; ``--json`` writes the figures.

    .venv/bin/python -m bench.scripts.run --evaluations 2000
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DMN = ROOT / "bench" / "engine" / "bench_eligibility.dmn"

#: an application's data at a realistic size: a household of four with their facts
MEMBERS = [{"name": f"成员{i}", "id_number": f"50010319900101{i:04d}", "income": 1500 + 500 * i,
            "relation": "spouse" if i == 1 else "child", "documents": [f"doc-{i}-{j}" for j in range(5)]}
           for i in range(4)]
DATA = {"members": MEMBERS, "district": "渝中区", "housing_type": "gongzufang", "eligible": True,
        "size": 4, "supplement_count": 1, "income": 2000, "history": [{"step": s, "note": "同意" * 20}
                                                                       for s in range(30)]}

CASES = [  # (name, mode, source); "fast path" ones are provably cheap and stay in-process
    ("gateway condition (fast path)", "eval", "eligible == True"),
    ("parameter value (fast path)", "eval", "size"),
    ("per-capita income (fast path)", "eval", "sum(m['income'] for m in members) / len(members) < 4148"),
    ("condition (evaluator)", "eval", "sorted(m['income'] for m in members)[-1] < 4148"),
    ("script task (evaluator)", "exec",
     "names = sorted(m['name'] for m in members)\nper_capita = sum([m['income'] for m in members]) / len(names)"),
]
#: a table with a FEEL function call: not provably cheap, so it runs in an evaluator
FEEL_CALL_TABLE = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
  namespace="http://example.org"><decision id="calls" name="calls"><decisionTable id="t">
  <input id="i"><inputExpression id="ie" typeRef="number"><text>sum(incomes)</text></inputExpression></input>
  <output id="o" name="eligible"/>
  <rule id="r1"><inputEntry id="c1"><text>&lt;= 16592</text></inputEntry>
    <outputEntry id="o1"><text>true</text></outputEntry></rule>
  <rule id="r2"><inputEntry id="c2"><text>&gt; 16592</text></inputEntry>
    <outputEntry id="o2"><text>false</text></outputEntry></rule>
  </decisionTable></decision></definitions>"""


def _time(call, n: int) -> float:
    call()  # warm: compile caches, a started evaluator
    started = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n


def measure(n: int) -> list[dict]:
    """µs per evaluation, in-process and bounded, for each case."""
    from app.engine.bounded import BoundedSandbox, EvaluatorPool, Limits
    from app.engine.dmn import evaluate_decision, parse_decisions
    from app.engine.sandbox import Sandbox

    pool = EvaluatorPool(1)
    bounded = BoundedSandbox(Limits(timeout=2.0), pool=pool)
    plain = Sandbox(timeout=2.0)
    rows = []
    try:
        for name, mode, source in CASES:
            if mode == "eval":
                a = _time(lambda s=source: plain.evaluate(s, DATA), n)
                b = _time(lambda s=source: bounded.evaluate(s, DATA), n)
            else:
                a = _time(lambda s=source: plain.execute(s, dict(DATA)), n)
                b = _time(lambda s=source: bounded.execute(s, dict(DATA)), n)
            rows.append(_row(name, a, b))
        facts = {**DATA, "income": 3000, "incomes": [m["income"] for m in MEMBERS]}
        for name, decision in (
                ("decision table (fast path)", next(iter(parse_decisions(DMN.read_bytes(), DMN.name).values()))),
                ("decision table (evaluator)", parse_decisions(FEEL_CALL_TABLE, "calls.dmn")["calls"])):
            a = _time(lambda d=decision: evaluate_decision(d, facts, python_eval=plain.evaluate), n)
            b = _time(lambda d=decision: bounded.decide(d.table, facts), n)
            rows.append(_row(name, a, b))
    finally:
        pool.close()
    return rows


def _row(name: str, in_process: float, bounded: float) -> dict:
    return {"case": name, "in_process_us": round(in_process * 1e6, 1), "bounded_us": round(bounded * 1e6, 1),
            "ratio_b_over_a": round(bounded / in_process, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    rows = measure(args.evaluations)
    data_bytes = len(json.dumps(DATA, ensure_ascii=False).encode())
    print(f"{args.evaluations} evaluations each, over {data_bytes:,} bytes of process data\n")
    print(f"{'case':<34} {'in-process µs':>14} {'bounded µs':>11} {'b/a':>6}")
    for row in rows:
        print(f"{row['case']:<34} {row['in_process_us']:>14} {row['bounded_us']:>11} {row['ratio_b_over_a']:>6}")
    if args.json:
        args.json.write_text(json.dumps({"evaluations": args.evaluations, "data_bytes": data_bytes, "cases": rows},
                                        indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
