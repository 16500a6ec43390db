"""Walking a workflow's task tree without SpiffWorkflow's general task iterator.

SpiffWorkflow finds tasks with ``TaskIterator``: a filter object per search, a depth kept up to
date at every step by walking parents. Two searches run after every single task completion —
each waiting task is refreshed (:meth:`Workflow.update_waiting_tasks`) and a waiting parallel
join looks for its tasks — so on a diagram with many parallel branches those walks were most of
the engine's time. The walks here visit the same tasks in the same order (depth first, children
in order, a subprocess's tree before the children of the task that called it, children listed
when their parent is reached) with a plain stack.

:func:`install` puts :func:`update_waiting_tasks` in place of SpiffWorkflow's method of that name
(``app.engine.runtime`` installs it on import); ``tests/unit/engine/test_parallel_join.py``
checks both walks against SpiffWorkflow's own on the shipped diagrams.
"""

from __future__ import annotations

from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

#: SpiffWorkflow's own method (the reference the tests compare with)
SPIFFWORKFLOW_UPDATE_WAITING_TASKS = Workflow.update_waiting_tasks
#: ``TaskIterator``'s default ``max_depth``: no task deeper than this is visited
MAX_DEPTH = 1000
_WAITING, _FUTURE = TaskState.WAITING, TaskState.FUTURE


def tasks_of_spec(workflow, spec_name: str) -> list:
    """``workflow.get_tasks(spec_name=spec_name)``: every task of that spec, in the same order,
    in the workflow's tree and the subprocesses called from it."""
    subprocesses = workflow.top_workflow.subprocesses
    # depth grows by one per task at most, so below MAX_DEPTH tasks in all no depth limit applies
    if len(workflow.top_workflow.tasks) + sum(len(s.tasks) for s in subprocesses.values()) < MAX_DEPTH:
        found = []
        stack = [workflow.task_tree]
        while stack:
            task = stack.pop()
            if task.task_spec.name == spec_name:
                found.append(task)
            if task._children:
                stack.extend(map(task.workflow.tasks.__getitem__, reversed(task._children)))
            subprocess = subprocesses.get(task.id)
            if subprocess is not None:
                stack.append(subprocess.task_tree)
        return found
    return workflow.get_tasks(spec_name=spec_name)  # a tree that may be deeper than the iterator goes


def update_waiting_tasks(self) -> None:
    """:meth:`Workflow.update_waiting_tasks`: refresh every WAITING task of this workflow's tree.

    As SpiffWorkflow's iterator does, a task's children are listed when the task is reached
    (below a task that is only predicted nothing is visited) and each task's state is read when
    it is reached, so a task an earlier refresh settled (a join cancelling its siblings) is
    skipped.
    """
    if len(self.tasks) >= MAX_DEPTH:  # a tree that may be deeper than the iterator goes
        SPIFFWORKFLOW_UPDATE_WAITING_TASKS(self)
        return
    get = self.tasks.get
    stack = [self.task_tree]
    while stack:
        task = stack.pop()
        children = task._children
        if children and task._state >= _FUTURE:
            stack.extend(map(get, reversed(children)))
        if task._state & _WAITING:
            task.task_spec._update(task)


def install() -> None:
    """Use :func:`update_waiting_tasks` for every workflow and subprocess (idempotent)."""
    Workflow.update_waiting_tasks = update_waiting_tasks  # type: ignore[method-assign]
