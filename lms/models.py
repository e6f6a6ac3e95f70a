"""Imports every model module so the metadata (and Alembic) sees all tables."""

from lms import jobs  # noqa: F401
from lms.admin import models as admin_models  # noqa: F401
from lms.audit import models as audit_models  # noqa: F401
from lms.auth import models as auth_models  # noqa: F401
from lms.catalog import models as catalog_models  # noqa: F401
from lms.certificates import models as certificate_models  # noqa: F401
from lms.dashboards import models as dashboard_models  # noqa: F401
from lms.enrolments import models as enrolment_models  # noqa: F401
from lms.evaluations import models as evaluation_models  # noqa: F401
from lms.learning import models as learning_models  # noqa: F401
from lms.provider import models as provider_models  # noqa: F401
from lms.quizzes import models as quiz_models  # noqa: F401
from lms.video import models as video_models  # noqa: F401
