"""Self-onboarding of cooperatives.

`/start` is one form in three sections (the cooperative; address and municipalities; the
first coordinator) rather than a multi-page wizard with state in the session: nothing is
half-stored, the back button cannot lose data, and every field error is shown at once.
A person who is signed in applies as themselves (the account section is left out).
"""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.auth.permissions import public
from koepel.platform.db import db
from koepel.platform.tenancy.operations import latest_status_change
from koepel.platform.tenancy.request import TENANT_PREFIX

from .forms import OnboardingForm, split_names
from .operations import Application, do_apply, municipalities_on_platform

bp = Blueprint("onboarding", __name__, template_folder="templates")
DONE = "onboarding_done"


@bp.route("/start", methods=["GET", "POST"])
@public("the sign-up of a new cooperative: nobody has an account or a role yet")
def start():
    signed_in = current_user.is_authenticated
    municipalities = municipalities_on_platform()
    form = OnboardingForm(municipalities, signed_in=signed_in)
    if form.validate_on_submit():
        from koepel.platform.auth.operations import AccountError, do_create_user

        application = Application(
            name=form.name.data.strip(), legal_form=form.legal_form.data, kvk_number=form.kvk_number.data,
            vat_number=form.vat_number.data, iban=form.iban.data, street=form.street.data,
            postal_code=form.postal_code.data, city=form.city.data,
            municipality_ids=list(form.municipality_ids.data or []),
            other_municipalities=split_names(form.other_municipalities.data),
        )
        try:
            if signed_in:
                coordinator = current_user._get_current_object()
            else:
                language = str(get_locale() or "nl")
                coordinator = do_create_user(
                    email=form.email.data, name=form.coordinator_name.data, password=form.password.data,
                    language=language if language in ("nl", "en") else "nl",
                )
            tenant = do_apply(application, coordinator=coordinator, new_account=not signed_in)
        except AccountError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            if signed_in:
                return redirect(url_for("onboarding.status", tenant_slug=tenant.slug))
            session[DONE] = {"email": coordinator.email, "name": tenant.name}
            return redirect(url_for("onboarding.done"))
    status = 400 if form.is_submitted() else 200
    return render_template("onboarding/start.html", form=form, signed_in=signed_in), status


@bp.get("/start/done")
@public("the confirmation after sign-up; shows only what this browser just submitted")
def done():
    info = session.get(DONE)
    if not info:
        return redirect(url_for("onboarding.start"))
    return render_template("onboarding/done.html", info=info)


@bp.get(f"{TENANT_PREFIX}/application")
@requires("organisation.status")
def status():
    """What the applicant sees while the umbrella decides (and after a rejection)."""
    return render_template("onboarding/status.html", change=latest_status_change(g.tenant.id))
