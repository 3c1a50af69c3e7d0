from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

bp = tenant_blueprint("coaching", __name__, kinds=("cooperative",), url_prefix="/coaching", template_folder="templates")
