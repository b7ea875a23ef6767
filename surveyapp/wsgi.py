"""The production entry point: ``gunicorn -c gunicorn.conf.py surveyapp.wsgi:app``.

Configuration comes from ``instance/config.py`` and ``SURVEYAPP_*`` variables, as for ``flask run``.
Each gunicorn worker imports this module after forking (no ``preload_app``), so every process
builds its own application and database pool.
"""

import gc
import os

from . import create_app
from .serving import WORKERS_VARIABLE
from .serving import check_rate_limit_storage
from .serving import warm_up

app = create_app()
# Refused here, so the worker fails to boot and gunicorn stops with this message.
check_rate_limit_storage(app, int(os.environ.get(WORKERS_VARIABLE) or 1))
warm_up(app)

# The objects made so far (modules, the app, its extensions: a few hundred thousand) live as long
# as the process. Keeping them out of the garbage collector's full passes spares a new worker
# pauses of a tenth of a second in its first busy seconds, when those passes come often.
gc.collect()
gc.freeze()
