from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from koepel.platform.auth import can, requires
from koepel.platform.dates import amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy.request import tenant_blueprint
from koepel.tenants.members import STAGE_LABELS, Member, member_or_404, register_member_page

from .forms import MeasureForm
from .operations import LadderError, do_measure
from .queries import due_measurements, ladder_chart, measurement_rows, next_measurement
from .rungs import NOTE_MAX, RUNG_LABELS

bp = tenant_blueprint("ladder", __name__, kinds=("cooperative",), url_prefix="/ladder", template_folder="templates")
register_member_page(_l("Participation ladder"), "ladder.member", permission="ladder.view")


def _member_page(member: Member, form: MeasureForm | None = None, status: int = 200):
    return render_template(
        "ladder/member.html",
        member=member,
        stage_label=STAGE_LABELS[member.stage],
        path_chart=ladder_chart(member.id),
        rows=measurement_rows(member.id),
        next_due=next_measurement(member),
        form=form or MeasureForm(measured_on=amsterdam_today()),
        can_measure=can("ladder.measure"),
        rung_labels=RUNG_LABELS,
        note_max=NOTE_MAX,
    ), status


@bp.get("/members/<int:member_id>")
@requires("ladder.view")
def member(member_id: int):
    return _member_page(member_or_404(member_id))


@bp.post("/members/<int:member_id>")
@requires("ladder.measure")
def measure(member_id: int):
    subject = member_or_404(member_id)
    form = MeasureForm()
    if not form.validate_on_submit():
        return _member_page(subject, form, 400)
    try:
        do_measure(subject, rung=form.rung.data, measured_on=form.measured_on.data, note=form.note.data or "",
                   actor_id=current_user.id)
    except LadderError as error:
        db.session.rollback()
        getattr(form, error.field or "rung").errors.append(str(error))
        return _member_page(member_or_404(member_id), form, 400)
    db.session.commit()
    flash(_("The measurement of %(name)s has been saved.", name=subject.name), "info")
    return redirect(url_for("ladder.member", member_id=member_id))


@bp.get("/due")
@requires("ladder.view")
def due():
    return render_template("ladder/due.html", due=due_measurements(), rung_labels=RUNG_LABELS,
                           stage_labels=STAGE_LABELS)
