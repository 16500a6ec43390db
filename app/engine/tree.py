"""Walking a workflow's task tree without SpiffWorkflow's general task iterator.

SpiffWorkflow finds tasks with ``TaskIterator``: a filter object per search, a depth kept up to
date at every step by walking parents. Several searches run after every single task completion
— each waiting task is refreshed (:meth:`Workflow.update_waiting_tasks`), a waiting parallel
join looks for its tasks, and each pass of ``do_engine_steps`` asks for the READY tasks — so on
a diagram with many parallel branches those walks were most of the engine's time. The walks
here visit the same tasks in the same order (depth first, children in order, a subprocess's
tree before the children of the task that called it, children listed when their parent is
reached) with a plain stack. Most searches find one task or none (one WAITING task to refresh,
one READY task to run); order matters only between several, so those are found by a pass over
the task tables and the tree is walked only when there are more.

:func:`install` puts :func:`update_waiting_tasks` and :func:`get_tasks` in place of SpiffWorkflow's
methods of those names (``app.engine.runtime`` installs them on import);
``tests/unit/engine/test_parallel_join.py`` checks the walks against SpiffWorkflow's own on the
shipped diagrams.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

#: SpiffWorkflow's own methods (the references the tests compare with)
SPIFFWORKFLOW_UPDATE_WAITING_TASKS = Workflow.update_waiting_tasks
SPIFFWORKFLOW_GET_TASKS = Workflow.get_tasks
#: ``TaskIterator``'s default ``max_depth``: no task deeper than this is visited
MAX_DEPTH = 1000
_WAITING, _FUTURE = TaskState.WAITING, TaskState.FUTURE


def _task_count(top) -> int:
    """Tasks of a top workflow and all its subprocesses: no task lies deeper than this."""
    return len(top.tasks) + sum(len(s.tasks) for s in top.subprocesses.values())


def tasks_of_spec(workflow, spec_name: str) -> list:
    """``workflow.get_tasks(spec_name=spec_name)``: every task of that spec, in the same order,
    in the workflow's tree and the subprocesses called from it."""
    subprocesses = workflow.top_workflow.subprocesses
    # depth grows by one per task at most, so below MAX_DEPTH tasks in all no depth limit applies
    if _task_count(workflow.top_workflow) < MAX_DEPTH:
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


def _task_tables(workflow):
    """The task tables (id → task) of the workflow and of the subprocesses called from it."""
    subprocesses = workflow.top_workflow.subprocesses
    pending = [workflow]
    while pending:
        tasks = pending.pop().tasks
        yield tasks
        if subprocesses:
            pending += [subprocess for caller, subprocess in subprocesses.items() if caller in tasks]


def tasks_of_spec_any_order(workflow, spec_name: str) -> list:
    """The tasks :func:`tasks_of_spec` finds, in no particular order: one pass over the task
    tables of the workflow and of the subprocesses called from it, no walk of the tree."""
    return [task for tasks in _task_tables(workflow) for task in tasks.values() if task.task_spec.name == spec_name]


def _in_state_any_order(workflow, state: int) -> list:
    """The tasks in ``state`` of the workflow's task table and of the subprocesses it calls, in
    no particular order (a pass over the tables, no walk).

    For an unfinished definite state (FUTURE, WAITING, READY, STARTED) this is the set the walk
    of :func:`get_tasks` finds: the walk leaves out only what lies below a task that is merely
    predicted, and a task in such a state never does — its parent ran before it was given it."""
    return [task for tasks in _task_tables(workflow) for task in tasks.values() if task._state & state]


def _waiting_any_order(workflow) -> list:
    """The WAITING tasks of this workflow's own task table (not its subprocesses', as the refresh
    does not enter them), in no particular order."""
    return [task for task in workflow.tasks.values() if task._state & _WAITING]


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
    waiting = _waiting_any_order(self)
    if len(waiting) < 2:  # the order of the refreshes matters only between several
        for task in waiting:  # a WAITING task is never below a predicted one: the walk reaches it
            task.task_spec._update(task)
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


def get_tasks(self, first_task=None, **kwargs) -> list:
    """:meth:`Workflow.get_tasks` of a BPMN workflow or subprocess; ``get_tasks(state=…)`` (what
    every engine step asks for its READY tasks) with a plain walk, any other query as before.

    As SpiffWorkflow's BPMN iterator does: below a task whose state is under the query's lowest
    state of interest nothing is visited (under FUTURE for a definite state such as READY),
    except that a subprocess a task called is always entered, its tree before the task's children.
    """
    if first_task is not None or kwargs.keys() - {"state"} or _task_count(self.top_workflow) >= MAX_DEPTH:
        return SPIFFWORKFLOW_GET_TASKS(self, first_task, **kwargs)
    state = kwargs.get("state", TaskState.ANY_MASK)
    if state & TaskState.PREDICTED_MASK:
        lowest = TaskState.MAYBE
    elif state & TaskState.DEFINITE_MASK:
        lowest = TaskState.FUTURE
    else:
        lowest = TaskState.COMPLETED
    if lowest == TaskState.FUTURE and not state & TaskState.FINISHED_MASK:
        found = _in_state_any_order(self, state)
        if len(found) < 2:  # order matters only between several (most passes find one or none)
            return found
    subprocesses = self.top_workflow.subprocesses
    found = []
    stack = [self.task_tree]
    while stack:
        task = stack.pop()
        subprocess = subprocesses.get(task.id)
        if subprocess is not None:
            if task._children:
                stack.extend(map(task.workflow.tasks.get, reversed(task._children)))
            stack.append(subprocess.task_tree)
        elif task._children and task._state >= lowest:
            stack.extend(map(task.workflow.tasks.get, reversed(task._children)))
        if task._state & state:
            found.append(task)
    return found


def install() -> None:
    """Use this module's walks for every workflow and subprocess (idempotent)."""
    Workflow.update_waiting_tasks = update_waiting_tasks
    BpmnBaseWorkflow.get_tasks = get_tasks
