"""Create the engine host tables

Revision ID: 0001_engine_host
Revises:
Create Date: 2026-11-22 01:24:14.957368
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = '0001_engine_host'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('roles', JSON, nullable=False),
    sa.Column('groups', JSON, nullable=False),
    sa.Column('district', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_type', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.String(length=255), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('details', JSON, nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_audit_instance', 'audit_event', ['instance_id', 'id'], unique=False)
    op.create_index('ix_audit_subject', 'audit_event', ['subject_type', 'subject_id', 'id'], unique=False)
    op.create_table('definition_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('content_hash')
    )
    op.create_table('process_definition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('executable', sa.Boolean(), nullable=False),
    sa.Column('dependencies', JSON, nullable=False),
    sa.Column('start_events', JSON, nullable=False),
    sa.Column('deployed_at', sa.DateTime(), nullable=False),
    sa.Column('deployed_by', sa.String(length=255), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['definition_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key', 'version', name='uq_definition_key_version')
    )
    op.create_index('ix_definition_kind_key', 'process_definition', ['kind', 'key'], unique=False)
    op.create_index(op.f('ix_process_definition_key'), 'process_definition', ['key'], unique=False)
    op.create_table('process_instance',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=255), nullable=False),
    sa.Column('bundle', JSON, nullable=False),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('state_format', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('next_timer_due_at', sa.DateTime(), nullable=True),
    sa.Column('summary', JSON, nullable=False),
    sa.Column('parent_instance_id', sa.String(length=36), nullable=True),
    sa.Column('started_by', sa.String(length=255), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_process_instance_business_key'), 'process_instance', ['business_key'], unique=False)
    op.create_index(op.f('ix_process_instance_definition_id'), 'process_instance', ['definition_id'], unique=False)
    op.create_index(op.f('ix_process_instance_next_timer_due_at'), 'process_instance', ['next_timer_due_at'], unique=False)
    op.create_index(op.f('ix_process_instance_parent_instance_id'), 'process_instance', ['parent_instance_id'], unique=False)
    op.create_index(op.f('ix_process_instance_process_key'), 'process_instance', ['process_key'], unique=False)
    op.create_index(op.f('ix_process_instance_status'), 'process_instance', ['status'], unique=False)
    op.create_table('start_timer',
    sa.Column('process_key', sa.String(length=255), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('expression', sa.String(length=255), nullable=False),
    sa.Column('next_due_at', sa.DateTime(), nullable=True),
    sa.Column('last_fired_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], ),
    sa.PrimaryKeyConstraint('process_key')
    )
    op.create_index(op.f('ix_start_timer_next_due_at'), 'start_timer', ['next_due_at'], unique=False)
    op.create_table('human_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=255), nullable=False),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.Column('bpmn_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('lane', sa.String(length=255), nullable=True),
    sa.Column('form_key', sa.String(length=255), nullable=True),
    sa.Column('ui_form_key', sa.String(length=255), nullable=True),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('candidate_groups', JSON, nullable=False),
    sa.Column('assignee', sa.String(length=255), nullable=True),
    sa.Column('district', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('completed_by', sa.String(length=255), nullable=True),
    sa.Column('summary', JSON, nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_human_task_assignee'), 'human_task', ['assignee'], unique=False)
    op.create_index(op.f('ix_human_task_business_key'), 'human_task', ['business_key'], unique=False)
    op.create_index('ix_human_task_inbox', 'human_task', ['status', 'district', 'due_at', 'id'], unique=False)
    op.create_index(op.f('ix_human_task_instance_id'), 'human_task', ['instance_id'], unique=False)
    op.create_index('ix_human_task_status_due', 'human_task', ['status', 'due_at', 'id'], unique=False)
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('process_key', sa.String(length=255), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=255), nullable=False),
    sa.Column('task_name', sa.String(length=255), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('error_code', sa.String(length=128), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_incident_instance_id'), 'incident', ['instance_id'], unique=False)
    op.create_index('ix_incident_status_created', 'incident', ['status', 'created_at'], unique=False)
    op.create_table('job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=255), nullable=False),
    sa.Column('task_name', sa.String(length=255), nullable=False),
    sa.Column('operator', sa.String(length=255), nullable=False),
    sa.Column('params', JSON, nullable=False),
    sa.Column('result_variable', sa.String(length=255), nullable=False),
    sa.Column('result', JSON, nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('error_code', sa.String(length=128), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    op.create_index(op.f('ix_job_instance_id'), 'job', ['instance_id'], unique=False)
    op.create_index('ix_job_instance_state', 'job', ['instance_id', 'state'], unique=False)
    op.create_index('ix_job_state_run_after', 'job', ['state', 'run_after'], unique=False)
    op.create_table('message_subscription',
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('message_name', sa.String(length=255), nullable=False),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('instance_id', 'message_name')
    )
    op.create_index('ix_subscription_name_key', 'message_subscription', ['message_name', 'business_key'], unique=False)
    op.create_table('task_candidate',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('group_name', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'group_name')
    )
    op.create_index('ix_task_candidate_group', 'task_candidate', ['group_name', 'task_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_task_candidate_group', table_name='task_candidate')
    op.drop_table('task_candidate')
    op.drop_index('ix_subscription_name_key', table_name='message_subscription')
    op.drop_table('message_subscription')
    op.drop_index('ix_job_state_run_after', table_name='job')
    op.drop_index('ix_job_instance_state', table_name='job')
    op.drop_index(op.f('ix_job_instance_id'), table_name='job')
    op.drop_table('job')
    op.drop_index('ix_incident_status_created', table_name='incident')
    op.drop_index(op.f('ix_incident_instance_id'), table_name='incident')
    op.drop_table('incident')
    op.drop_index('ix_human_task_status_due', table_name='human_task')
    op.drop_index(op.f('ix_human_task_instance_id'), table_name='human_task')
    op.drop_index('ix_human_task_inbox', table_name='human_task')
    op.drop_index(op.f('ix_human_task_business_key'), table_name='human_task')
    op.drop_index(op.f('ix_human_task_assignee'), table_name='human_task')
    op.drop_table('human_task')
    op.drop_index(op.f('ix_start_timer_next_due_at'), table_name='start_timer')
    op.drop_table('start_timer')
    op.drop_index(op.f('ix_process_instance_status'), table_name='process_instance')
    op.drop_index(op.f('ix_process_instance_process_key'), table_name='process_instance')
    op.drop_index(op.f('ix_process_instance_parent_instance_id'), table_name='process_instance')
    op.drop_index(op.f('ix_process_instance_next_timer_due_at'), table_name='process_instance')
    op.drop_index(op.f('ix_process_instance_definition_id'), table_name='process_instance')
    op.drop_index(op.f('ix_process_instance_business_key'), table_name='process_instance')
    op.drop_table('process_instance')
    op.drop_index(op.f('ix_process_definition_key'), table_name='process_definition')
    op.drop_index('ix_definition_kind_key', table_name='process_definition')
    op.drop_table('process_definition')
    op.drop_table('definition_file')
    op.drop_index('ix_audit_subject', table_name='audit_event')
    op.drop_index('ix_audit_instance', table_name='audit_event')
    op.drop_table('audit_event')
    op.drop_table('app_user')
