"""Flask extensions, created unbound and bound to the app in `create_app`."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any, TypeVar, cast

import flask_limiter
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, MetaData, Result, Select, bindparam, select
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


log = logging.getLogger("idp.ratelimit")


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, saying when it changes storage.

    With `RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`, a rate-limit storage (Redis) that cannot be
    reached makes it count in each worker's memory until the storage answers again, instead
    of failing every limited request (sign-in, recovery) with a 500. The limits then hold per
    worker, not for all of them; lockout lives in the database and is not affected. Every
    switch goes through `_storage_dead` (Flask-Limiter 4.1, pinned), so it is logged here.
    """

    @property
    def _storage_dead(self) -> bool:
        return self.__dict__.get("_idp_storage_dead", False)

    @_storage_dead.setter
    def _storage_dead(self, dead: bool) -> None:
        if dead and not self._storage_dead:
            log.warning("rate-limit storage unreachable: counting in this worker's memory")
        elif self._storage_dead and not dead:
            log.warning("rate-limit storage reachable again: shared counting resumes")
        self.__dict__["_idp_storage_dead"] = dead


db = SQLAlchemy(model_class=Base)
# Flask-SQLAlchemy makes `db.Model` at run time, a subclass of Base that a type checker cannot
# see: models derive from `Model`, which is db.Model when running and Base for mypy.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched. `Session.execute` types every result as a
    Result; a DML statement's is a CursorResult, which has the count."""
    return cast(CursorResult[Any], result).rowcount


_Row = TypeVar("_Row", bound=Base)


def find_one(model: type[_Row], **equal_to: object) -> _Row | None:
    """The row of `model` whose columns equal these values (the first if several), or None.

    Its statement is built once per model and set of columns, with bound parameters: building
    a statement and its cache key anew costs about as much as running it (~60 us on SQLite),
    and the pages of a sign-in look rows up this way a dozen times.
    """
    return db.session.scalar(_select_where(model, tuple(equal_to)), equal_to)


@functools.cache
def _select_where(model: type[_Row], columns: tuple[str, ...]) -> Select[_Row]:
    return select(model).where(*(getattr(model, name) == bindparam(name) for name in columns))
