"""WSGI entry point for gunicorn, `gunicorn wsgi:app` (configuration from IDP_CONFIG); granian
serves the same app through `idp serve --production` (see idp/serving.py)."""

from idp import create_app
from idp.malloc import one_arena

one_arena()  # in each worker, before its threads start
app = create_app()
