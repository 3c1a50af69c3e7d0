"""The placement pages of an employer cooperative: placements (list, new, change, end),
the employers and the participants, and retention.

Thin handlers: load through the `*_or_404` lookups (who sees what), validate the form,
call an operation, commit once, redirect with a message. Bad input shows the page again
with the messages at their fields (status 400) and changes nothing.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koepel.platform.auth import can, requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.http.charts import bar_chart
from koepel.platform.tenancy.request import tenant_blueprint

from .forms import (
    STATUS_CHOICES,
    EmployerForm,
    EndForm,
    ParticipantForm,
    PlacementForm,
    status_filter,
)
from .models import Placement
from .operations import (
    do_add_employer,
    do_add_participant,
    do_end_placement,
    do_start_placement,
    do_update_employer,
    do_update_participant,
    do_update_placement,
    employer_accounts,
)
from .queries import (
    all_placements,
    employer_choices,
    employer_lines,
    employer_or_404,
    municipalities,
    participant_choices,
    participant_lines,
    participant_or_404,
    placement_lines,
    placement_or_404,
)
from .rules import (
    END_REASON_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    PlacementError,
    retention,
    retention_by_start_year,
)

bp = tenant_blueprint("placements", __name__, kinds=("employer_cooperative",), url_prefix="/placements",
                      template_folder="templates")


def _show_error(form, error: PlacementError, fallback: str) -> None:
    field = getattr(form, error.field or "", None)
    (field if field is not None else getattr(form, fallback)).errors.append(str(error))


def _labels() -> dict:
    return {"kind_labels": KIND_LABELS, "reason_labels": END_REASON_LABELS, "status_labels": STATUS_LABELS}


# --- placements -----------------------------------------------------------------------------

@bp.get("")
@requires("placements.view")
def index():
    status = status_filter(request.args.get("status"))
    raw_employer = request.args.get("employer", "")
    employer_id = int(raw_employer) if raw_employer.isdigit() else None
    return render_template(
        "placements/index.html", lines=placement_lines(status=status, employer_id=employer_id),
        status=status, employer_id=employer_id, employers=employer_choices(), status_choices=STATUS_CHOICES,
        can_write=can("placements.write"), can_see_retention=can("placements.retention"), **_labels(),
    )


def _form_page(form: PlacementForm, placement: Placement | None = None, status: int = 200):
    return render_template("placements/form.html", form=form, placement=placement), status


@bp.route("/new", methods=["GET", "POST"])
@requires("placements.write")
def new():
    choices = {"participants": participant_choices(), "employers": employer_choices()}
    preset = request.args.get("participant", "")
    form = PlacementForm(**choices, participant_id=preset if preset.isdigit() else "")
    if request.method == "GET":
        return _form_page(form)
    if not form.validate_on_submit():
        return _form_page(form, status=400)
    try:
        placement = do_start_placement(**form.values(), actor_id=current_user.id)
    except PlacementError as error:
        db.session.rollback()
        _show_error(form, error, "participant_id")
        return _form_page(form, status=400)
    db.session.commit()
    flash(_("The placement has been saved."), "info")
    return redirect(url_for("placements.show", placement_id=placement.id))


def _show(placement: Placement, *, end_form: EndForm | None = None, status: int = 200):
    return render_template(
        "placements/show.html", placement=placement,
        participant=participant_or_404(placement.participant_id), employer=employer_or_404(placement.employer_id),
        end_form=end_form or EndForm(formdata=None, end_date=amsterdam_today()),
        can_write=can("placements.write"), **_labels(),
    ), status


@bp.get("/<int:placement_id>")
@requires("placements.view")
def show(placement_id: int):
    return _show(placement_or_404(placement_id))


@bp.route("/<int:placement_id>/edit", methods=["GET", "POST"])
@requires("placements.write")
def edit(placement_id: int):
    placement = placement_or_404(placement_id)
    choices = {"participants": participant_choices(), "employers": employer_choices()}
    if request.method == "GET":
        return _form_page(PlacementForm.of(placement, **choices), placement)
    form = PlacementForm(**choices)
    if not form.validate_on_submit():
        return _form_page(form, placement, 400)
    try:
        do_update_placement(placement, **form.values(), actor_id=current_user.id)
    except PlacementError as error:
        db.session.rollback()
        _show_error(form, error, "participant_id")
        return _form_page(form, placement_or_404(placement_id), 400)
    db.session.commit()
    flash(_("The placement has been saved."), "info")
    return redirect(url_for("placements.show", placement_id=placement_id))


@bp.post("/<int:placement_id>/end")
@requires("placements.write")
def end(placement_id: int):
    placement = placement_or_404(placement_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            do_end_placement(placement, **form.values(), actor_id=current_user.id)
        except PlacementError as error:
            db.session.rollback()
            _show_error(form, error, "end_date")
        else:
            db.session.commit()
            flash(_("The end of the placement has been recorded."), "info")
            return redirect(url_for("placements.show", placement_id=placement_id))
    return _show(placement_or_404(placement_id), end_form=form, status=400)


# --- employers ------------------------------------------------------------------------------

def _employers_page(form: EmployerForm | None, status: int = 200):
    return render_template("placements/employers.html", lines=employer_lines(), form=form,
                           can_write=can("placements.write")), status


@bp.get("/employers")
@requires("placements.view")
def employers():
    return _employers_page(EmployerForm(accounts=employer_accounts()) if can("placements.write") else None)


@bp.post("/employers/add")
@requires("placements.write")
def employer_add():
    form = EmployerForm(accounts=employer_accounts())
    if not form.validate_on_submit():
        return _employers_page(form, 400)
    try:
        employer = do_add_employer(**form.values(), actor_id=current_user.id)
    except PlacementError as error:
        db.session.rollback()
        _show_error(form, error, "name")
        return _employers_page(form, 400)
    db.session.commit()
    flash(_("The employer “%(name)s” has been added.", name=employer.name), "info")
    return redirect(url_for("placements.employers"))


@bp.route("/employers/<int:employer_id>/edit", methods=["GET", "POST"])
@requires("placements.write")
def employer_edit(employer_id: int):
    employer = employer_or_404(employer_id)
    accounts = employer_accounts()
    if request.method == "GET":
        form = EmployerForm.of(employer, accounts=accounts)
        return render_template("placements/employer_form.html", form=form, employer=employer)
    form = EmployerForm(accounts=accounts)
    if form.validate_on_submit():
        try:
            do_update_employer(employer, **form.values(), actor_id=current_user.id)
        except PlacementError as error:
            db.session.rollback()
            _show_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The employer has been saved."), "info")
            return redirect(url_for("placements.employers"))
    return render_template("placements/employer_form.html", form=form, employer=employer_or_404(employer_id)), 400


# --- participants ---------------------------------------------------------------------------

def _participants_page(form: ParticipantForm | None, status: int = 200):
    return render_template("placements/participants.html", lines=participant_lines(), form=form,
                           can_write=can("placements.write")), status


@bp.get("/participants")
@requires("placements.view")
def participants():
    return _participants_page(ParticipantForm(municipalities=municipalities()) if can("placements.write") else None)


@bp.post("/participants/add")
@requires("placements.write")
def participant_add():
    form = ParticipantForm(municipalities=municipalities())
    if not form.validate_on_submit():
        return _participants_page(form, 400)
    try:
        participant = do_add_participant(**form.values(), actor_id=current_user.id)
    except PlacementError as error:
        db.session.rollback()
        _show_error(form, error, "name")
        return _participants_page(form, 400)
    db.session.commit()
    flash(_("The participant has been registered."), "info")
    return redirect(url_for("placements.participant", participant_id=participant.id))


@bp.get("/participants/<int:participant_id>")
@requires("placements.view")
def participant(participant_id: int):
    person = participant_or_404(participant_id)
    return render_template("placements/participant.html", participant=person,
                           municipality=dict(municipalities()).get(person.benefit_municipality_id),
                           lines=placement_lines(participant_id=person.id), can_write=can("placements.write"),
                           **_labels())


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@requires("placements.write")
def participant_edit(participant_id: int):
    person = participant_or_404(participant_id)
    options = municipalities()
    if request.method == "GET":
        return render_template("placements/participant_form.html", participant=person,
                               form=ParticipantForm.of(person, municipalities=options))
    form = ParticipantForm(municipalities=options)
    if form.validate_on_submit():
        try:
            do_update_participant(person, **form.values(), actor_id=current_user.id)
        except PlacementError as error:
            db.session.rollback()
            _show_error(form, error, "name")
        else:
            db.session.commit()
            flash(_("The participant has been saved."), "info")
            return redirect(url_for("placements.participant", participant_id=participant_id))
    return render_template("placements/participant_form.html", participant=participant_or_404(participant_id),
                           form=form), 400


# --- retention ------------------------------------------------------------------------------

@bp.get("/retention")
@requires("placements.retention")
def retention_page():
    today = amsterdam_today()
    placements = all_placements()
    by_year = retention_by_start_year(placements, today)
    charts = {
        months: bar_chart(
            [(str(year), round(100 * figures[months].share)) for year, figures in by_year.items()
             if figures[months].reached],
            title=_("Share of placements that lasted %(months)s months, by start year (%%)", months=months),
        )
        for months in (6, 12)
    }
    return render_template("placements/retention.html", today=today, total=retention(placements, today),
                           by_year=by_year, charts=charts)
