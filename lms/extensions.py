"""Flask extensions, created unbound and initialised in `create_app`."""

from flask import current_app
from flask_bootstrap import Bootstrap5
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from lms.connections import Session
from lms.db import Base

# Objects stay loaded after commit: a view that commits and then renders does not reload
# everything it already has (each request has its own session, so nothing goes stale).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False, "class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _rate_limits_off() -> bool:
    # The Limiter keeps RATELIMIT_ENABLED on itself, so with several apps in one process
    # (the test suite) the last one configured would decide for all; each app's own setting
    # is read here instead (create_app leaves the Limiter itself always enabled).
    return not current_app.config.get("RATELIMIT_ENABLED", True)


cache = Cache()
