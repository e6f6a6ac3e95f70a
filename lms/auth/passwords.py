"""Password hashing with Argon2id, a memory-hard scheme."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def configure(time_cost: int | None = None, memory_cost_kib: int | None = None) -> None:
    """Tune Argon2id (tests use cheaper parameters; production keeps the library defaults)."""
    global _hasher
    if time_cost or memory_cost_kib:
        _hasher = PasswordHasher(
            time_cost=time_cost or _hasher.time_cost,
            memory_cost=memory_cost_kib or _hasher.memory_cost,
        )


MIN_LENGTH = 10
# A short list of the passwords attackers try first; length alone does not stop these.
COMMON_PASSWORDS = frozenset(
    {
        "password123",
        "1234567890",
        "qwertyuiop",
        "password1234",
        "iloveyou12",
        "letmein1234",
        "acupuncture",
        "abcdefghij",
        "0987654321",
        "passw0rd123",
    }
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why a password is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "This password is too easy to guess; choose a less common one."
    return None
