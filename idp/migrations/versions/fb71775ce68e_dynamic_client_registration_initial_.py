"""Dynamic client registration: initial access tokens (counted, expiring) and the registration
access token of each client registered that way; keyed hashes only.

Revision ID: fb71775ce68e
Revises: b7d41c2e9a05
Create Date: 2026-12-05 02:42:27

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fb71775ce68e'
down_revision = 'b7d41c2e9a05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('initial_access_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('uses_left', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('revoked_at', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initial_access_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_initial_access_tokens_token_hash'))
    )
    op.create_table('client_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('access_token_hash', sa.String(length=64), nullable=False),
    sa.Column('initial_token_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.client_id'], name=op.f('fk_client_registrations_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_registrations')),
    sa.UniqueConstraint('access_token_hash', name=op.f('uq_client_registrations_access_token_hash')),
    sa.UniqueConstraint('client_id', name=op.f('uq_client_registrations_client_id'))
    )


def downgrade():
    op.drop_table('client_registrations')
    op.drop_table('initial_access_tokens')
