"""Keeping only the live part of a workflow in its stored state.

SpiffWorkflow keeps every task an instance ever ran: a 公租房 case carries its finished
verification (a call activity of about a hundred tasks) and every completed review through all
its later steps, so each step loads and saves work that can no longer change. :func:`compact`
takes the serialized form of a workflow (as :mod:`app.engine.serializer` builds it) and cuts
away what the engine will never look at again:

* a **finished call activity's subprocess** (its calling task completed or cancelled), with any
  subprocess nested in it;
* in the process and in every running subprocess, the **finished history above the anchor**:
  the anchor is the deepest completed task that is an ancestor of every unfinished task (and of
  the last completed one). Everything a future step can consult — an open parallel split and
  its branches, a boundary-event split and its events, a multi-instance task and its instances,
  a loop's current round — lies below it, because all of them are ancestors or siblings of
  unfinished tasks. The anchor becomes the root's only child and keeps its data in full.

What is cut is returned as an :class:`Archive`: the history entries of its diagram steps (what
``/history`` lists) and the cut tasks' serialized JSON, which the host stores apart from the live
state (``process_instance_archive``). The live state stays a valid SpiffWorkflow state of the
same format, so a state saved before compaction existed loads unchanged and is compacted by its
next step.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from app.engine.implicit import SUFFIX as IMPLICIT_SUFFIX
from app.engine.runtime import _bpmn_type

#: states of a task the engine may still act on (a failed task waits for a retry)
LIVE = TaskState.NOT_FINISHED_MASK | TaskState.ERROR
#: the key of a subprocess root's data stored as the difference from its calling task's
CALLER_DELTA = "caller_delta"
#: the internal-data key under which an anchor keeps the parent it had before it was moved to the root
CUT_FROM = "compaction_parent"
#: states of a task that is over for good
OVER = TaskState.COMPLETED | TaskState.CANCELLED


@dataclass
class Archive:
    """What :func:`compact` removed from the live state."""

    #: history entries of removed completed diagram steps (the shape of ``Run.completed_nodes``,
    #: plus ``_ts``, the completion time as SpiffWorkflow records it, for ordering)
    nodes: list[dict] = field(default_factory=list)
    #: serialized tasks removed, per workflow: ``{"process", "parent_task_id", "tasks"}``
    workflows: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.workflows)


def compact(workflow: BpmnWorkflow, dct: dict) -> Archive:
    """Cut finished work out of ``dct`` (the serialized ``workflow``, changed in place)."""
    archive = Archive()
    subprocesses = dct.get("subprocesses") or {}
    for sp_id in _finished_subprocesses(workflow):
        sp_dct = subprocesses.pop(str(sp_id), None)
        if sp_dct is not None:
            sub = workflow.subprocesses[sp_id]
            archive.workflows.append({"process": sub.spec.name, "parent_task_id": str(sp_id),
                                      "tasks": sp_dct["tasks"]})
            archive.nodes.extend(_nodes(sub.tasks.values()))
    _prune(workflow, dct, archive, None)
    _drop_empty_deltas(workflow, dct)
    if workflow.is_completed() and workflow.last_task is not None and workflow.data == workflow.last_task.data:
        dct["data"] = {}  # the end task holds the same (``Run.data`` reads it there)
    for sp_id, sp_dct in subprocesses.items():
        sub = workflow.subprocesses[UUID(sp_id)]
        _prune(sub, sp_dct, archive, sp_id)
        _drop_empty_deltas(sub, sp_dct)
        _root_from_caller(workflow.get_task_from_id(UUID(sp_id)), sub, sp_dct)
    archive.nodes.sort(key=lambda n: n["_ts"])
    return archive


def _finished_subprocesses(workflow: BpmnWorkflow) -> list[UUID]:
    """Subprocesses whose calling task is over, and those nested in them."""
    done: list[UUID] = []
    for sp_id in workflow.subprocesses:
        caller = workflow.get_task_from_id(sp_id)
        if caller is None or caller.has_state(OVER):  # completed, or cancelled by a boundary event
            done.append(sp_id)
    changed = True
    while changed:  # a subprocess inside a finished one goes with it
        changed = False
        for sp_id, sub in workflow.subprocesses.items():
            if sp_id not in done and any(sub.parent_task_id in workflow.subprocesses[d].tasks for d in done):
                done.append(sp_id)
                changed = True
    return done


def _prune(workflow, dct: dict, archive: Archive, parent_task_id: str | None) -> None:
    """Cut the finished history above the anchor of one workflow's task tree."""
    root = workflow.task_tree
    anchor = _anchor(workflow)
    if anchor is None or anchor is root or anchor.parent is root:
        return
    keep = {root.id}
    stack = [anchor]
    while stack:
        task = stack.pop()
        keep.add(task.id)
        stack.extend(task.children)
    tasks = dct["tasks"]
    cut = {tid: t for tid, t in workflow.tasks.items() if tid not in keep}
    if not cut:
        return
    archive.workflows.append({"process": workflow.spec.name, "parent_task_id": parent_task_id,
                              "tasks": {str(tid): tasks.pop(str(tid)) for tid in cut if str(tid) in tasks}})
    archive.nodes.extend(_nodes(cut.values()))
    tasks[str(root.id)]["children"] = [str(anchor.id)]
    anchored = tasks[str(anchor.id)]
    anchored["internal_data"] = {**anchored["internal_data"], CUT_FROM: anchored["parent"]}
    anchored["parent"] = str(root.id)
    anchored["data"] = {}  # its data, as the difference from its new parent's
    anchored["delta"] = {"updates": DeepMerge.get_updated_keys(root.data, anchor.data),
                         "deletions": DeepMerge.get_deleted_keys(root.data, anchor.data)}
    if dct.get("last_task") and UUID(dct["last_task"]) not in keep:
        dct["last_task"] = None


def _root_from_caller(caller, sub, dct: dict) -> None:
    """A running subprocess starts with a copy of its calling task's data: store its root's data
    as the difference from the caller's (restored by :func:`restore_root_from_caller`)."""
    if caller is None:
        return
    root = dct["tasks"][str(sub.task_tree.id)]
    root[CALLER_DELTA] = {"updates": DeepMerge.get_updated_keys(caller.data, sub.task_tree.data),
                          "deletions": DeepMerge.get_deleted_keys(caller.data, sub.task_tree.data)}
    root["data"] = {}


def restore_root_from_caller(dct: dict, caller, registry) -> None:
    """Before a subprocess is rebuilt from ``dct``: its root's data again in full (see
    :func:`_root_from_caller`), as the serialized data SpiffWorkflow expects."""
    root = dct["tasks"][dct["root"]]
    delta = root.pop(CALLER_DELTA, None)
    if delta is None:
        return
    data = registry.convert(copy.deepcopy(caller.data))
    data.update(delta["updates"])
    for key in delta["deletions"]:
        data.pop(key, None)
    root["data"] = data


def _drop_empty_deltas(workflow, dct: dict) -> None:
    """A task without data (one not reached yet) is stored as such, not as the deletion of every
    key its parent has (SpiffWorkflow's delta): the same task on loading, a tenth of the bytes."""
    tasks = dct["tasks"]
    for task_id, task in workflow.tasks.items():
        if not task.data:
            stored = tasks.get(str(task_id))
            if stored is not None and stored.get("delta"):
                stored["data"], stored["delta"] = {}, {}


def _anchor(workflow):
    """The deepest completed task above every unfinished task (and the last completed one)."""
    needed = [t for t in workflow.tasks.values() if t.has_state(LIVE)]
    if workflow.last_task is not None and workflow.last_task.workflow is workflow:
        needed.append(workflow.last_task)
    if not needed:
        return None
    path = _path(needed[0])
    index = {task.id: i for i, task in enumerate(path)}
    common = len(path) - 1  # position in ``path``, counted from the root
    for task in needed[1:]:
        current = task
        while current is not None and current.id not in index:
            current = current.parent
        if current is None:
            return None
        common = min(common, index[current.id])
    candidate = path[common]
    while candidate is not None and not candidate.has_state(TaskState.COMPLETED):
        candidate = candidate.parent
    return candidate


def _path(task) -> list:
    """``task`` and its ancestors, from the root down."""
    out = []
    while task is not None:
        out.append(task)
        task = task.parent
    return out[::-1]


def _nodes(tasks) -> list[dict]:
    """History entries of the completed diagram steps among ``tasks`` (see ``Run.completed_nodes``)."""
    nodes = []
    for task in tasks:
        spec = task.task_spec
        if not task.has_state(TaskState.COMPLETED) or not getattr(spec, "bpmn_id", None) \
                or isinstance(spec, BoundaryEventSplit) or spec.bpmn_id.endswith(IMPLICIT_SUFFIX):
            continue
        nodes.append({
            "task_id": str(task.id), "bpmn_id": spec.bpmn_id, "name": spec.bpmn_name or "",
            "type": _bpmn_type(spec), "process": task.workflow.spec.name,
            "completed_at": datetime.fromtimestamp(task.last_state_change, UTC).isoformat(),
            "_ts": task.last_state_change,
        })
    return nodes


def whole_state(live: dict, batches: list[list[dict]]) -> dict:
    """A serialized workflow with the archived ``batches`` (:attr:`Archive.workflows` of each
    step, oldest first) put back into ``live``, ready for the serializer to read.

    Each archived task keeps the parent it had when it was cut, so data resolves through the
    same chain of differences as when it was live; a former anchor hangs from the root, where
    compaction moved it. Tasks come in the order they were created (a parent before its
    children), which is the order SpiffWorkflow rebuilds them in.
    """
    top: dict[str, dict] = {}
    subs: dict[str, dict[str, dict]] = {}
    for batch in batches:
        for entry in batch:
            target = top if entry["parent_task_id"] is None else subs.setdefault(entry["parent_task_id"], {})
            target.update(entry["tasks"])
    live_subs = live.get("subprocesses") or {}
    for sp_id, sp_dct in live_subs.items():
        earlier = subs.pop(sp_id, {})
        sp_dct["tasks"] = _ordered(sp_dct["tasks"], earlier)
    root_id = live["root"]
    live["tasks"] = _ordered(live["tasks"], top)
    _hang_from_root(live["tasks"], root_id)
    for sp_id, tasks in subs.items():  # finished subprocesses: all of their tasks were archived
        root = next(tid for tid, t in tasks.items() if t["parent"] is None)
        tasks = {root: tasks[root], **tasks}
        live_subs[sp_id] = {"tasks": tasks, "root": root, "data": {}, "correlations": {}, "last_task": None,
                            "success": True, "completed": True, "parent_task_id": sp_id, "spec": "",
                            "typename": "BpmnSubWorkflow"}
    for sp_dct in live_subs.values():
        _hang_from_root(sp_dct["tasks"], sp_dct["root"])
    live["subprocesses"] = live_subs
    return live


def _ordered(live_tasks: dict, archived: dict) -> dict:
    """The root first, then the archived tasks, then the live ones."""
    root = {tid: t for tid, t in live_tasks.items() if t["parent"] is None}
    rest = {tid: t for tid, t in live_tasks.items() if t["parent"] is not None}
    return {**root, **{tid: t for tid, t in archived.items() if tid not in live_tasks}, **rest}


def _hang_from_root(tasks: dict, root_id: str) -> None:
    """Every task whose parent is the root is among the root's children (so iteration finds it),
    and no task names a child that is not there."""
    for task in tasks.values():
        task["children"] = [c for c in task["children"] if c in tasks]
    children = tasks[root_id]["children"]
    for tid, task in tasks.items():
        if task["parent"] == root_id and tid not in children:
            children.append(tid)


def relink(workflow: BpmnWorkflow) -> None:
    """In a workflow rebuilt by :func:`whole_state`, give each former anchor its parent back (its
    data is already whole), so that ``task.parent`` is what it was when the task ran."""
    for wf in [workflow, *workflow.subprocesses.values()]:
        root = wf.task_tree
        for task in list(wf.tasks.values()):
            parent_id = task.internal_data.get(CUT_FROM)
            if parent_id is None or task.parent is not root or UUID(parent_id) not in wf.tasks:
                continue
            task._parent = UUID(parent_id)
            if task.id in root._children:
                root._children.remove(task.id)
