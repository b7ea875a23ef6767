"""The ``public`` blueprint object; views and error handlers attach themselves to it."""

from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")
