"""Online payment pages: the cooperative's Stripe account, the payment link of an invoice,
and Stripe's webhook with the pages a paying customer returns to.

Two blueprints: `bp` lives inside a cooperative (`/t/<slug>/online-payments/...`);
`public_bp` (`/stripe/...`) is outside every tenant and has no login: Stripe calls the
webhook (its signature on the body is the credential, so it is exempt from CSRF), and a
customer who paid or cancelled lands on a short page.
"""

from __future__ import annotations

import logging

import stripe
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from koepel.platform.auth import can, requires
from koepel.platform.auth.permissions import public
from koepel.platform.db import db
from koepel.platform.mail.operations import external_url
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.invoices import Invoice

from . import stripe_api
from .forms import AccountForm
from .operations import (
    OnlinePaymentError,
    WebhookRefused,
    connected_account,
    current_link,
    do_create_link,
    do_set_account,
    handle_event,
    paid_online,
)

log = logging.getLogger(__name__)

bp = tenant_blueprint("online_payments", __name__, kinds=("cooperative",), url_prefix="/online-payments",
                      template_folder="templates")
public_bp = Blueprint("stripe", __name__, url_prefix="/stripe", template_folder="templates")


@public_bp.record_once
def _exempt_from_csrf(state) -> None:
    # Stripe posts without a session or a CSRF token; the signature is checked instead.
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(webhook)


# --- the cooperative's settings ------------------------------------------------------------------


def _settings_page(form, status: int = 200):
    return render_template("online_payments/settings.html", form=form, platform_enabled=stripe_api.enabled()), status


@bp.route("/settings", methods=["GET", "POST"])
@requires("online_payments.settings")
def settings():
    if request.method == "GET":
        return _settings_page(AccountForm(formdata=None, stripe_account_id=connected_account() or ""))
    form = AccountForm()
    if not form.validate_on_submit():
        return _settings_page(form, 400)
    try:
        do_set_account(stripe_account_id=form.stripe_account_id.data, actor_id=current_user.id)
    except OnlinePaymentError as error:
        db.session.rollback()
        form.stripe_account_id.errors = [*form.stripe_account_id.errors, str(error)]
        return _settings_page(form, 400)
    db.session.commit()
    flash(_("The online payment settings have been saved."), "info")
    return redirect(url_for("online_payments.settings"))


# --- an invoice's payment link -------------------------------------------------------------------


@bp.post("/invoices/<int:invoice_id>/link")
@requires("invoices.write")
def create_link(invoice_id: int):
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id))
    if invoice is None:
        abort(404)
    back = url_for("invoices.show", invoice_id=invoice_id)
    try:
        do_create_link(invoice, success_url=external_url("stripe.paid"),
                              cancel_url=external_url("stripe.cancelled"), actor_id=current_user.id)
    except OnlinePaymentError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(back)
    except stripe.StripeError as error:
        db.session.rollback()
        log.warning("Stripe refused a payment link for invoice %s: %s", invoice_id, error)
        flash(_("Stripe could not make the payment link just now. Try again in a few minutes."), "warning")
        return redirect(back)
    db.session.commit()
    flash(_("The payment link is ready. Send it to the customer."), "info")
    return redirect(back)


@bp.app_context_processor
def _invoice_page_context() -> dict:
    """For the invoice page (`online_payments/_invoice.html`): what it shows of online payment."""
    return {"online_payment_for": online_payment_for}


def online_payment_for(invoice) -> dict | None:
    """None when the invoice page offers nothing (online payment off on the platform, or
    not an issued invoice); else the link to show and whether one can be made."""
    if not stripe_api.enabled() or invoice.kind != "invoice" or invoice.status == "draft":
        return None
    return {
        "account": connected_account(),
        "link": current_link(invoice),
        "paid": paid_online(invoice.id),
        "can_make": can("invoices.write") and invoice.status in ("sent", "partly_paid"),
    }


# --- Stripe and the customer (no tenant, no login) -----------------------------------------------


def _refusal(message: str, status: int = 400):
    return jsonify({"error": message}), status


@public_bp.post("/webhook")
@public("Stripe's calls: the signature over the body, with the platform's webhook secret, is the credential")
def webhook():
    if not stripe_api.webhook_secret():
        abort(404)  # online payment is off on this platform
    payload = request.get_data(cache=False)
    try:
        event = stripe_api.verified_event(payload, request.headers.get("Stripe-Signature"))
    except stripe.SignatureVerificationError:
        return _refusal("bad signature")
    except ValueError:
        return _refusal("bad payload")
    try:
        outcome = handle_event(event)
    except WebhookRefused as refused:
        db.session.rollback()
        log.warning("Stripe event %s (%s, account %s) refused: %s", event.get("id"), event.get("type"),
                    event.get("account"), refused)
        return _refusal(str(refused))
    db.session.commit()
    return jsonify({"received": True, "outcome": outcome})


@public_bp.get("/paid")
@public("the page a customer returns to from Stripe after paying; it shows nothing of anyone")
def paid():
    return render_template("online_payments/returned.html", paid=True)


@public_bp.get("/cancelled")
@public("the page a customer returns to from Stripe without paying; it shows nothing of anyone")
def cancelled():
    return render_template("online_payments/returned.html", paid=False)
