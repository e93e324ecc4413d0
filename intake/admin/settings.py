"""Admin page for run-time settings (``/admin/settings``).

The settings service stores a change and audits it with its old and new value; this view
commits once.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake.admin import bp
from intake.admin.config_forms import SettingsForm
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.services.settings import EXPORT_FREE_TEXT, all_settings, get_setting, set_setting


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings() -> ResponseReturnValue:
    """Settings an admin may change; each change is audited with its old and new value."""
    form = SettingsForm(data={"export_free_text": get_setting(EXPORT_FREE_TEXT)})
    if form.validate_on_submit():
        if set_setting(EXPORT_FREE_TEXT, bool(form.export_free_text.data), user_id=current_user.id):
            db.session.commit()
            flash("Settings saved.", "success")
        else:
            flash("Nothing changed.", "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, settings=all_settings())
