"""/account: a person's own account, and the public links mailed to them."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from koepel.platform.auth.models import User
from koepel.platform.auth.operations import (
    AccountError,
    do_change_password,
    do_request_password_reset,
    do_reset_password,
    do_send_verification,
    do_verify_email,
)
from koepel.platform.auth.passwords import password_problems, verify_password
from koepel.platform.auth.queries import my_tenants
from koepel.platform.auth.tokens import TokenProblem, check_token
from koepel.platform.auth.two_factor import (
    TwoFactorError,
    decrypt_secret,
    do_disable_two_factor,
    do_enable_two_factor,
    do_regenerate_recovery_codes,
    encrypt_secret,
    new_secret,
    provisioning_uri,
    qr_data_uri,
    remaining_recovery_codes,
    two_factor_required,
)
from koepel.platform.db import db
from koepel.platform.http.security import email_key, limiter
from koepel.platform.jobs import job_progress

from .forms import (
    ChangePasswordForm,
    ConfirmCodeForm,
    EmailForm,
    PasswordConfirmForm,
    ProfileForm,
    ResetPasswordForm,
)
from .models import DataExport
from .operations import (
    do_cancel_erasure,
    do_request_erasure,
    do_request_export,
    exports_folder,
    pending_erasure,
)

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")

SETUP_SECRET = "two_factor_setup"
IP_LIMITS = "10 per minute"
ACCOUNT_LIMITS = "5 per minute"
LINK_PROBLEMS = {
    "invalid": (400, lambda: _("This link is not valid. It may have been copied incompletely.")),
    "expired": (410, lambda: _("This link has expired.")),
    "used": (410, lambda: _("This link has already been used.")),
}


def _link_problem(problem: TokenProblem, *, purpose: str):
    status, message = LINK_PROBLEMS[problem.kind]
    return render_template("account/link_problem.html", message=message(), purpose=purpose), status


# --- public: verification, forgotten password ------------------------------------------------


@bp.get("/verify/<token>")
def verify(token: str):
    try:
        user = do_verify_email(token)
    except TokenProblem as problem:
        db.session.rollback()
        return _link_problem(problem, purpose="verify")
    db.session.commit()
    flash(_("Your email address is confirmed. You can sign in now."), "info")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("account.index"))
    return redirect(url_for("auth.login"))


@bp.post("/verify/resend")
@limiter.limit(IP_LIMITS)
@limiter.limit(ACCOUNT_LIMITS, key_func=email_key)
def resend_verification():
    form = EmailForm()
    if form.validate_on_submit():
        user = User.by_email(form.email.data)
        if user is not None and user.is_active and not user.is_verified:
            do_send_verification(user)
            db.session.commit()
    # The same answer whether or not the address has an account.
    flash(_("If this address has an account that still needs confirming, we sent a new link to it."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(IP_LIMITS, methods=["POST"])
@limiter.limit(ACCOUNT_LIMITS, methods=["POST"], key_func=email_key)
def forgot():
    form = EmailForm()
    if form.validate_on_submit():
        do_request_password_reset(form.email.data)
        db.session.commit()
        return render_template("account/forgot_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("account/forgot.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(IP_LIMITS, methods=["POST"])
def reset(token: str):
    try:
        usable = check_token(token, "reset_password")
    except TokenProblem as problem:
        return _link_problem(problem, purpose="reset")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        problems = password_problems(form.password.data, usable.user.email)
        if problems:
            form.password.errors.extend(problems)
        else:
            try:
                do_reset_password(token, form.password.data)
            except TokenProblem as problem:  # spent between the two reads
                db.session.rollback()
                return _link_problem(problem, purpose="reset")
            db.session.commit()
            # A new session: whoever was signed in in this browser is signed out; the
            # person signs in with the new password (and their second factor).
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            flash(_("Your password has been changed. Sign in with your new password."), "info")
            return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("account/reset.html", form=form), status


# --- my account ----------------------------------------------------------------------------


def _index(status=200, **forms):
    forms.setdefault("profile_form", ProfileForm(obj=current_user, formdata=None))
    forms.setdefault("password_form", ChangePasswordForm(formdata=None))
    forms.setdefault("erasure_form", PasswordConfirmForm(formdata=None, prefix="erasure"))
    exports = db.session.scalars(
        db.select(DataExport).where(DataExport.user_id == current_user.id).order_by(DataExport.created_at.desc()).limit(5)
    ).all()
    return render_template(
        "account/index.html", tenants=my_tenants(), exports=exports,
        erasure=pending_erasure(current_user.id), two_factor_required=two_factor_required(current_user.id),
        **forms,
    ), status


@bp.get("/")
@login_required
def index():
    return _index()


@bp.post("/profile")
@login_required
def profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _index(400, profile_form=form)
    current_user.name = form.name.data.strip()
    current_user.language = form.language.data
    session["lang"] = form.language.data
    db.session.commit()
    flash(_("Your details have been saved."), "info")
    return redirect(url_for("account.index"))


@bp.post("/password")
@login_required
@limiter.limit(IP_LIMITS, deduct_when=lambda r: r.status_code >= 400)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Your current password is not correct."))
        else:
            problems = password_problems(form.new_password.data, current_user.email)
            form.new_password.errors.extend(problems)
            if not problems:
                try:
                    do_change_password(current_user, form.current_password.data, form.new_password.data)
                except AccountError:
                    db.session.rollback()
                    abort(400)
                db.session.commit()
                # This session goes on under the new epoch; all others have ended.
                from koepel.platform.auth.login import SESSION_EPOCH

                session[SESSION_EPOCH] = current_user.session_epoch
                flash(_("Your password has been changed. You have been signed out everywhere else."), "info")
                return redirect(url_for("account.index"))
    return _index(400, password_form=form)


# --- two-factor ----------------------------------------------------------------------------


def _setup_secret() -> str:
    secret = decrypt_secret(session.get(SETUP_SECRET))
    if secret is None:
        secret = new_secret()
        session[SETUP_SECRET] = encrypt_secret(secret)
    return secret


def _two_factor_page(form=None, status=200):
    enabled = current_user.has_two_factor
    context = {
        "enabled": enabled, "required": two_factor_required(current_user.id),
        "form": form or ConfirmCodeForm(formdata=None),
        "codes_form": PasswordConfirmForm(formdata=None, prefix="codes"),
        "off_form": PasswordConfirmForm(formdata=None, prefix="off"),
    }
    if enabled:
        context["remaining"] = remaining_recovery_codes(current_user.id)
    else:
        secret = _setup_secret()
        context["secret"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        context["qr"] = qr_data_uri(provisioning_uri(secret, current_user.email))
    return render_template("account/two_factor.html", **context), status


@bp.get("/two-factor")
@login_required
def two_factor():
    return _two_factor_page()


@bp.post("/two-factor/enable")
@login_required
@limiter.limit(IP_LIMITS, deduct_when=lambda r: r.status_code >= 400)
def two_factor_enable():
    if current_user.has_two_factor:
        return redirect(url_for("account.two_factor"))
    form = ConfirmCodeForm()
    if not form.validate_on_submit():
        return _two_factor_page(form, 400)
    try:
        codes = do_enable_two_factor(current_user, _setup_secret(), form.code.data)
    except TwoFactorError:
        form.code.errors.append(_("This code is not correct. Check that your phone's clock is right and try the newest code."))
        return _two_factor_page(form, 400)
    db.session.commit()
    session.pop(SETUP_SECRET, None)
    return render_template("account/recovery_codes.html", codes=codes, first_time=True)


@bp.post("/two-factor/recovery-codes")
@login_required
def two_factor_recovery_codes():
    form = PasswordConfirmForm(prefix="codes")
    if not form.validate_on_submit() or not verify_password(current_user.password_hash, form.current_password.data):
        flash(_("Your current password is not correct."), "error")
        return redirect(url_for("account.two_factor"))
    try:
        codes = do_regenerate_recovery_codes(current_user)
    except TwoFactorError:
        return redirect(url_for("account.two_factor"))
    db.session.commit()
    return render_template("account/recovery_codes.html", codes=codes, first_time=False)


@bp.post("/two-factor/disable")
@login_required
def two_factor_disable():
    form = PasswordConfirmForm(prefix="off")
    if not form.validate_on_submit() or not verify_password(current_user.password_hash, form.current_password.data):
        flash(_("Your current password is not correct."), "error")
        return redirect(url_for("account.two_factor"))
    try:
        do_disable_two_factor(current_user)
    except TwoFactorError:
        flash(_("Your role requires two-factor sign-in; it cannot be turned off."), "error")
        return redirect(url_for("account.two_factor"))
    db.session.commit()
    flash(_("Two-factor sign-in has been turned off."), "info")
    return redirect(url_for("account.two_factor"))


# --- download my data ----------------------------------------------------------------------


def _own_export(export_id: int) -> DataExport:
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != current_user.id:
        abort(404)  # someone else's export does not exist for this person
    return export


def _export_status(export: DataExport) -> dict:
    return {
        "id": export.id, "status": export.status,
        "progress": job_progress(export.rq_job_id, export.status == "finished"),
        "error": _("The export could not be made. Try again later.") if export.status == "failed" else None,
        "has_download": export.status == "finished" and bool(export.file),
    }


@bp.post("/export")
@login_required
@limiter.limit("5 per hour", key_func=lambda: f"user:{current_user.get_id()}")
def export():
    data_export = do_request_export(current_user)
    db.session.commit()
    return redirect(url_for("account.export_show", export_id=data_export.id))


@bp.get("/export/<int:export_id>")
@login_required
def export_show(export_id: int):
    data_export = _own_export(export_id)
    return render_template("account/export.html", export=data_export, status=_export_status(data_export))


@bp.get("/export/<int:export_id>/status")
@login_required
def export_status(export_id: int):
    return jsonify(_export_status(_own_export(export_id)))


@bp.get("/export/<int:export_id>/download")
@login_required
def export_download(export_id: int):
    data_export = _own_export(export_id)
    if data_export.status != "finished" or not data_export.file:
        abort(404)
    folder = exports_folder(current_user.id).resolve()
    path = (folder / data_export.file).resolve()
    if path.parent != folder or not path.is_file():
        abort(404)
    stamp = data_export.created_at.strftime("%Y%m%d")
    return send_file(Path(path), as_attachment=True, download_name=f"koepel-mijn-gegevens-{stamp}.zip")


# --- erasure -------------------------------------------------------------------------------


@bp.post("/erasure")
@login_required
def erasure():
    form = PasswordConfirmForm(prefix="erasure")
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.current_password.data):
            do_request_erasure(current_user)
            db.session.commit()
            flash(_("Your request to be erased has been received. The umbrella's staff will confirm it."), "info")
            return redirect(url_for("account.index"))
        form.current_password.errors.append(_("Your current password is not correct."))
    return _index(400, erasure_form=form)


@bp.post("/erasure/cancel")
@login_required
def erasure_cancel():
    pending = pending_erasure(current_user.id)
    if pending is not None:
        do_cancel_erasure(pending.id, actor_id=current_user.id)
        db.session.commit()
        flash(_("Your request to be erased has been withdrawn."), "info")
    return redirect(url_for("account.index"))
    db.session.commit()
    flash(_("The request has been rejected."), "info")
    return redirect(url_for("account.erasure_requests"))
