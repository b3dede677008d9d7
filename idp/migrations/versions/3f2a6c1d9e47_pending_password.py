"""Users keep what a recovery sent (a temporary password's hash and its expiry) beside their
current password, which stays valid until the new one is used.

Revision ID: 3f2a6c1d9e47
Revises: 5d2a7c9e41b8
Create Date: 2026-12-04 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f2a6c1d9e47'
down_revision = '5d2a7c9e41b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_password_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('pending_password_expires_at', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('pending_password_expires_at')
        batch_op.drop_column('pending_password_hash')
