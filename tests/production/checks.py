"""What the scenarios check in the database itself, beside what the API shows."""

from __future__ import annotations

from typing import Any

import psycopg2
import psycopg2.extras

#: a running instance that has nothing to wait for: no ready human task, no job still to run or
#: to apply, no timer, no message subscription and no running instance it started
WAITING_ON_NOTHING = """
SELECT i.id, i.process_key, i.business_key
  FROM process_instance i
 WHERE i.status = 'running'
   AND NOT EXISTS (SELECT 1 FROM human_task t WHERE t.instance_id = i.id AND t.status IN ('ready', 'waiting'))
   AND NOT EXISTS (SELECT 1 FROM job j WHERE j.instance_id = i.id
                     AND j.state IN ('pending', 'queued', 'running', 'succeeded'))
   AND i.next_timer_due_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM message_subscription m WHERE m.instance_id = i.id)
   AND NOT EXISTS (SELECT 1 FROM process_instance c WHERE c.parent_instance_id = i.id AND c.status = 'running')
 ORDER BY i.started_at
"""


class Database:
    """Read-only questions to the topology's PostgreSQL database (a connection per question)."""

    def __init__(self, url: str):
        self.url = url

    def rows(self, sql: str, *params: Any) -> list[dict]:
        conn = psycopg2.connect(self.url, connect_timeout=5)
        try:
            with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute(sql, params)
                return [dict(r) for r in cur.fetchall()] if cur.description else []
        finally:
            conn.commit()
            conn.close()

    def execute(self, sql: str, *params: Any) -> None:
        """Change something as an operator would by hand (set the time; nothing else)."""
        self.rows(sql, *params)

    def waiting_on_nothing(self) -> list[dict]:
        """Running instances left waiting on nothing (each one is stuck for good)."""
        return self.rows(WAITING_ON_NOTHING)

    def open_incidents(self) -> list[dict]:
        return self.rows("SELECT id, instance_id, bpmn_id, error_code, message FROM incident WHERE status = 'open'")

    def instances(self, business_key: str) -> list[dict]:
        return self.rows("SELECT id, process_key, status FROM process_instance WHERE business_key = %s "
                         "ORDER BY started_at", business_key)

    def completed_tasks(self, business_key: str, bpmn_id: str) -> list[dict]:
        """The completed human tasks of one step of one case: who completed each, in order."""
        return self.rows("SELECT id, completed_by, candidate_groups FROM human_task WHERE business_key = %s "
                         "AND bpmn_id = %s AND status = 'completed' ORDER BY completed_at", business_key, bpmn_id)

    def decisions(self, business_keys: list[str]) -> list[tuple[str, str, str | None, str | None]]:
        """The review history as the audit trail keeps it: (step, who, decision, opinion) of every
        completed task of the instances with these business keys, oldest first."""
        rows = self.rows(
            "SELECT a.actor, a.details FROM audit_event a JOIN process_instance i ON i.id = a.instance_id "
            "WHERE a.action = 'task.completed' AND i.business_key = ANY(%s) ORDER BY a.id", list(business_keys))
        out = []
        for row in rows:
            data = row["details"].get("data") or {}
            inner = data.get("signature") or data.get("manual_finding") or data.get("response") or data
            out.append((row["details"].get("bpmn_id"), row["actor"], inner.get("decision") or inner.get("verdict"),
                        inner.get("opinion") or inner.get("summary") or inner.get("finding_text")))
        return out
