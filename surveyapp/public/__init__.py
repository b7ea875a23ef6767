"""The public questionnaire: what citizens see."""

from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")
