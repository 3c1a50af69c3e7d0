from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

bp = tenant_blueprint("meetings", __name__, kinds=("cooperative",), url_prefix="/meetings", template_folder="templates")
