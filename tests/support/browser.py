"""Launch the system (Debian) Chromium through Playwright; never downloads browsers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

__all__ = ["CHROMIUM_ARGS", "DEFAULT_CHROMIUM", "chromium_path", "launch_chromium"]

DEFAULT_CHROMIUM = "/usr/bin/chromium"

# Keep Chromium off the network and away from GPU/sandbox features a root container lacks.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Path of the Chromium executable (env CHROMIUM_PATH overrides /usr/bin/chromium)."""
    raw = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    path = shutil.which(raw) if not os.path.isabs(raw) else raw
    if not path or not Path(path).is_file() or not os.access(path, os.X_OK):
        raise RuntimeError(
            f"Chromium executable not found at {raw!r}. Install it with "
            "'apt-get install -y chromium' (or set CHROMIUM_PATH). "
            "Do not use 'playwright install'."
        )
    return path


def launch_chromium(playwright: Any, **kwargs: Any) -> Any:
    """Launch headless system Chromium; ``playwright`` is a sync or async Playwright object.

    Extra ``kwargs`` go to ``playwright.chromium.launch`` (``args`` are appended to ours).
    """
    executable = chromium_path()  # fail with the install hint before touching Playwright
    extra_args = list(kwargs.pop("args", []))
    kwargs.setdefault("headless", True)
    return playwright.chromium.launch(
        executable_path=executable, args=[*CHROMIUM_ARGS, *extra_args], **kwargs
    )
