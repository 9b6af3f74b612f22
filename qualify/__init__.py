"""Qualify: learning and qualification for people whose jobs change with the vehicle industry."""

from flask import Flask

from qualify import models  # noqa: F401  (every model registered before mappers configure)
from qualify.accounts.views import bp as accounts_bp
from qualify.accounts.views import init_login
from qualify.admin.certificates import bp as admin_certificates_bp
from qualify.admin.organisations import bp as admin_organisations_bp
from qualify.admin.people import bp as admin_people_bp
from qualify.admin.views import bp as admin_bp
from qualify.config import PROJECT_ROOT, Config, finalise
from qualify.core import database, errors, i18n, security, serve, templating
from qualify.core.routing import DatabaseIdConverter, LazyBuildRule
from qualify.courses.authoring_views import bp as authoring_bp
from qualify.courses.views import bp as courses_bp
from qualify.exchange.views import bp as exchange_bp
from qualify.extensions import csrf, login_manager
from qualify.home.views import bp as home_bp
from qualify.learning.views import bp as learning_bp
from qualify.privacy.views import bp as privacy_bp
from qualify.reports.views import bp as reports_bp
from qualify.workshops.views import bp as workshops_bp


class QualifyFlask(Flask):
    """Flask, with URL rules whose link builders are compiled when first needed (see LazyBuildRule)."""

    url_rule_class = LazyBuildRule


BLUEPRINTS = (home_bp, accounts_bp, courses_bp, authoring_bp, learning_bp, workshops_bp, exchange_bp,
              reports_bp, privacy_bp, admin_bp, admin_certificates_bp, admin_people_bp,
              admin_organisations_bp)


def create_app(test_config: dict | None = None) -> Flask:
    """Create the web application: configuration, extensions, blueprints."""
    config = Config()
    app = QualifyFlask(__name__, instance_path=str(config.INSTANCE_PATH),
                template_folder=str(PROJECT_ROOT / "templates"), static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_object(config)
    app.config.update(test_config or {})
    finalise(app.config)

    database.init_app(app)
    database.init_migrations(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_login(login_manager)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    serve.init_app(app)
    app.url_map.converters["int"] = DatabaseIdConverter
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
