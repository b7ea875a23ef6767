"""The citizen survey web application."""

import os
import secrets

from flask import Flask

from . import config as defaults
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
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    _init_extensions(app)
    from . import serving

    serving.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app):
    from . import database
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
    from . import access  # noqa: F401  (registers the user loader every template context needs)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    from . import security

    security.init_app(app)


def _register_blueprints(app):
    from .health import bp as health_bp
    from .public import bp as public_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(public_bp)
    from .auth import bp as auth_bp
    from .console import bp as console_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(console_bp)
    from .api import bp as api_bp
    from .results import bp as results_bp

    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)


def _register_cli(app):
    from .cli import survey_cli

    app.cli.add_command(survey_cli)
    from .auth.cli import users_cli

    app.cli.add_command(users_cli)
    from . import demo  # noqa: F401  (adds ``survey demo-data``)
    from .api import cli as api_cli  # noqa: F401  (adds ``users token``)
    from .exports import cli as export_cli  # noqa: F401  (adds ``survey export``)
    from .results import cli as results_cli  # noqa: F401  (adds ``survey analyze``)
