"""The IdP's own landing page: who is signed in here, and a way to sign out."""

from __future__ import annotations

from flask import Blueprint, render_template

from idp import browser
from idp.extensions import db
from idp.models import User

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    record = browser.current()
    user = db.session.get(User, record.user_id) if record else None
    db.session.commit()
    return render_template("home.html", user=user)
