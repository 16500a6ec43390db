"""Seed cases and tasks straight into PostgreSQL with ``generate_series`` (minutes, not hours).

The shape: every case has two tasks. The first (初审) is completed; the second is ready for 40 %
of the cases, spread over the steps and candidate groups of the lifecycle (street review 40 %,
district review 30 %, three countersigning departments 15 %, city 10 %, the applicant's
supplement 5 %), with deadlines spread from ten days overdue to twenty days ahead (5 % without
one); 1 % of the ready street reviews are claimed. Ten districts; 渝中区 holds a tenth of
everything, and its reviewers completed their share. District, state, step and deadline are
drawn independently per case.
"""

from __future__ import annotations

import time

import psycopg2

DISTRICTS = ["渝中区", "江北区", "南岸区", "九龙坡区", "沙坪坝区", "大渡口区", "渝北区", "巴南区", "北碚区", "两江新区"]
#: (bpmn id, step name, candidate group) by (i / 7) % 20
STEPS = [("street_review", "初审", "street_reviewer")] * 8 + [("district_review", "复审", "district_reviewer")] * 6 + [
    ("countersign", "民政会签", "dept_minzheng"), ("countersign", "住建会签", "dept_zhujian"),
    ("countersign", "人社会签", "dept_renshe"), ("city_review", "市级审核", "city_reviewer"),
    ("city_review", "市级审核", "city_reviewer"), ("supplement", "补正材料", "applicant")]

_SQL_ARRAYS = """
CREATE TEMP TABLE bench_district(k int primary key, name text);
INSERT INTO bench_district SELECT k - 1, d FROM unnest(%(districts)s::text[]) WITH ORDINALITY AS t(d, k);
CREATE TEMP TABLE bench_step(k int primary key, bpmn_id text, name text, grp text);
INSERT INTO bench_step SELECT k - 1, b, n, g FROM unnest(%(bpmn)s::text[], %(names)s::text[], %(groups)s::text[])
  WITH ORDINALITY AS t(b, n, g, k);
"""

# one row of independent pseudo-random draws per case, so district, state, step and deadline
# are not correlated with each other (as plain ``i % n`` arithmetic would make them)
_SQL_KEYS = """
CREATE TEMP TABLE bench_keys AS
SELECT i, abs(hashtext('d' || i)) %% 10 AS dk, abs(hashtext('r' || i)) %% 5 < 2 AS running,
  abs(hashtext('s' || i)) %% 20 AS sk, abs(hashtext('t' || i)) %% 2592000 - 864000 AS due_s,
  abs(hashtext('n' || i)) %% 20 = 0 AS no_due, abs(hashtext('a' || i)) %% 100 = 0 AS claimed,
  abs(hashtext('h' || i)) %% 3 = 0 AS bzf, abs(hashtext('c' || i)) %% 400 AS age
FROM generate_series(1::bigint, %(n)s::bigint) i;
"""

_SQL_CASES = """
INSERT INTO process_instance (id, definition_id, process_key, bundle, business_key, status, state, state_format,
  version, summary, started_by, started_at, updated_at)
SELECT format('00000000-0000-4000-8000-%%s', lpad(to_hex(i), 12, '0')), %(definition)s, 'bench_case', '[]',
  'GZF' || lpad(i::text, 8, '0'), CASE WHEN running THEN 'running' ELSE 'completed' END, '', 1, 1,
  jsonb_build_object('application_no', 'GZF' || lpad(i::text, 8, '0'), 'district', d.name,
    'housing_type', CASE WHEN bzf THEN '保租房' ELSE '公租房' END, 'applicant_name', '张*三'),
  'applicant', now() - age * interval '1 day', now()
FROM bench_keys k JOIN bench_district d ON d.k = k.dk;
"""

# first task of each case: 初审, completed by the district's street reviewer
_SQL_FIRST = """
INSERT INTO human_task (id, instance_id, process_key, business_key, bpmn_id, name, instructions, candidate_groups,
  district, status, due_at, created_at, completed_at, completed_by, summary)
SELECT format('00000000-0000-4000-9000-%%s', lpad(to_hex(i), 12, '0')),
  format('00000000-0000-4000-8000-%%s', lpad(to_hex(i), 12, '0')), 'bench_case', 'GZF' || lpad(i::text, 8, '0'),
  'street_review', '初审', '', '["street_reviewer"]', d.name, 'completed', now() - age * interval '1 day',
  now() - (age + 5) * interval '1 day', now() - age * interval '1 day' + (i %% 86400) * interval '1 second',
  CASE WHEN dk = 0 THEN 'street_yz' ELSE 'street_' || dk END,
  jsonb_build_object('application_no', 'GZF' || lpad(i::text, 8, '0'), 'district', d.name,
    'housing_type', CASE WHEN bzf THEN '保租房' ELSE '公租房' END, 'applicant_name', '张*三', 'step', '初审')
FROM bench_keys k JOIN bench_district d ON d.k = k.dk;
"""

# second task: ready for running cases (spread over steps), completed 复审 for the others
_SQL_SECOND = """
INSERT INTO human_task (id, instance_id, process_key, business_key, bpmn_id, name, instructions, candidate_groups,
  assignee, district, status, due_at, created_at, completed_at, completed_by, summary)
SELECT format('00000000-0000-4000-a000-%%s', lpad(to_hex(i), 12, '0')),
  format('00000000-0000-4000-8000-%%s', lpad(to_hex(i), 12, '0')), 'bench_case', 'GZF' || lpad(i::text, 8, '0'),
  CASE WHEN running THEN s.bpmn_id ELSE 'district_review' END, CASE WHEN running THEN s.name ELSE '复审' END, '',
  jsonb_build_array(CASE WHEN running THEN s.grp ELSE 'district_reviewer' END),
  CASE WHEN running AND s.grp = 'applicant' THEN 'applicant'
       WHEN running AND s.grp = 'street_reviewer' AND claimed THEN
         CASE WHEN dk = 0 THEN 'street_yz' ELSE 'street_' || dk END END,
  d.name, CASE WHEN running THEN 'ready' ELSE 'completed' END,
  CASE WHEN no_due THEN NULL ELSE now() + due_s * interval '1 second' END,
  now() - (age %% 30) * interval '1 day',
  CASE WHEN running THEN NULL ELSE now() - (age %% 300) * interval '1 day' END,
  CASE WHEN running THEN NULL WHEN dk = 0 THEN 'district_yz' ELSE 'district_' || dk END,
  jsonb_build_object('application_no', 'GZF' || lpad(i::text, 8, '0'), 'district', d.name,
    'housing_type', CASE WHEN bzf THEN '保租房' ELSE '公租房' END, 'applicant_name', '张*三',
    'step', CASE WHEN running THEN s.name ELSE '复审' END)
FROM bench_keys k JOIN bench_district d ON d.k = k.dk JOIN bench_step s ON s.k = k.sk;
"""

_SQL_CANDIDATES = """
INSERT INTO task_candidate (task_id, group_name)
SELECT id, candidate_groups->>0 FROM human_task WHERE process_key = 'bench_case';
"""


def _bpmn() -> bytes:
    tasks = "".join(f'<bpmn:userTask id="t{i}" name="{name}"/>' for i, name in enumerate(dict.fromkeys(
        s[1] for s in STEPS)))
    return (f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="bench">'
            f'<bpmn:process id="bench_case" isExecutable="true">{tasks}</bpmn:process></bpmn:definitions>').encode()


def seed(dsn: str, cases: int, log=print) -> None:
    """Insert ``cases`` cases and ``2 * cases`` tasks into an empty, migrated database."""
    conn = psycopg2.connect(dsn)
    conn.autocommit = False
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO definition_file (file_name, kind, content, content_hash, created_at) "
                    "VALUES ('bench.bpmn', 'bpmn', %s, 'bench', now()) RETURNING id", (_bpmn(),))
        file_id = cur.fetchone()[0]
        cur.execute("INSERT INTO process_definition (key, version, kind, name, file_id, content_hash, executable, "
                    "dependencies, start_events, deployed_at, deployed_by, comment) VALUES ('bench_case', 1, "
                    "'process', '基准案件', %s, 'bench', true, '{}', '{}', now(), 'bench', '') RETURNING id",
                    (file_id,))
        definition = cur.fetchone()[0]
        cur.execute(_SQL_ARRAYS, {"districts": DISTRICTS, "bpmn": [s[0] for s in STEPS],
                                  "names": [s[1] for s in STEPS], "groups": [s[2] for s in STEPS]})
        for label, sql in (("draws", _SQL_KEYS), ("cases", _SQL_CASES), ("first tasks", _SQL_FIRST),
                           ("second tasks", _SQL_SECOND), ("candidates", _SQL_CANDIDATES)):
            started = time.perf_counter()
            cur.execute(sql, {"n": cases, "definition": definition})
            log(f"  {label}: {cur.rowcount:,} rows in {time.perf_counter() - started:.1f} s")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
