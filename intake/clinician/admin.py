"""Admin pages: API tokens (create, show once, revoke) and run-time settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from intake.admin.views import ADMIN_SECTIONS
from intake.auth.decorators import role_required
from intake.clinician import admin_bp as bp
from intake.clinician.forms import SettingsForm, TokenCreateForm, TokenRevokeForm
from intake.extensions import db
from intake.models import ApiToken
from intake.services import audit
from intake.services.api_tokens import TokenError, create_token, revoke_token
from intake.services.settings import EXPORT_FREE_TEXT, all_settings, get_setting, set_setting

ADMIN_SECTIONS.extend(
    [("admin_config.tokens", "API tokens"), ("admin_config.settings", "Settings")]
)


def _tokens_page(
    form: TokenCreateForm, *, new_token: str | None = None, status: int = 200
) -> ResponseReturnValue:
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc()))
    return (
        render_template(
            "admin/tokens.html",
            form=form,
            revoke_form=TokenRevokeForm(),
            tokens=list(tokens),
            new_token=new_token,
        ),
        status,
    )


@bp.get("/tokens")
@role_required("admin")
def tokens() -> ResponseReturnValue:
    """Every API token, when it was created and whether it is revoked."""
    return _tokens_page(TokenCreateForm())


@bp.post("/tokens")
@role_required("admin")
def create_api_token() -> ResponseReturnValue:
    """Create a token and show it on this response only; it is never shown again."""
    form = TokenCreateForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=422)
    name = form.name.data.strip()
    try:
        token = create_token(name)
    except TokenError as exc:
        db.session.rollback()
        form.name.errors = [str(exc).capitalize() + "."]
        return _tokens_page(form, status=422)
    audit.record("token_created", detail={"name": name})
    db.session.commit()
    return _tokens_page(TokenCreateForm(formdata=None), new_token=token)


@bp.post("/tokens/revoke")
@role_required("admin")
def revoke_api_token() -> ResponseReturnValue:
    """Revoke a token by name; requests with it get 401 from then on."""
    form = TokenRevokeForm()
    if not form.validate_on_submit():
        flash("Choose a token to revoke.", "error")
        return redirect(url_for("admin_config.tokens"))
    try:
        revoke_token(form.name.data)
    except TokenError as exc:
        db.session.rollback()
        flash(str(exc).capitalize() + ".", "error")
        return redirect(url_for("admin_config.tokens"))
    audit.record("token_revoked", detail={"name": form.name.data})
    db.session.commit()
    flash(f"Token “{form.name.data}” revoked.", "success")
    return redirect(url_for("admin_config.tokens"))


@bp.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings() -> ResponseReturnValue:
    """Settings an admin may change; each change is audited with its old and new value."""
    form = SettingsForm(data={"export_free_text": get_setting(EXPORT_FREE_TEXT)})
    if form.validate_on_submit():
        value = bool(form.export_free_text.data)
        before = get_setting(EXPORT_FREE_TEXT)
        if set_setting(EXPORT_FREE_TEXT, value, user_id=current_user.id):
            audit.record(
                "setting_changed",
                detail={"key": EXPORT_FREE_TEXT, "from": before, "to": value},
            )
            db.session.commit()
            flash("Settings saved.", "success")
        else:
            flash("Nothing changed.", "success")
        return redirect(url_for("admin_config.settings"))
    return render_template("admin/settings.html", form=form, settings=all_settings())
