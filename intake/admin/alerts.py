"""Admin page for alerts (``/admin/alerts``): the on-call tiers in order, each with its
recipients and escalation interval, a test alert per tier, and the delivery log.

Every change goes through ``services.alerts`` (which audits it) and is committed here, once.
The tier or recipient a button acts on is posted beside its form (``tier_id``,
``recipient_id``), so no URL carries an id; each tier's forms have their own field prefix.
No page shows a webhook secret after it is saved, nor any patient data: the log names events,
tiers, channels, addresses, outcomes and times.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import SelectChoice

from intake.admin import bp
from intake.admin.config_forms import ActionForm, RecipientForm, TierForm
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import AlertRecipient, AlertTier, User
from intake.services import alerts

#: How the delivery log names each event.
EVENT_LABELS = {
    "urgent_submission": "Urgent submission",
    "urgent_unacknowledged": "Not acknowledged: escalated",
    "daily_digest": "Daily digest",
    "test": "Test alert",
    "urgent_checkin": "Urgent check-in",
    "urgent_checkin_unacknowledged": "Check-in not acknowledged: escalated",
    "checkin_invitation": "Check-in invitation (to the patient)",
    "checkin_reminder": "Check-in reminder (to the patient)",
}
STATUS_LABELS = {
    "pending": "Waiting",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed (gave up)",
}


def _prefix(tier: AlertTier) -> str:
    return f"tier{tier.id}-"


def _recipient_form(tier: AlertTier, formdata: Any = None) -> RecipientForm:
    form = RecipientForm(formdata=formdata, prefix=_prefix(tier) + "add-")
    accounts = db.session.scalars(
        sa.select(User).where(User.disabled.is_(False)).order_by(User.email)
    )
    form.account.choices = [
        SelectChoice("", "Choose an account"),
        *(SelectChoice(str(u.id), u.email) for u in accounts),
    ]
    return form


def _page(
    *,
    new_tier: TierForm | None = None,
    posted: tuple[int, str, Any] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The page; ``posted`` is (tier id, "edit" or "add", the form that was refused)."""
    tiers = list(db.session.scalars(sa.select(AlertTier).order_by(AlertTier.position)))
    sections = []
    refused = []
    for tier in tiers:
        edit = TierForm(
            formdata=None,
            prefix=_prefix(tier),
            data={"name": tier.name, "minutes": tier.escalate_after_minutes},
        )
        add = _recipient_form(tier, formdata=None)
        if posted is not None and posted[0] == tier.id:
            if posted[1] == "edit":
                edit = posted[2]
            else:
                add = posted[2]
            refused.append(posted[2])
        sections.append({"tier": tier, "edit": edit, "add": add})
    new_tier = new_tier or TierForm(formdata=None, prefix="new-")
    if new_tier.errors:
        refused.append(new_tier)
    return (
        render_template(
            "admin/alerts.html",
            sections=sections,
            new_tier=new_tier,
            refused=refused,
            action=ActionForm(),
            deliveries=alerts.delivery_log(),
            event_labels=EVENT_LABELS,
            status_labels=STATUS_LABELS,
        ),
        status,
    )


def _posted_tier() -> AlertTier | None:
    raw = request.form.get("tier_id", "")
    return db.session.get(AlertTier, int(raw)) if raw.isdigit() else None


@bp.get("/alerts")
@role_required("admin")
def alerts_page() -> ResponseReturnValue:
    """The on-call tiers, their recipients and the latest deliveries."""
    return _page()


@bp.post("/alerts")
@role_required("admin")
def add_alert_tier() -> ResponseReturnValue:
    form = TierForm(prefix="new-")
    if not form.validate_on_submit():
        return _page(new_tier=form, status=422)
    tier = alerts.add_tier(form.name.data or "", form.minutes.data or 0, by=current_user)
    db.session.commit()
    flash(f"Tier {tier.position} “{tier.name}” added.", "success")
    return redirect(url_for("admin.alerts_page"))


@bp.post("/alerts/tier")
@role_required("admin")
def edit_alert_tier() -> ResponseReturnValue:
    tier = _posted_tier()
    if tier is None:
        flash("That tier no longer exists.", "error")
        return redirect(url_for("admin.alerts_page"))
    form = TierForm(prefix=_prefix(tier))
    if not form.validate_on_submit():
        return _page(posted=(tier.id, "edit", form), status=422)
    alerts.update_tier(tier, form.name.data or "", form.minutes.data or 0, by=current_user)
    db.session.commit()
    flash(f"Tier {tier.position} saved.", "success")
    return redirect(url_for("admin.alerts_page"))


@bp.post("/alerts/tier/remove")
@role_required("admin")
def remove_alert_tier() -> ResponseReturnValue:
    tier = _posted_tier()
    if tier is None or not ActionForm().validate_on_submit():
        flash("Choose a tier to remove.", "error")
        return redirect(url_for("admin.alerts_page"))
    name = tier.name
    alerts.remove_tier(tier, by=current_user)
    db.session.commit()
    flash(f"Tier “{name}” removed.", "success")
    return redirect(url_for("admin.alerts_page"))


@bp.post("/alerts/recipient")
@role_required("admin")
def add_alert_recipient() -> ResponseReturnValue:
    tier = _posted_tier()
    if tier is None:
        flash("That tier no longer exists.", "error")
        return redirect(url_for("admin.alerts_page"))
    form = _recipient_form(tier, formdata=request.form)
    if not form.validate_on_submit():
        return _page(posted=(tier.id, "add", form), status=422)
    kind = form.kind.data
    try:
        if kind == "account":
            raw = form.account.data or ""
            user = db.session.get(User, int(raw)) if raw.isdigit() else None
            if user is None:
                abort(400)
            alerts.add_recipient(tier, channel="email", user=user, by=current_user)
        elif kind == "email":
            alerts.add_recipient(tier, channel="email", email=form.email.data, by=current_user)
        else:
            alerts.add_recipient(
                tier,
                channel="webhook",
                webhook_url=form.webhook_url.data,
                webhook_secret=form.webhook_secret.data,
                by=current_user,
            )
    except alerts.AlertError as exc:
        db.session.rollback()
        field = form.webhook_url if kind == "webhook" else form.email
        field.errors = [*field.errors, str(exc)]
        return _page(posted=(tier.id, "add", form), status=422)
    db.session.commit()
    flash(f"Recipient added to tier {tier.position}.", "success")
    return redirect(url_for("admin.alerts_page"))


@bp.post("/alerts/recipient/remove")
@role_required("admin")
def remove_alert_recipient() -> ResponseReturnValue:
    raw = request.form.get("recipient_id", "")
    recipient = db.session.get(AlertRecipient, int(raw)) if raw.isdigit() else None
    if recipient is None or not ActionForm().validate_on_submit():
        flash("Choose a recipient to remove.", "error")
        return redirect(url_for("admin.alerts_page"))
    alerts.remove_recipient(recipient, by=current_user)
    db.session.commit()
    flash("Recipient removed.", "success")
    return redirect(url_for("admin.alerts_page"))


@bp.post("/alerts/test")
@role_required("admin")
def send_test_alert() -> ResponseReturnValue:
    tier = _posted_tier()
    if tier is None or not ActionForm().validate_on_submit():
        flash("Choose a tier to test.", "error")
        return redirect(url_for("admin.alerts_page"))
    alert = alerts.send_test(tier, by=current_user)
    db.session.commit()
    count = len(alert.deliveries)
    if count:
        flash(
            f"Test alert queued for {count} recipient{'s' if count != 1 else ''} of tier "
            f"{tier.position}; the delivery log below shows when it is sent.",
            "success",
        )
    else:
        flash(f"Tier {tier.position} has no recipients: nothing was sent.", "error")
    return redirect(url_for("admin.alerts_page"))
