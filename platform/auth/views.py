from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from koepel.platform.db import db, utcnow
from koepel.platform.http.security import email_key, failed, limiter

from .forms import SignInForm, TwoFactorForm
from .login import SESSION_EPOCH
from .models import LANGUAGES, User
from .operations import record_failed_sign_in, record_successful_sign_in
from .passwords import hash_password, needs_rehash, verify_password
from .queries import my_tenants
from .two_factor import verify_second_factor

bp = Blueprint("auth", __name__, template_folder="templates")
log = logging.getLogger(__name__)

# Between the password and the code: who, under which epoch, since when, where to next.
# This is not a sign-in: Flask-Login knows nobody, so no page opens with it.
PENDING = "two_factor_pending"
PENDING_SECONDS = 300
SIGN_IN_LIMITS = "10 per minute"
ACCOUNT_LIMITS = "5 per minute"


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths; anything else could send a person to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _landing():
    tenants = my_tenants()
    if len(tenants) == 1:
        return redirect(url_for("workspace.home", tenant_slug=tenants[0].slug))
    return redirect(url_for("auth.choose_tenant"))


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"pending:{pending.get('user_id', '')}" if pending else email_key()


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return _landing()
    return redirect(url_for("auth.login"))


def complete_sign_in(user: User, next_url: str | None):
    """Password (and code, when enrolled) are right: a fresh session for this person."""
    record_successful_sign_in(user)
    db.session.commit()
    lang = session.get("lang")
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    if lang:
        session["lang"] = lang
    login_user(user)
    session[SESSION_EPOCH] = user.session_epoch
    return redirect(_safe_next(next_url) or url_for("auth.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMITS, methods=["POST"], deduct_when=failed)
@limiter.limit(ACCOUNT_LIMITS, methods=["POST"], key_func=email_key, deduct_when=failed)
def login():
    form = SignInForm(next=request.args.get("next", ""))
    unverified = None
    if form.validate_on_submit():
        user = User.by_email(form.email.data)
        # An unknown address is checked against a dummy hash: the answer takes as long.
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        now = utcnow()
        if user is not None and user.is_active and password_ok and not user.is_locked(now):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            if not user.is_verified:
                unverified = user.email
                db.session.commit()
            elif user.has_two_factor:
                db.session.commit()
                lang = session.get("lang")
                session.clear()
                if lang:
                    session["lang"] = lang
                session[PENDING] = {
                    "user_id": user.id, "epoch": user.session_epoch, "at": int(time.time()),
                    "next": _safe_next(form.next.data) or "",
                }
                return redirect(url_for("auth.two_factor"))
            else:
                return complete_sign_in(user, form.next.data)
        else:
            if user is not None and not password_ok:
                record_failed_sign_in(user, now)
                db.session.commit()
            # Unknown, wrong, locked or inactive: one answer, so nothing is disclosed.
            form.password.errors.append(_("The email address or password is not correct."))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, unverified=unverified), status


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.is_active or user.session_epoch != pending.get("epoch") or not user.has_two_factor:
        return None
    return user


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMITS, methods=["POST"], deduct_when=failed)
@limiter.limit(ACCOUNT_LIMITS, methods=["POST"], key_func=_pending_key, deduct_when=failed)
def two_factor():
    user = _pending_user()
    if user is None:
        flash(_("Sign in again: the time to enter the code has run out."), "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        now = utcnow()
        if user.is_locked(now):
            form.code.errors.append(_("This code is not correct."))
        elif verify_second_factor(user, form.code.data):
            next_url = session[PENDING].get("next")
            return complete_sign_in(user, next_url)
        else:
            record_failed_sign_in(user, now)
            db.session.commit()
            form.code.errors.append(_("This code is not correct."))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/two_factor.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/tenants")
@login_required
def choose_tenant():
    return render_template("auth/choose_tenant.html", tenants=my_tenants())


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.language != lang:
            current_user.language = lang
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.index"))
