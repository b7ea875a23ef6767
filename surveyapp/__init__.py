"""The citizen survey web application."""

import os
import secrets

from flask import Flask

from . import config as defaults
from . import filemodes
from .paths import migrations_folder
from .paths import static_folder

__version__ = "0.1.0"


def create_app(test_config=None):
    """Build and configure the application: config, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # Deployments may keep instance/ (config.py, the SQLite file) elsewhere.
        instance_path=os.environ.get("SURVEYAPP_INSTANCE_PATH") or None,
        static_folder=static_folder(),
        static_url_path="/static",
    )
    app.config.from_mapping(defaults.DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = defaults.database_url_default(app.instance_path)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        defaults.apply_environment(app.config)
    else:
        app.config.from_mapping(test_config)
    defaults.check_secret_key(app)
    if not app.config.get("SECRET_KEY"):
        # Debug and testing only (check_secret_key refused otherwise): a key for this process.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    # instance/ 0700; its config, the SQLite database, WAL and SHM 0600 (see filemodes).
    filemodes.protect_instance(app)

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app):
    # access registers the user loader; serving adds ProxyFix and the database-outage handler.
    from . import access  # noqa: F401
    from . import database
    from . import security
    from . import serving
    from .extensions import babel
    from .extensions import csrf
    from .extensions import db
    from .extensions import limiter
    from .extensions import login_manager
    from .extensions import migrate
    from .i18n import select_locale

    database.apply_engine_defaults(app.config)
    db.init_app(app)
    database.configure_engine_events(app)
    migrate.init_app(app, db, directory=migrations_folder(), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    security.init_app(app)
    serving.init_app(app)


def _register_blueprints(app):
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .console import bp as console_bp
    from .dataops import bp as dataops_bp
    from .evaluation import bp as evaluation_bp
    from .health import bp as health_bp
    from .public import bp as public_bp
    from .results import bp as results_bp

    for blueprint in (
        health_bp,
        public_bp,
        auth_bp,
        console_bp,
        dataops_bp,
        results_bp,
        evaluation_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app):
    # Importing these modules attaches their commands to the ``survey`` and ``users`` groups:
    # survey demo-data, survey export, survey analyze, users token.
    from . import demo  # noqa: F401
    from .api import cli as api_cli  # noqa: F401
    from .auth.cli import users_cli
    from .backup import backup_command
    from .backup import restore_command
    from .cli import survey_cli
    from .evaluation.cli import evaluation_cli
    from .exports import cli as export_cli  # noqa: F401
    from .reporting import cli as report_cli  # noqa: F401
    from .results import cli as results_cli  # noqa: F401
    from .results import settings_cli  # noqa: F401

    for command in (survey_cli, users_cli, evaluation_cli, backup_command, restore_command):
        app.cli.add_command(command)
