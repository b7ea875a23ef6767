"""The production entry point: ``gunicorn -c gunicorn.conf.py surveyapp.wsgi:app``.

Configuration comes from ``instance/config.py`` and ``SURVEYAPP_*`` variables, as for ``flask run``.
Each gunicorn worker imports this module after forking (no ``preload_app``), so every process
builds its own application and database pool.
"""

from . import create_app

app = create_app()
