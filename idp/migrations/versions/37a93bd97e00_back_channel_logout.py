"""Back-channel logout: the clients' logout URI and the outbox of logout tokens to send.

Revision ID: 37a93bd97e00
Revises: d21c15a972ca
Create Date: 2026-12-05 00:55:32.605920

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '37a93bd97e00'
down_revision = 'd21c15a972ca'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('logout_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('user_subject', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.Integer(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logout_deliveries')),
    sa.UniqueConstraint('client_id', 'sid', name=op.f('uq_logout_deliveries_client_id'))
    )
    with op.batch_alter_table('logout_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_logout_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backchannel_logout_uri', sa.String(length=512), nullable=True))
        # Existing clients get the default (true).
        batch_op.add_column(sa.Column('backchannel_logout_session_required', sa.Boolean(), nullable=False, server_default=sa.true()))

    # A session's end looks up the clients it served.
    with op.batch_alter_table('authorization_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorization_codes_sid'), ['sid'], unique=False)

    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tokens_sid'), ['sid'], unique=False)



def downgrade():
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tokens_sid'))

    with op.batch_alter_table('authorization_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorization_codes_sid'))

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('backchannel_logout_session_required')
        batch_op.drop_column('backchannel_logout_uri')

    with op.batch_alter_table('logout_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logout_deliveries_next_attempt_at'))

    op.drop_table('logout_deliveries')
