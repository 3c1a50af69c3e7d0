from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

bp = tenant_blueprint("member_transfer", __name__, kinds=("cooperative",), url_prefix="/members/files", template_folder="templates")
