"""Session ids hashed: the database keeps the SHA-256 of each browser session's secret (the
cookie keeps the secret), and that hash is the session's `sid` everywhere. Existing rows are
hashed in place, so signed-in browsers stay signed in and codes, tokens and pending requests
still name their session.

Revision ID: 1b8559f43092
Revises: 7c1e9a3d5b20
Create Date: 2026-12-04 21:30:00

"""
import hashlib

from alembic import op


# revision identifiers, used by Alembic.
revision = '1b8559f43092'
down_revision = '7c1e9a3d5b20'
branch_labels = None
depends_on = None

SID_COLUMNS = [
    ("browser_sessions", "sid"),
    ("authorization_codes", "sid"),
    ("tokens", "sid"),
    ("pending_authorizations", "authenticated_sid"),
    ("pending_authorizations", "consented_sid"),
]


def _sha256_hex_sql(column):
    """SQL for the hex SHA-256 of `column`, as idp.services.hashing.token_hash computes it."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        return f"encode(sha256(convert_to({column}, 'UTF8')), 'hex')"
    if bind.dialect.name == "sqlite":
        bind.connection.driver_connection.create_function(
            "idp_sha256_hex",
            1,
            lambda value: hashlib.sha256(value.encode()).hexdigest(),
            deterministic=True,
        )
        return f"idp_sha256_hex({column})"
    raise RuntimeError(f"unsupported database for this migration: {bind.dialect.name}")


def upgrade():
    for table, column in SID_COLUMNS:
        op.execute(
            f"UPDATE {table} SET {column} = {_sha256_hex_sql(column)} WHERE {column} IS NOT NULL"
        )


def downgrade():
    # A hash cannot be turned back into the secret a cookie presents: everyone signs in again.
    op.execute("DELETE FROM browser_sessions")
