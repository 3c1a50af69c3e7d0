"""The invoice pages of a cooperative: the list, drafts, an invoice as the customer sees
it, issuing, credit notes, the PDF, customers, settings and reminders.

Thin handlers: load (another cooperative's invoice is a 404), validate the form, call an
operation, commit once, redirect with a message. Bad input shows the page again with
the messages at their fields (status 400) and changes nothing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.jobs import do_enqueue
from koepel.platform.tenancy.request import tenant_blueprint

from .files import pdf_path
from .forms import (
    EXTRA_ROWS,
    STATUS_LABELS,
    CreditForm,
    CustomerForm,
    DeleteForm,
    FilterForm,
    InvoiceForm,
    SettingsForm,
)
from .operations import (
    DELIVER_JOB,
    InvoiceError,
    amount_due,
    do_create_customer,
    do_create_draft,
    do_credit,
    do_delete_draft,
    do_issue,
    do_send_reminders,
    do_update_customer,
    do_update_draft,
    do_update_invoice_settings,
    invoice_date,
    invoice_settings,
    kor_limit_on,
    vat_rates_on,
)
from .queries import (
    customer_or_none,
    customers,
    display_status,
    document,
    invoice_or_none,
    invoice_rows,
    kor_warning,
    member_choices,
    member_name,
    money,
    overdue_rows,
    quantity,
    turnover,
)
from .totals import rate_label

bp = tenant_blueprint("invoices", __name__, kinds=("cooperative",), url_prefix="/invoices", template_folder="templates")


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "rate_label": rate_label, "money": money, "quantity": quantity,
            "amount_due": amount_due}


def _show_error(form, error: InvoiceError, field=None) -> None:
    """Put an operation's message at its field, else at the top of the form."""
    field = field or (getattr(form, error.field, None) if error.field else None)
    if field is None:
        form.form_errors.append(str(error))
        return
    field.errors = [*field.errors, str(error)]


def _invoice_or_404(invoice_id: int):
    invoice = invoice_or_none(invoice_id)
    if invoice is None:
        abort(404)
    return invoice


# --- the list ------------------------------------------------------------------------------------


@bp.get("/")
@requires("invoices.view")
def index():
    members = member_choices()
    form = FilterForm(request.args, members=members)
    status = member_id = None
    code = 200
    if request.args and not form.validate():
        code = 400
    else:
        status = form.status.data or None
        member_id = int(form.member.data) if form.member.data else None
    today = amsterdam_today()
    rows = invoice_rows(today=today, status=status, member_id=member_id) if code == 200 else []
    return render_template("invoices/index.html", form=form, rows=rows, status=status, **_labels()), code


# --- drafts --------------------------------------------------------------------------------------


def _invoice_form(formdata=None, invoice=None, **kwargs) -> InvoiceForm:
    """The form with the VAT rates of the invoice's date (a draft's: today)."""
    on_date = invoice_date(invoice)
    kept = tuple(sorted({line.vat_rate_bp for line in invoice.lines}, reverse=True)) if invoice else ()
    return InvoiceForm(formdata=formdata, members=member_choices(), customers=customers(),
                       rates=vat_rates_on(on_date), rates_on=on_date, kept=kept, **kwargs)


def _form_page(form, invoice=None, status: int = 200):
    form.offer_rates()  # rows added since the form was made
    return render_template("invoices/form.html", form=form, invoice=invoice, settings=invoice_settings(),
                           has_customers=bool(form.customer_id.choices[1:]), **_labels()), status


def _save_draft(form, invoice=None):
    """Validate and save; returns the invoice, or None with the messages in the form."""
    if not form.validate_on_submit():
        form.line_inputs()
        return None
    lines = form.line_inputs()
    if lines is None:
        return None
    values = dict(member_id=int(form.member_id.data), customer_id=int(form.customer_id.data),
                  delivery_date=form.delivery_date.data, delivery_end=form.delivery_end.data,
                  note=form.note.data or "", lines=lines, actor_id=current_user.id)
    if values["member_id"] not in {i for i, _name in member_choices()}:
        form.member_id.errors = [*form.member_id.errors, _("Choose the member who did the work.")]
        return None
    try:
        if invoice is None:
            return do_create_draft(**values)
        return do_update_draft(invoice, **values)
    except InvoiceError as error:
        db.session.rollback()
        _show_error(form, error, form.field_for(error.field))
        return None


@bp.route("/new", methods=["GET", "POST"])
@requires("invoices.write")
def new():
    if request.method == "GET":
        form = _invoice_form(member_id=request.args.get("member", ""), customer_id=request.args.get("customer", ""),
                             delivery_date=amsterdam_today())
        return _form_page(form)
    form = _invoice_form(request.form)
    invoice = _save_draft(form)
    if invoice is None:
        return _form_page(_refill(form), None, 400)
    db.session.commit()
    flash(_("The draft invoice has been saved. Check it, then issue it."), "info")
    return redirect(url_for("invoices.show", invoice_id=invoice.id))


def _refill(form):
    """Keep the rows typed, with room for one more."""
    while len(form.lines.entries) < len(form.line_rows) + EXTRA_ROWS and len(form.lines.entries) < 60:
        form.lines.append_entry()
    return form


@bp.route("/<int:invoice_id>/edit", methods=["GET", "POST"])
@requires("invoices.write")
def edit(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    if invoice.status != "draft":
        flash(_("An issued invoice is never changed: correct it with a credit note."), "warning")
        return redirect(url_for("invoices.show", invoice_id=invoice.id))
    if request.method == "GET":
        form = _invoice_form(invoice=invoice, member_id=str(invoice.member_id), customer_id=str(invoice.customer_id),
                             delivery_date=invoice.delivery_date, delivery_end=invoice.delivery_end, note=invoice.note)
        form.lines.entries = []
        form.lines.last_index = -1
        for line in invoice.lines:
            form.lines.append_entry({
                "description": line.description, "quantity": _amount_text(line.quantity_hundredths),
                "unit_price": _amount_text(line.unit_price_cents), "vat_rate": str(line.vat_rate_bp)})
        for _row in range(EXTRA_ROWS):
            form.lines.append_entry()
        return _form_page(form, invoice)
    form = _invoice_form(request.form, invoice)
    saved = _save_draft(form, invoice)
    if saved is None:
        return _form_page(_refill(form), _invoice_or_404(invoice_id), 400)
    db.session.commit()
    flash(_("The draft invoice has been saved."), "info")
    return redirect(url_for("invoices.show", invoice_id=invoice_id))


def _amount_text(hundredths: int) -> str:
    """150 -> '1,50', 100 -> '1' (a quantity or a price as typed back into the form)."""
    sign = "-" if hundredths < 0 else ""
    whole, rest = divmod(abs(hundredths), 100)
    return f"{sign}{whole}" if not rest else f"{sign}{whole},{rest:02d}"


@bp.post("/<int:invoice_id>/delete")
@requires("invoices.write")
def delete(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _show_page(invoice, 400, delete_form=form)
    try:
        do_delete_draft(invoice, actor_id=current_user.id)
    except InvoiceError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for("invoices.show", invoice_id=invoice_id))
    db.session.commit()
    flash(_("The draft invoice has been deleted."), "info")
    return redirect(url_for("invoices.index"))


# --- an invoice ----------------------------------------------------------------------------------


def _show_page(invoice, status: int = 200, credit_form=None, delete_form=None):
    today = amsterdam_today()
    return render_template(
        "invoices/show.html", doc=document(invoice), invoice=invoice, status=display_status(invoice, today),
        member=member_name(invoice.member_id), credit_form=credit_form or CreditForm(formdata=None),
        delete_form=delete_form or DeleteForm(formdata=None),
        pdf_ready=bool(invoice.pdf_file and pdf_path(invoice.tenant_id, invoice.pdf_file).is_file()), **_labels(),
    ), status


@bp.get("/<int:invoice_id>")
@requires("invoices.view")
def show(invoice_id: int):
    return _show_page(_invoice_or_404(invoice_id))


@bp.post("/<int:invoice_id>/issue")
@requires("invoices.write")
def issue(invoice_id: int):
    """Issue: the number and the books now; the PDF and the mail to the customer in a job."""
    invoice = _invoice_or_404(invoice_id)
    try:
        invoice = do_issue(invoice, today=amsterdam_today(), actor_id=current_user.id)
        do_enqueue(DELIVER_JOB, invoice.id, True)
    except InvoiceError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return _show_page(_invoice_or_404(invoice_id), 400)
    number = invoice.number
    has_email = bool(invoice.parties["customer"]["email"])
    db.session.commit()
    if has_email:
        flash(_("Invoice %(number)s has been issued. Its PDF is being made and mailed to the customer.",
                number=number), "info")
    else:
        flash(_("Invoice %(number)s has been issued. The customer has no email address: download the PDF when it "
                "is ready and send it yourself.", number=number), "info")
    return redirect(url_for("invoices.show", invoice_id=invoice_id))


@bp.post("/<int:invoice_id>/credit")
@requires("invoices.write")
def credit(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    form = CreditForm()
    if not form.validate_on_submit():
        return _show_page(invoice, 400, credit_form=form)
    try:
        note = do_credit(invoice, reason=form.reason.data, today=amsterdam_today(), actor_id=current_user.id)
        do_enqueue(DELIVER_JOB, note.id, True)
    except InvoiceError as error:
        db.session.rollback()
        if error.field:
            _show_error(form, error)
        else:
            flash(str(error), "warning")
        return _show_page(_invoice_or_404(invoice_id), 400, credit_form=form)
    note_id, number = note.id, note.number
    db.session.commit()
    flash(_("Credit note %(number)s cancels the invoice. Its PDF is being made and mailed to the customer.",
            number=number), "info")
    return redirect(url_for("invoices.show", invoice_id=note_id))


@bp.get("/<int:invoice_id>/pdf")
@requires("invoices.view")
def pdf(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    path = pdf_path(invoice.tenant_id, invoice.pdf_file) if invoice.pdf_file else None
    if path is None or not path.is_file():
        flash(_("The PDF is not ready yet. Try again in a moment."), "info")
        return redirect(url_for("invoices.show", invoice_id=invoice_id))
    kind = "creditnota" if invoice.kind == "credit_note" else "factuur"
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=f"{kind}-{invoice.number}.pdf",
                     max_age=0)


# --- customers -----------------------------------------------------------------------------------


@bp.get("/customers/")
@requires("invoices.view")
def customers_index():
    return render_template("invoices/customers.html", customers=customers(), **_labels())


def _customer_page(form, customer=None, status: int = 200):
    return render_template("invoices/customer_form.html", form=form, customer=customer), status


def _save_customer(form, customer=None):
    if not form.validate_on_submit():
        return None
    try:
        if customer is None:
            return do_create_customer(**form.values(), actor_id=current_user.id)
        return do_update_customer(customer, **form.values(), actor_id=current_user.id)
    except InvoiceError as error:
        db.session.rollback()
        _show_error(form, error)
        return None


@bp.route("/customers/new", methods=["GET", "POST"])
@requires("customers.write")
def customers_new():
    form = CustomerForm()
    if request.method == "GET":
        form.is_business.data = True
        return _customer_page(form)
    customer = _save_customer(form)
    if customer is None:
        return _customer_page(form, None, 400)
    name = customer.name
    db.session.commit()
    flash(_("%(name)s has been added to the customers.", name=name), "info")
    return redirect(url_for("invoices.customers_index"))


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@requires("customers.write")
def customers_edit(customer_id: int):
    customer = customer_or_none(customer_id)
    if customer is None:
        abort(404)
    if request.method == "GET":
        form = CustomerForm(formdata=None, obj=customer)
        return _customer_page(form, customer)
    form = CustomerForm()
    saved = _save_customer(form, customer)
    if saved is None:
        return _customer_page(form, customer_or_none(customer_id), 400)
    db.session.commit()
    flash(_("The customer's details have been saved. Issued invoices keep the details they were issued with."),
          "info")
    return redirect(url_for("invoices.customers_index"))


# --- settings ------------------------------------------------------------------------------------


def _settings_page(form, status: int = 200):
    today = amsterdam_today()
    return render_template("invoices/settings.html", form=form, year=today.year, turnover=turnover(today.year),
                           limit=kor_limit_on(today), over_limit=kor_warning(today)), status


@bp.route("/settings", methods=["GET", "POST"])
@requires("invoices.write")
def settings():
    current = invoice_settings()
    if request.method == "GET":
        return _settings_page(SettingsForm(formdata=None, obj=current))
    form = SettingsForm()
    if not form.validate_on_submit():
        return _settings_page(form, 400)
    try:
        do_update_invoice_settings(kor=form.kor.data, payment_term_days=form.payment_term_days.data,
                                   reminder_after_days=form.reminder_after_days.data, actor_id=current_user.id)
    except InvoiceError as error:
        db.session.rollback()
        _show_error(form, error)
        return _settings_page(form, 400)
    db.session.commit()
    flash(_("The invoice settings have been saved."), "info")
    return redirect(url_for("invoices.settings"))


# --- reminders -----------------------------------------------------------------------------------


@bp.get("/reminders")
@requires("invoices.view")
def reminders():
    today = amsterdam_today()
    return render_template("invoices/reminders.html", rows=overdue_rows(today), today=today,
                           settings=invoice_settings(), **_labels())


@bp.post("/reminders")
@requires("invoices.write")
def send_reminders():
    reminded, without_email = do_send_reminders(today=amsterdam_today(), actor_id=current_user.id)
    numbers = [i.number for i in without_email]
    db.session.commit()
    if reminded:
        flash(_("%(count)d reminder(s) sent.", count=len(reminded)), "info")
    else:
        flash(_("No invoice is due for a reminder."), "info")
    if numbers:
        flash(_("No email address for the customer of %(numbers)s: remind them another way.",
                numbers=", ".join(numbers)), "warning")
    return redirect(url_for("invoices.reminders"))

