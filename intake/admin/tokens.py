"""Admin page for API tokens (``/admin/tokens``): create one (shown once), list, revoke.

The service adds the token and its audit event; this view commits both in one transaction.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from intake.admin import bp
from intake.admin.config_forms import TokenCreateForm, TokenRevokeForm
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import ApiToken
from intake.services.api_tokens import TokenError, create_token, revoke_token


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
    if not form.scopes():
        form.scope_intakes_write.errors = ["Tick at least one thing the token may do."]
        return _tokens_page(form, status=422)
    try:
        token = create_token(form.name.data, form.scopes())
    except TokenError as exc:
        db.session.rollback()
        form.name.errors = [str(exc).capitalize() + "."]
        return _tokens_page(form, status=422)
    db.session.commit()
    return _tokens_page(TokenCreateForm(formdata=None), new_token=token)


@bp.post("/tokens/revoke")
@role_required("admin")
def revoke_api_token() -> ResponseReturnValue:
    """Revoke a token by name; requests with it get 401 from then on."""
    form = TokenRevokeForm()
    if not form.validate_on_submit():
        flash("Choose a token to revoke.", "error")
        return redirect(url_for("admin.tokens"))
    try:
        revoke_token(form.name.data)
    except TokenError as exc:
        db.session.rollback()
        flash(str(exc).capitalize() + ".", "error")
        return redirect(url_for("admin.tokens"))
    db.session.commit()
    flash(f"Token “{form.name.data}” revoked.", "success")
    return redirect(url_for("admin.tokens"))
