"""Chinese names of the values the summaries hold (pages translate them with the catalogue)."""

from __future__ import annotations

PANEL_TITLES = {"applications": "申请受理与审批", "processing": "办理时限", "waiting": "轮候与配租",
                "verification": "数据核验", "complaints": "投诉与满意度"}
HOUSING_TYPES = {"gongzufang": "公租房", "baozufang": "保租房"}
#: complaint channels (the complaint pages' names)
CHANNELS = {"portal": "网上门户", "public": "公开页面", "hotline": "热线电话", "window": "窗口来访"}
#: complaint categories (forms/complaint.schema.json); the page translates them
COMPLAINT_CATEGORIES = ("审核结果", "办理时限", "房屋质量", "物业", "工作人员态度", "其他")
HOUSEHOLD_TYPES = {"single": "单身", "nuclear": "核心家庭", "multi_generation": "多代同堂"}
#: the usual order of the review steps (others follow by name)
STEP_ORDER = ("受理", "初审", "补正材料", "复审", "民政会签", "住建会签", "人社会签", "市级审核")


def housing(value: str) -> str:
    return HOUSING_TYPES.get(value, value or "未知")


def channel(value: str) -> str:
    return CHANNELS.get(value, value or "未知")


def household(value: str) -> str:
    return HOUSEHOLD_TYPES.get(value, value or "未知")


def source(value: str) -> str:
    """A data source's Chinese name: its connector's title."""
    from handlers.verification import source_title

    return source_title(value)


def step_order(step: str) -> tuple[int, str]:
    return (STEP_ORDER.index(step) if step in STEP_ORDER else len(STEP_ORDER), step)
