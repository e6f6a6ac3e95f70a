"""Forged signed values for tests."""


def forge(signed: str) -> str:
    """An itsdangerous-signed value with one character of its signature changed: not the
    last one, whose low bits base64 may ignore (then the "forgery" would still verify)."""
    at = len(signed) - 5
    return signed[:at] + ("A" if signed[at] != "A" else "g") + signed[at + 1 :]
