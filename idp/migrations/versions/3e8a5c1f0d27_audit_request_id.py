"""Audit records name the request that wrote them (its X-Request-Id), to find its log lines.

Revision ID: 3e8a5c1f0d27
Revises: fb71775ce68e
Create Date: 2026-12-05 05:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e8a5c1f0d27'
down_revision = 'fb71775ce68e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_audit_events_request_id'), ['request_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_request_id'))
        batch_op.drop_column('request_id')
