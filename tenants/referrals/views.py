from __future__ import annotations

from koepel.platform.tenancy.request import tenant_blueprint

# The municipality's side (sending) and the cooperative's side (receiving) are pages of
# different kinds of tenant: two blueprints, each 404 in the other kind.
bp = tenant_blueprint("referrals", __name__, kinds=("municipality",), url_prefix="/referrals",
                      template_folder="templates")
bp_incoming = tenant_blueprint("referrals_incoming", __name__, kinds=("cooperative",),
                               url_prefix="/incoming-referrals", template_folder="templates")
