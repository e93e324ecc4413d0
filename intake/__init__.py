"""The intake application factory.

Only wiring lives here: configuration, extensions, blueprints, error handlers and commands.
Importing this package imports nothing, not even Flask, so the Flask-free parts
(``intake.rules``, ``intake.answers``, ``intake.vocabulary``, ``intake.text``) can be used
without the web stack; ``flask evaluate`` is a plugin command (see pyproject.toml) that loads
``intake.rules_cli`` without ever calling ``create_app``, and everything heavy (Flask,
configuration, SQLAlchemy, Alembic, the extensions) is imported inside ``create_app``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from config import Config


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build and configure a Flask application.

    Without ``config_class`` the configuration is read from the environment now, at creation
    (``INTAKE_ENV`` and the ``INTAKE_*`` variables). Either way it is checked first: production
    raises ``config.ConfigError`` listing every unsafe setting before anything is bound.
    """
    from flask import Flask

    from config import config_from_env

    config_class = config_class or config_from_env()
    config_class.check()
    _log_production_warnings(config_class)
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    _bound_database_waits(app)
    _trust_proxies(app)
    register_extensions(app)
    register_i18n(app)
    register_worker(app)
    register_security(app)
    register_blueprints(app)
    register_template_filters(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind every extension to this app."""
    from intake import models  # noqa: F401 - registers the tables with the metadata
    from intake.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_project_root() / "migrations"), compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def register_i18n(app: Flask) -> None:
    """The patient side in English or Spanish (Flask-Babel, gettext catalogues in
    ``intake/translations``); staff pages stay English (``intake.patient.language``)."""
    from intake.patient.language import init_app

    init_app(app)


def register_worker(app: Flask) -> None:
    """The alert worker's queue and tasks; each commit's new alert deliveries are enqueued."""
    from intake.worker import init_app

    init_app(app)


def register_security(app: Flask) -> None:
    """Strict, private response headers on every response; ids in URLs the database can hold."""
    from intake.security import register

    register(app)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per audience."""
    from intake.admin import bp as admin_bp
    from intake.api import bp as api_bp
    from intake.auth import bp as auth_bp
    from intake.clinician import bp as clinician_bp
    from intake.health import bp as health_bp
    from intake.patient import bp as patient_bp
    from intake.staff import bp as staff_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(patient_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(clinician_bp)


def register_template_filters(app: Flask) -> None:
    """Filters every audience's templates use: ``{{ code|label("coverage_types") }}`` (and
    ``labels("coverage_types")[code]`` in long lists); ``{{ s.submitted_at|local_time }}``
    (``2026-12-02 09:15 EST``, the clinic's zone; ``local_time(seconds=True)``) and
    ``|local_date``; ``|sentence`` and ``|full_stop`` (a text ended once, intake.sentences);
    ``clinic`` (the clinic's profile, read once per request when a page uses
    it) and ``clinic_now`` (open now, or when it opens next)."""
    from werkzeug.local import LocalProxy

    from intake.forms.html import radio_items
    from intake.pages import comes_after, label, labels
    from intake.sentences import full_stop, sentence
    from intake.services.settings import clinic_availability, clinic_profile, local_date, local_time
    from intake.services.summary import missing_steps, person

    app.add_template_filter(label, "label")
    app.add_template_global(radio_items, "radio_items")
    app.add_template_global(missing_steps, "missing_steps")
    app.add_template_global(person, "person")
    app.add_template_global(labels, "labels")
    app.add_template_filter(comes_after, "comes_after")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(sentence, "sentence")
    app.add_template_filter(full_stop, "full_stop")
    shared = {"clinic": LocalProxy(clinic_profile), "clinic_now": LocalProxy(clinic_availability)}
    app.context_processor(lambda: shared)


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages for people, JSON errors for the API."""
    from intake.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """Attach the ``flask --app intake …`` commands."""
    from intake.cli import register

    register(app)


def _log_production_warnings(config_class: type[Config]) -> None:
    """Settings production starts with but should not keep (no alert link, no SMTP)."""
    import logging

    from config import ProductionConfig, production_warnings

    if issubclass(config_class, ProductionConfig):
        for warning in production_warnings(config_class):
            logging.getLogger("intake").warning("%s", warning)


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` reverse proxies, take the client's address and scheme from their
    X-Forwarded-* headers, so rate limits and the audit log see people, not the proxy."""
    count = app.config["PROXY_COUNT"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def _bound_database_waits(app: Flask) -> None:
    """On PostgreSQL, give up connecting after a few seconds: an unreachable server is then a
    503 the client can retry, not a worker hanging until gunicorn kills it."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _ensure_sqlite_folder(uri: str) -> None:
    """Create the folder of a file-based SQLite database (the instance folder by default)."""
    prefix = "sqlite:///"
    if uri.startswith(prefix) and len(uri) > len(prefix):
        Path(uri[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)
