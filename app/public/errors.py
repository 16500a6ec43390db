"""Domain errors of the public-service context (mapped to HTTP by the project's usual table)."""

from __future__ import annotations

from app.services.errors import Conflict, NotFound, TooManyRequests


class PolicyDocumentNotFound(NotFound):
    code = "policy_document_not_found"


class FaqEntryNotFound(NotFound):
    code = "faq_entry_not_found"


class NotPublishable(Conflict):
    """The content lacks what the public needs to read it."""

    code = "not_publishable"


class StillPublished(Conflict):
    """Published content is withdrawn before it is deleted, so the public never follows a dead link unnoticed."""

    code = "still_published"


class ProgressNotMatched(NotFound):
    """The number and ID suffix do not name a case together (never says which part is wrong)."""

    code = "progress_not_matched"


class ProgressQueryLimited(TooManyRequests):
    code = "progress_query_limited"
