"""Pending registrations: "S'inscrire" keeps the address to prove, its code and the tries
until the account is created or the registration expires.

Revision ID: 5d2a7c9e41b8
Revises: 1b8559f43092
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2a7c9e41b8'
down_revision = '1b8559f43092'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('browser_binding', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('identifier', sa.String(length=128), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('code_expires_at', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registrations')),
    sa.UniqueConstraint('ref', name=op.f('uq_pending_registrations_ref'))
    )
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registrations_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registrations_expires_at'))

    op.drop_table('pending_registrations')
