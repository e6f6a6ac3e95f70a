"""Demo catalogue content and helpers for seeding and the body map."""
