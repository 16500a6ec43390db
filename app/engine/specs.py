"""Task specs the host uses in place of SpiffWorkflow's defaults.

* :class:`AsyncServiceTask`: a service task evaluates its parameters in the sandbox, asks the
  script engine for a job and stays STARTED; the job's result completes it later.
* :class:`HostMessageEventDefinition`: a caught message without a ``messageVariable`` merges its
  payload into the task data (SpiffArena would drop it).
"""

from __future__ import annotations

from SpiffWorkflow.spiff.specs.defaults import ServiceTask
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

from app.engine.script_engine import JobRequest


class AsyncServiceTask(ServiceTask):
    """A service task whose operator runs on a worker, not inside the engine."""

    def _execute(self, task):
        engine = task.workflow.script_engine
        params = {name: engine.evaluate(task, p["value"]) for name, p in self.operation_params.items()}
        engine.request_job(
            JobRequest(
                task_id=str(task.id),
                bpmn_id=self.bpmn_id,
                task_name=self.bpmn_name or self.bpmn_id,
                operator=self.operation_name,
                params=params,
                result_variable=self.result_variable,
            )
        )
        return None  # STARTED: the job runner completes it


class HostMessageEventDefinition(MessageEventDefinition):
    """Message events whose payload lands in the data even without ``messageVariable``."""

    def update_task_data(self, my_task):
        if self.message_var is not None:
            super().update_task_data(my_task)
            return
        payload = my_task.internal_data.pop(self.name, None)
        if isinstance(payload, dict):
            my_task.data.update(payload)
