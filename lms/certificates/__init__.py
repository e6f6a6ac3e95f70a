"""CE credit per course, certificates (issue, verify, revoke, reissue), transcripts, reports.

The blueprint lives in `views.py` (which loads the admin and CE-settings views), so the
completion engine can read this package's models without importing any view.
"""
