"""Consistent export and import of every record needed for CE audits."""
