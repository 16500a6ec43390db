"""SQLAlchemy models, one aggregate per module."""

from app.models.audit import AuditEvent
from app.models.decision_log import DecisionEvaluation
from app.models.definition import DefinitionFile, ProcessDefinition, StartTimer
from app.models.human_task import HumanTask, TaskCandidate
from app.models.incident import Incident
from app.models.instance import MessageSubscription, ProcessInstance
from app.models.job import Job
from app.models.user import User

__all__ = [
    "AuditEvent",
    "DecisionEvaluation",
    "DefinitionFile",
    "HumanTask",
    "Incident",
    "Job",
    "MessageSubscription",
    "ProcessDefinition",
    "ProcessInstance",
    "StartTimer",
    "TaskCandidate",
    "User",
]
