"""Revoked service tokens: client_credentials tokens are self-contained JWTs now, and
revoking one puts its jti on this deny-list until it expires.

Revision ID: 494e6b641e7e
Revises: 202dceb17c96
Create Date: 2026-11-22 17:40:40.112067

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '494e6b641e7e'
down_revision = '202dceb17c96'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('revoked_service_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jti', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revoked_service_tokens')),
    sa.UniqueConstraint('jti', name=op.f('uq_revoked_service_tokens_jti'))
    )
    with op.batch_alter_table('revoked_service_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_service_tokens_expires_at'), ['expires_at'], unique=False)



def downgrade():
    with op.batch_alter_table('revoked_service_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_service_tokens_expires_at'))

    op.drop_table('revoked_service_tokens')
