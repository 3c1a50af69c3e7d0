from flask import Blueprint

bp = Blueprint("onboarding", __name__, template_folder="templates")
