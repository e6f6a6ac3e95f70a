"""Quiz routes, split by who uses them: authoring, taking, analysis.

Importing them also registers the quiz sections of the course dashboards.
"""

from lms.quizzes import dashboard  # noqa: F401
from lms.quizzes.views import analysis, authoring, taking  # noqa: F401
