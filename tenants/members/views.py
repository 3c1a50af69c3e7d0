from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

bp = tenant_blueprint("members", __name__, kinds=("cooperative",), url_prefix="/members", template_folder="templates")
