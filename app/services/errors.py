"""Domain errors raised by services. :mod:`app.api.errors` maps them to HTTP problems.

Each error is known by its ``code``; its label in Chinese and English is the gettext entry
``error.<code>`` (``app/translations``). Its ``detail`` is best a :class:`app.l10n.Message` — an id
and values — so that pages and the API show it in the reader's language; a plain string shows as
it is.
"""

from __future__ import annotations

from app import l10n


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "domain_error"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def title(self) -> str:
        """The error's label in Chinese (:meth:`title_in` for another language)."""
        return self.title_in(l10n.DEFAULT)

    def title_in(self, lang: str) -> str:
        """The error's label in ``lang``, from the catalogue entry of its code."""
        return l10n.error_title(self.code, lang)

    def detail_in(self, lang: str) -> str:
        """The detail in ``lang`` (a plain string as it is)."""
        return l10n.localise(self.detail, lang)


class NotFound(DomainError):
    code = "not_found"


class DefinitionNotFound(NotFound):
    code = "definition_not_found"


class InstanceNotFound(NotFound):
    code = "instance_not_found"


class TaskNotFound(NotFound):
    code = "task_not_found"


class IncidentNotFound(NotFound):
    code = "incident_not_found"


class UserNotFound(NotFound):
    code = "user_not_found"


class MessageNotCorrelated(NotFound):
    code = "message_not_correlated"


class Conflict(DomainError):
    code = "conflict"


class TaskNotReady(Conflict):
    code = "task_not_ready"


class TaskClaimedByOther(Conflict):
    code = "task_claimed"


class IncidentNotOpen(Conflict):
    code = "incident_not_open"


class InstanceNotRunning(Conflict):
    code = "instance_not_running"


class Forbidden(DomainError):
    code = "forbidden"


class StartNotPermitted(Forbidden):
    """A process was started directly by someone its diagram does not let start it."""

    code = "start_not_permitted"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class TooManyRequests(DomainError):
    code = "too_many_requests"


class ValidationFailed(DomainError):
    """Input did not validate; ``errors`` maps field → messages."""

    code = "validation_failed"

    def __init__(self, detail: str, errors: dict | None = None, **extra):
        super().__init__(detail, **extra)
        self.errors = errors or {}


class InstanceDataTooLarge(ValidationFailed):
    """A step would leave more instance data than ``HOUSING_MAX_INSTANCE_DATA_BYTES``."""

    code = "instance_data_too_large"


class DeploymentInvalid(DomainError):
    """Uploaded BPMN/DMN files have problems; ``problems`` lists each with its place."""

    code = "deployment_invalid"

    def __init__(self, detail: str, problems: list[dict]):
        super().__init__(detail)
        self.problems = problems
