from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

bp = tenant_blueprint("parameters", __name__, kinds=("umbrella",), url_prefix="/admin/parameters",
                      template_folder="templates")
