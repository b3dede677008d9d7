"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from idp import schema
from idp.extensions import db
from idp.models import BrowserSession, PendingAuthorization
from idp.services.hashing import token_hash


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_session_ids_are_hashed_in_place(app, factories):
    """Signed-in browsers stay signed in across the upgrade that hashes session ids, and what
    named their session (pending requests here) still does."""
    from flask_migrate import downgrade, upgrade

    directory = schema._migrations(app)
    user = factories.user()
    with app.app_context():
        downgrade(directory=directory, revision="494e6b641e7e")
        db.session.add(
            BrowserSession(
                sid="cookie-secret",
                user_id=user.id,
                auth_time=1,
                acr="1",
                amr=["pwd"],
                created_at=1,
                last_seen_at=1,
            )
        )
        db.session.add(
            PendingAuthorization(
                ref="r",
                client_id="c",
                params={},
                browser_binding="b",
                created_at=1,
                expires_at=2,
                authenticated_sid="cookie-secret",
                consented_sid=None,
            )
        )
        db.session.commit()
        upgrade(directory=directory)
        assert db.session.scalars(select(BrowserSession.sid)).all() == [token_hash("cookie-secret")]
        pending = db.session.scalars(select(PendingAuthorization)).one()
        assert (pending.authenticated_sid, pending.consented_sid) == (
            token_hash("cookie-secret"),
            None,
        )
