"""What each business rule task decided, and on which facts (for policy-impact previews)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, utcnow


class DecisionEvaluation(Base):
    """One evaluation of a decision table inside an instance."""

    __tablename__ = "decision_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    process_key: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str | None] = mapped_column(String(255))
    decision_id: Mapped[str] = mapped_column(String(255))
    #: the decision's definition version the instance ran
    definition_id: Mapped[int | None]
    bpmn_id: Mapped[str] = mapped_column(String(255))
    #: the process data the table's input expressions read (ID numbers masked)
    facts: Mapped[dict] = mapped_column(default=dict)
    outputs: Mapped[dict] = mapped_column(default=dict)
    #: [{rule_id, row, description}] of the rules that made the result
    matched: Mapped[list] = mapped_column(default=list)
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_decision_evaluation_decision", DecisionEvaluation.decision_id, DecisionEvaluation.id)
