from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class UploadForm(FlaskForm):
    file = FileField(_l("File with members (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file."))])
