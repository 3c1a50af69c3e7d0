from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from koepel.platform.db import db, utcnow

from .forms import SignInForm
from .models import LANGUAGES, User
from .passwords import hash_password, needs_rehash, verify_password
from .queries import my_tenants

bp = Blueprint("auth", __name__, template_folder="templates")


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


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return _landing()
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = User.by_email(form.email.data)
        # An unknown address is checked against a dummy hash: the answer takes as long.
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is not None and user.is_active and password_ok:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            user.last_login_at = utcnow()
            db.session.commit()
            lang = session.get("lang")
            session.clear()  # a fresh session at sign-in: nothing carried over from before
            if lang:
                session["lang"] = lang
            login_user(user)
            return redirect(_safe_next(form.next.data) or url_for("auth.index"))
        form.password.errors.append(_("The email address or password is not correct."))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


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
