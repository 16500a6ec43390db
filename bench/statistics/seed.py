"""Seed the case tables the dashboard reads, on top of the inbox bench's cases and tasks.

``bench.inbox.seed`` writes the process instances and their two tasks; this adds, per case, its
``application`` row (decided for completed cases: 70 % approved, 25 % rejected for one of five
rule reasons, 5 % withdrawn), one verification call (``job``, one of eight sources, 3 % failed,
5 % retried, latency 50 ms – 6 s) and its verification result (4 % checked by hand), a waiting
list entry for approved households and offers to one in twenty of them. Draws use ``hashtext``
like the inbox seed, so they are independent of each other and repeatable.
"""

from __future__ import annotations

import time

import psycopg2

SOURCES = ["hukou", "marriage", "family_assets", "housing_contracts", "housing_fund", "medical_insurance",
           "business", "disability"]
REASONS = [("R01", "家庭收入超过标准"), ("R02", "名下有住房"), ("R03", "户籍不符合要求"), ("R04", "社保缴纳不足"),
           ("R05", "材料不实")]

_SQL_APPLICATIONS = """
INSERT INTO application (application_no, housing_type, district, instance_id, applicant_username, applicant_name,
  applicant_name_masked, applicant_id_number, applicant_phone, household_type, household_size, status, current_step,
  suggested_opinion, declared, outcome, supplement, submitted_at, updated_at, closed_at)
SELECT p.business_key, CASE WHEN p.summary->>'housing_type' = '保租房' THEN 'baozufang' ELSE 'gongzufang' END,
  p.summary->>'district', p.id, 'applicant', '张三', '张*三', '110101199001011234', '',
  (ARRAY['single', 'nuclear', 'multi_generation'])[1 + abs(hashtext('ht' || p.id)) %% 3], 2,
  CASE WHEN p.status = 'running' THEN 'in_review' WHEN o.k < 70 THEN 'waiting' WHEN o.k < 95 THEN 'rejected'
       ELSE 'withdrawn' END, '复审', '', '{}',
  CASE WHEN p.status = 'running' THEN '{}'::jsonb
       WHEN o.k < 70 THEN jsonb_build_object('status', 'approved', 'decided_at', to_char(
         p.started_at + o.days * interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))
       WHEN o.k < 95 THEN jsonb_build_object('status', 'rejected', 'reason_code', r.code, 'reason_text', r.text)
       ELSE jsonb_build_object('status', 'withdrawn') END,
  '{}', p.started_at, p.started_at,
  CASE WHEN p.status <> 'running' AND o.k >= 70 THEN p.started_at + o.days * interval '1 day' END
FROM process_instance p
CROSS JOIN LATERAL (SELECT abs(hashtext('o' || p.id)) %% 100 AS k, 3 + abs(hashtext('e' || p.id)) %% 40 AS days) o
JOIN bench_reason r ON r.k = abs(hashtext('r' || p.id)) %% 5
WHERE p.process_key = 'bench_case'
"""

_SQL_JOBS = """
INSERT INTO job (id, instance_id, task_id, bpmn_id, task_name, operator, params, result_variable, idempotency_key,
  state, attempts, max_attempts, run_after, created_at, updated_at)
SELECT 'j' || a.id, a.instance_id, 't' || a.id, 'verify', '核验', s.name || '/check', '{}', s.name,
  'bench-' || a.id, CASE WHEN d.k < 3 THEN 'incident' ELSE 'applied' END, CASE WHEN d.k < 8 THEN 3 ELSE 1 END,
  3, a.submitted_at, a.submitted_at, a.submitted_at + (50 + abs(hashtext('l' || a.id)) %% 6000) * interval '1 ms'
FROM application a
JOIN bench_source s ON s.k = abs(hashtext('s' || a.id)) %% 8
CROSS JOIN LATERAL (SELECT abs(hashtext('f' || a.id)) %% 100 AS k) d
"""

_SQL_RESULTS = """
INSERT INTO verification_result (application_id, source, source_name, id_number, member_name, relation, found,
  verdict, summary, facts, evidence, method, checked_at)
SELECT a.id, s.name, s.name, '110101199001011234', '张三', 'applicant', true,
  CASE WHEN m.k < 4 THEN 'unavailable' ELSE 'pass' END, '', '{}', '[]',
  CASE WHEN m.k < 4 THEN 'manual' ELSE 'automatic' END, a.submitted_at + interval '1 hour'
FROM application a
JOIN bench_source s ON s.k = abs(hashtext('s' || a.id)) %% 8
CROSS JOIN LATERAL (SELECT abs(hashtext('m' || a.id)) %% 100 AS k) m
"""

_SQL_WAITING = """
INSERT INTO waiting_list_entry (application_id, application_no, housing_type, district, household_size, score,
  priority_groups, status, declines, round_penalty, registered_at, updated_at)
SELECT a.id, a.application_no, a.housing_type, a.district, 2, abs(hashtext('sc' || a.id)) %% 100,
  CASE abs(hashtext('pg' || a.id)) %% 6 WHEN 0 THEN '["低保"]'::jsonb WHEN 1 THEN '["残疾"]'::jsonb
       WHEN 2 THEN '["低保", "优抚"]'::jsonb ELSE '[]'::jsonb END,
  CASE WHEN abs(hashtext('w' || a.id)) %% 20 = 0 THEN 'offered' ELSE 'waiting' END, 0, 0, a.closed_at,
  a.submitted_at
FROM (SELECT id, application_no, housing_type, district, submitted_at,
        COALESCE(closed_at, (outcome->>'decided_at')::timestamptz AT TIME ZONE 'UTC') AS closed_at
      FROM application WHERE status = 'waiting') a
"""

_SQL_OFFERS = """
INSERT INTO allocation_offer (round_id, application_id, application_no, rank, unit_code, unit_address, unit_area,
  monthly_rent, status, decline_reason, offered_at)
SELECT %(round)s, w.application_id, w.application_no, 1, 'U' || w.id, '', 50, 800,
  (ARRAY['accepted', 'accepted', 'accepted', 'declined', 'expired', 'offered'])[1 + abs(hashtext('of' || w.id)) %% 6],
  '', w.registered_at + interval '20 days'
FROM waiting_list_entry w WHERE w.status = 'offered'
"""


def seed_cases(dsn: str, log=print) -> None:
    """Add the dashboard's tables to a database the inbox seed filled."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_reason(k int primary key, code text, text text)")
        cur.execute("INSERT INTO bench_reason SELECT k - 1, c, t FROM unnest(%s::text[], %s::text[]) "
                    "WITH ORDINALITY AS x(c, t, k)", ([r[0] for r in REASONS], [r[1] for r in REASONS]))
        cur.execute("CREATE TEMP TABLE bench_source(k int primary key, name text)")
        cur.execute("INSERT INTO bench_source SELECT k - 1, s FROM unnest(%s::text[]) WITH ORDINALITY AS x(s, k)",
                    (SOURCES,))
        cur.execute("INSERT INTO allocation_round (round_no, housing_type, district, method, units, seed_hash, "
                    "participants, result, status, created_at) VALUES ('BENCH-1', 'gongzufang', '渝中区', "
                    "'lottery', '[]', '', '[]', '[]', 'closed', now()) RETURNING id")
        round_id = cur.fetchone()[0]
        for label, sql in (("applications", _SQL_APPLICATIONS), ("verification calls", _SQL_JOBS),
                           ("verification results", _SQL_RESULTS), ("waiting list", _SQL_WAITING),
                           ("offers", _SQL_OFFERS)):
            started = time.perf_counter()
            cur.execute(sql, {"round": round_id})
            log(f"  {label}: {cur.rowcount:,} rows in {time.perf_counter() - started:.1f} s")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
