from flask import Blueprint

from koepel.platform.tenancy.request import TENANT_PREFIX

bp = Blueprint("people", __name__, url_prefix=f"{TENANT_PREFIX}/people", template_folder="templates")
