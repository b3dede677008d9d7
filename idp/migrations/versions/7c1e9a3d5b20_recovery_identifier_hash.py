"""Recovery attempts keep a keyed hash of the identifier typed, so that the wait before a new
code holds across attempts for known and unknown identifiers alike.

Revision ID: 7c1e9a3d5b20
Revises: 494e6b641e7e
Create Date: 2026-12-04 21:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e9a3d5b20'
down_revision = '494e6b641e7e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recovery_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifier_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_recovery_attempts_identifier_hash'), ['identifier_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_attempts_identifier_hash'))
        batch_op.drop_column('identifier_hash')
