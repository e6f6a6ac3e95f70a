"""The audit log: who did what to which record, and when. Written once, never changed.

The blueprint lives in `views.py`, so importing the models never pulls in the views.
"""
