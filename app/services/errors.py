"""Domain errors raised by services. :mod:`app.api.errors` maps them to HTTP problems."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "domain_error"
    title = "请求无法处理"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    code = "not_found"
    title = "资源不存在"


class DefinitionNotFound(NotFound):
    code = "definition_not_found"
    title = "流程定义不存在"


class InstanceNotFound(NotFound):
    code = "instance_not_found"
    title = "流程实例不存在"


class TaskNotFound(NotFound):
    code = "task_not_found"
    title = "任务不存在"


class IncidentNotFound(NotFound):
    code = "incident_not_found"
    title = "异常事件不存在"


class UserNotFound(NotFound):
    code = "user_not_found"
    title = "用户不存在"


class MessageNotCorrelated(NotFound):
    code = "message_not_correlated"
    title = "没有流程在等待该消息"


class Conflict(DomainError):
    code = "conflict"
    title = "状态冲突"


class TaskNotReady(Conflict):
    code = "task_not_ready"
    title = "任务已被处理或不可办理"


class TaskClaimedByOther(Conflict):
    code = "task_claimed"
    title = "任务已被他人认领"


class IncidentNotOpen(Conflict):
    code = "incident_not_open"
    title = "异常事件已处理"


class InstanceNotRunning(Conflict):
    code = "instance_not_running"
    title = "流程实例已结束"


class Forbidden(DomainError):
    code = "forbidden"
    title = "无权执行此操作"


class StartNotPermitted(Forbidden):
    """A process was started directly by someone its diagram does not let start it."""

    code = "start_not_permitted"
    title = "无权发起该流程"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = "需要登录"


class TooManyRequests(DomainError):
    code = "too_many_requests"
    title = "请求过于频繁"


class ValidationFailed(DomainError):
    """Input did not validate; ``errors`` maps field → messages."""

    code = "validation_failed"
    title = "提交的数据不符合要求"

    def __init__(self, detail: str, errors: dict | None = None, **extra):
        super().__init__(detail, **extra)
        self.errors = errors or {}


class InstanceDataTooLarge(ValidationFailed):
    """A step would leave more instance data than ``HOUSING_MAX_INSTANCE_DATA_BYTES``."""

    code = "instance_data_too_large"
    title = "流程数据超过大小上限"


class DeploymentInvalid(DomainError):
    """Uploaded BPMN/DMN files have problems; ``problems`` lists each with its place."""

    code = "deployment_invalid"
    title = "流程文件校验未通过"

    def __init__(self, detail: str, problems: list[dict]):
        super().__init__(detail)
        self.problems = problems
