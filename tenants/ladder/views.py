from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

bp = tenant_blueprint("ladder", __name__, kinds=("cooperative",), url_prefix="/ladder", template_folder="templates")
