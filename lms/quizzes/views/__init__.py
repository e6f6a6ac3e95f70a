"""Quiz routes, split by who uses them: authoring, taking, analysis."""

from lms.quizzes.views import analysis, authoring, taking  # noqa: F401
