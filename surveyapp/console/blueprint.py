"""URL rules of the ``console`` blueprint (views live in the modules imported here)."""

from flask import Blueprint

from . import distribution_views
from . import fieldwork_views
from . import formatting
from . import nav
from . import public_hooks
from . import user_views
from . import views

bp = Blueprint("console", __name__, template_folder="templates", url_prefix="/console")
bp.app_context_processor(nav.inject)
formatting.register(bp)
bp.register_error_handler(413, views.too_large)
bp.record_once(lambda state: public_hooks.init_app(state.app))

_RULES = (
    ("/", "index", views.index, ["GET"]),
    ("/surveys", "surveys", views.surveys, ["GET"]),
    ("/surveys/upload", "upload_new", views.upload_new, ["POST"]),
    ("/surveys/<key>", "dashboard", fieldwork_views.dashboard, ["GET"]),
    ("/surveys/<key>/versions", "versions", views.versions, ["GET"]),
    ("/surveys/<key>/versions/upload", "upload_version", views.upload_version, ["POST"]),
    ("/surveys/<key>/versions/confirm", "confirm_version", views.confirm_version, ["POST"]),
    (
        "/surveys/<key>/versions/<int:number>/<fmt>",
        "download_version",
        views.download_version,
        ["GET"],
    ),
    ("/definition-template.xlsx", "definition_template", views.definition_template, ["GET"]),
    ("/surveys/<key>/status", "change_status", views.change_status, ["POST"]),
    ("/surveys/<key>/distribution", "distribution", distribution_views.distribution, ["GET"]),
    ("/surveys/<key>/qr.<fmt>", "qr", distribution_views.qr, ["GET"]),
    ("/surveys/<key>/poster", "poster", distribution_views.poster, ["GET"]),
    ("/surveys/<key>/invitations", "invitations", fieldwork_views.invitations, ["GET"]),
    (
        "/surveys/<key>/invitations/new",
        "invitations_create",
        fieldwork_views.invitations_create,
        ["POST"],
    ),
    (
        "/surveys/<key>/invitations/setting",
        "invitations_setting",
        fieldwork_views.invitations_setting,
        ["POST"],
    ),
    ("/surveys/<key>/invitations.csv", "invitations_csv", fieldwork_views.invitations_csv, ["GET"]),
    ("/surveys/<key>/quotas", "quotas", fieldwork_views.quotas, ["GET", "POST"]),
    ("/users", "users", user_views.users, ["GET"]),
    ("/users/new", "user_create", user_views.user_create, ["POST"]),
    ("/users/<int:user_id>/role", "user_role", user_views.user_role, ["POST"]),
    ("/users/<int:user_id>/active", "user_active", user_views.user_active, ["POST"]),
)
for rule, endpoint, view, methods in _RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)
