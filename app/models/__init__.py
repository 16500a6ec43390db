"""SQLAlchemy models, one aggregate per module."""

from app.models.allocation import AllocationRound, Offer, WaitingListEntry
from app.models.audit import AuditChainHead, AuditCheckpoint, AuditEvent, AuditVerification
from app.models.batch_import import ImportApplication, ImportJob, ImportProblem
from app.models.case import Application, CaseCounter, HouseholdClaim, HouseholdMember, VerificationResult
from app.models.decision_log import DecisionEvaluation
from app.models.definition import DefinitionFile, ProcessDefinition, StartTimer
from app.models.human_task import HumanTask, TaskCandidate
from app.models.incident import Incident
from app.models.instance import InstanceArchive, MessageSubscription, ProcessInstance
from app.models.job import Job
from app.models.publication import Objection, Publication, PublicationEntry
from app.models.tenancy import AnnualReview, Lease, SigningCode, TenancyExit
from app.models.user import User

__all__ = [
    "AllocationRound",
    "AnnualReview",
    "Application",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditVerification",
    "CaseCounter",
    "DecisionEvaluation",
    "DefinitionFile",
    "HouseholdClaim",
    "HouseholdMember",
    "HumanTask",
    "ImportApplication",
    "ImportJob",
    "ImportProblem",
    "Incident",
    "InstanceArchive",
    "Job",
    "Lease",
    "SigningCode",
    "MessageSubscription",
    "Objection",
    "Offer",
    "ProcessDefinition",
    "ProcessInstance",
    "Publication",
    "PublicationEntry",
    "StartTimer",
    "TaskCandidate",
    "TenancyExit",
    "User",
    "VerificationResult",
    "WaitingListEntry",
]
