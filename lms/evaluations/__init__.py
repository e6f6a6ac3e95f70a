"""Course evaluations: the survey every learner submits before the certificate.

The blueprint lives in `views.py`: the completion engine reads `status.py`, and importing
this package must not pull in views that use the completion engine.
"""
