from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

bp = tenant_blueprint("portal", __name__, kinds=("cooperative",), url_prefix="/my", template_folder="templates")
