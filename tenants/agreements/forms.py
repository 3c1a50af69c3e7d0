"""The agreement forms: the terms of a version (with a partner for a first one), and the
decisions on a proposal. The form reads what people type (Dutch amounts "1.234,56",
percentages "12,5"); whether the terms can be agreed is the operation's check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from koepel.platform.http.forms import options
from koepel.platform.money import Money, MoneyError

from .models import NOTES_MAX, REASON_MAX
from .terms import Terms, format_hours, format_percent, parse_hours, parse_percent

TOO_LONG = _l("Use at most %(max)d characters.")

SHARE_KIND_LABELS = {
    "percentage": _l("A percentage of each payment"),
    "flat_per_member": _l("A flat amount per member per month"),
    "none": _l("No share"),
}
CATEGORY_LABELS = {
    "tools": _l("Tools"),
    "materials": _l("Materials"),
    "training": _l("Training"),
    "equipment": _l("Equipment"),
    "transport": _l("Transport"),
    "other": _l("Other business costs"),
}
LEAVING_LABELS = {
    "spend_on_business": _l("Spent on the member's own business"),
    "keep_for_period": _l("Kept for the member for a period"),
    "return": _l("Returned to the municipality"),
}
INCOME_LABELS = {
    "none": _l("Nothing: the savings pot is not paid out as income"),
    "pot": _l("What goes to the member's savings pot"),
    "net": _l("Everything the member earns (excluding VAT)"),
}


def money_text(value: Money | None) -> str:
    """An amount as typed in a form: '1.234,56' (no euro sign)."""
    return "" if value is None else value.format().replace("€ ", "")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _parsed_money(field) -> Money:
    text = (field.data or "").strip()
    if not text:
        return Money(0)
    try:
        return Money.parse(text)
    except MoneyError:
        raise ValidationError(_l("Enter an amount in euros, like 1.234,56.")) from None


def _parsed_percent(field) -> int:
    text = (field.data or "").strip()
    if not text:
        return 0
    try:
        return parse_percent(text)
    except ValueError:
        raise ValidationError(_l("Enter a percentage like 12,5 (at most two decimals).")) from None


class TermsForm(FlaskForm):
    valid_from = DateField(_l("Valid from"), format="%Y-%m-%d",
                           validators=[InputRequired(_l("Enter the date from which this version applies."))])
    cooperative_share_kind = RadioField(_l("The cooperative's share"), choices=options(SHARE_KIND_LABELS.items()),
                                        validators=[DataRequired(_l("Choose how the cooperative's share is "
                                                                    "calculated."))])
    cooperative_share = StringField(_l("Share of each payment (%)"))
    cooperative_flat = StringField(_l("Amount per member per month (€)"))
    training_pot_share = StringField(_l("Share for the training pot (%)"))
    municipality_share = StringField(_l("Share for the municipality (%)"))
    municipality_threshold = StringField(_l("Monthly threshold for the municipality's share (€)"))
    pot_categories = MultiCheckboxField(_l("The savings pot may be spent on"), choices=options(CATEGORY_LABELS.items()),
                                        validate_choice=False)
    pot_on_leaving = RadioField(_l("When a member leaves, the savings pot is"), choices=options(LEAVING_LABELS.items()),
                                validators=[DataRequired(_l("Choose what happens to the savings pot when a member "
                                                            "leaves."))])
    keep_months = StringField(_l("Kept for (months)"))
    income_for_benefit = RadioField(_l("Counts as income for the benefit in the monthly settlement"),
                                    choices=options(INCOME_LABELS.items()), default="none",
                                    validators=[DataRequired(_l("Choose what counts as income for the benefit."))])
    exempt_from_job_applications = BooleanField(_l("Members are exempt from applying for jobs"))
    exempt_from_reintegration = BooleanField(_l("Members are exempt from other re-integration duties"))
    coordination_hours = StringField(_l("Coordination hours funded per month"))
    housing_contribution = StringField(_l("Housing contribution per month (€)"))
    notes = TextAreaField(_l("Notes (optional)"), validators=[Optional(), Length(max=NOTES_MAX, message=TOO_LONG)])

    def validate_cooperative_share(self, field):
        if self.cooperative_share_kind.data == "percentage":
            if not (field.data or "").strip():
                raise ValidationError(_l("Enter the cooperative's share as a percentage."))
            _parsed_percent(field)

    def validate_cooperative_flat(self, field):
        if self.cooperative_share_kind.data == "flat_per_member":
            if not (field.data or "").strip():
                raise ValidationError(_l("Enter the amount per member per month."))
            _parsed_money(field)

    def validate_training_pot_share(self, field):
        _parsed_percent(field)

    def validate_municipality_share(self, field):
        _parsed_percent(field)

    def validate_municipality_threshold(self, field):
        _parsed_money(field)

    def validate_keep_months(self, field):
        if self.pot_on_leaving.data == "keep_for_period" and not (field.data or "").strip().isdigit():
            raise ValidationError(_l("Enter for how many months the pot is kept, in whole months."))

    def validate_coordination_hours(self, field):
        if (field.data or "").strip():
            try:
                parse_hours(field.data)
            except ValueError:
                raise ValidationError(_l("Enter a number of hours, like 16 or 7,5.")) from None

    def validate_housing_contribution(self, field):
        _parsed_money(field)

    def terms(self) -> Terms:
        """The terms as entered (call after a successful validate)."""
        kind = self.cooperative_share_kind.data
        leaving = self.pot_on_leaving.data
        hours = (self.coordination_hours.data or "").strip()
        return Terms(
            cooperative_share_kind=kind,
            cooperative_share_bp=_parsed_percent(self.cooperative_share) if kind == "percentage" else None,
            cooperative_flat=_parsed_money(self.cooperative_flat) if kind == "flat_per_member" else None,
            training_pot_bp=_parsed_percent(self.training_pot_share),
            municipality_share_bp=_parsed_percent(self.municipality_share),
            municipality_threshold=_parsed_money(self.municipality_threshold),
            pot_categories=tuple(self.pot_categories.data or ()),
            pot_on_leaving=leaving,
            keep_months=int(self.keep_months.data.strip()) if leaving == "keep_for_period" else None,
            income_for_benefit=self.income_for_benefit.data,
            exempt_from_job_applications=bool(self.exempt_from_job_applications.data),
            exempt_from_reintegration=bool(self.exempt_from_reintegration.data),
            coordination_hours_per_month=parse_hours(hours) if hours else Decimal(0),
            housing_contribution=_parsed_money(self.housing_contribution),
            notes=self.notes.data or "",
        )

    def fill(self, terms: Terms, valid_from: date) -> None:
        """Prefill the form (a GET) with `terms` and a start date."""
        self.valid_from.data = valid_from
        self.cooperative_share_kind.data = terms.cooperative_share_kind
        self.cooperative_share.data = format_percent(terms.cooperative_share_bp).rstrip("%")
        self.cooperative_flat.data = money_text(terms.cooperative_flat)
        self.training_pot_share.data = format_percent(terms.training_pot_bp).rstrip("%")
        self.municipality_share.data = format_percent(terms.municipality_share_bp).rstrip("%")
        self.municipality_threshold.data = money_text(terms.municipality_threshold)
        self.pot_categories.data = list(terms.pot_categories)
        self.pot_on_leaving.data = terms.pot_on_leaving
        self.keep_months.data = str(terms.keep_months) if terms.keep_months else ""
        self.income_for_benefit.data = terms.income_for_benefit
        self.exempt_from_job_applications.data = terms.exempt_from_job_applications
        self.exempt_from_reintegration.data = terms.exempt_from_reintegration
        self.coordination_hours.data = format_hours(terms.coordination_hours_per_month)
        self.housing_contribution.data = money_text(terms.housing_contribution)
        self.notes.data = terms.notes


class NewAgreementForm(TermsForm):
    partner_tenant_id = SelectField(_l("Partner"), validate_choice=False,
                                    validators=[DataRequired(_l("Choose the partner of the agreement."))])

    def set_partners(self, partners, kind: str) -> None:
        self.partner_tenant_id.label.text = _l("Municipality") if kind == "cooperative" else _l("Cooperative")
        first = _l("Choose a municipality") if kind == "cooperative" else _l("Choose a cooperative")
        self.partner_tenant_id.choices = options([("", first)] + [(str(t.id), t.name) for t in partners])

    def partner_id(self) -> int | None:
        value = (self.partner_tenant_id.data or "").strip()
        return int(value) if value.isdigit() else None


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Why do you reject this version? Both sides see the reason."), validators=[
        DataRequired(_l("Tell the other side why you reject this version.")), Length(max=REASON_MAX, message=TOO_LONG)])


class DecideForm(FlaskForm):
    """Accepting and withdrawing take no fields: the CSRF token only."""
