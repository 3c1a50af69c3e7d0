from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

# Both sides have the pages: the cooperative and the municipality see the same agreements.
bp = tenant_blueprint("agreements", __name__, kinds=("cooperative", "municipality"), url_prefix="/agreements",
                      template_folder="templates")
