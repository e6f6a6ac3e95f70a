"""Run wrk against one URL and parse the JSON line printed by bench/report.lua."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPORT_LUA = Path(__file__).with_name("report.lua")


@dataclass
class WrkResult:
    """Aggregated wrk numbers for one run."""

    requests: int
    duration_s: float
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    raw_output: str
    ok_2xx: int | None = None  # 2xx answers, when the page's Lua script counts them

    @property
    def error_summary(self) -> str | None:
        """Human description of errors wrk saw, or None if the run was clean."""
        bad = {k: v for k, v in self.errors.items() if v}
        if self.requests == 0:
            return "wrk completed 0 requests"
        if bad:
            return "wrk errors: " + ", ".join(f"{k}={v}" for k, v in bad.items())
        return None


def lua_string(value: str) -> str:
    """Quote ``value`` as a Lua string literal."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif 32 <= code < 127:
            out.append(ch)
        else:  # escape bytes (UTF-8 encoded) as decimal escapes: valid in Lua 5.1/LuaJIT
            out.extend(f"\\{b}" for b in ch.encode())
    return '"' + "".join(out) + '"'


# Every benchmark client presents itself as one browser, as a real learner's browser does:
# Flask-Login's session protection compares it with the one that signed in, and a mismatch
# would make the app re-sign the session cookie on every request, a cost real users never see.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) meridian-bench/1"

_UA_LUA = f"""
local bench_format = wrk.format
wrk.format = function(method, path, headers, body)
  if headers ~= nil and headers["User-Agent"] == nil then
    headers["User-Agent"] = {lua_string(USER_AGENT)}
  end
  return bench_format(method, path, headers, body)
end
"""


def build_script(method: str = "GET", body: str | None = None, extra_lua: str = "") -> str:
    """wrk Lua script: request method/body, optional user Lua, then the JSON reporter."""
    parts = [_UA_LUA, f"wrk.method = {lua_string(method.upper())}"]
    if body is not None:
        parts.append(f"wrk.body = {lua_string(body)}")
    if extra_lua:
        parts.append(extra_lua)
    parts.append(REPORT_LUA.read_text())
    return "\n".join(parts) + "\n"


def run_wrk(
    url: str,
    *,
    seconds: int,
    threads: int = 2,
    connections: int = 16,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: str | None = None,
    extra_lua: str = "",
    timeout_s: int = 10,
) -> WrkResult:
    """Run ``wrk --latency`` and return parsed results; raises RuntimeError if wrk fails."""
    wrk = shutil.which("wrk")
    if not wrk:
        raise RuntimeError("wrk not found; install it with: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-") as script:
        script.write(build_script(method, body, extra_lua))
        script.flush()
        cmd = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={timeout_s}s",
            "--latency",
            "-s",
            script.name,
        ]
        for name, value in {"User-Agent": USER_AGENT, **(headers or {})}.items():
            cmd += ["-H", f"{name}: {value}"]
        cmd.append(url)
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + timeout_s + 30, check=False
        )
    output = proc.stdout + proc.stderr
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (rc={proc.returncode}) for {url}:\n{output}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    duration_s = data["duration_us"] / 1e6
    return WrkResult(
        requests=data["requests"],
        duration_s=duration_s,
        requests_per_s=data["requests"] / duration_s if duration_s else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors={k.removeprefix("err_"): v for k, v in data.items() if k.startswith("err_")},
        raw_output=output,
        ok_2xx=_ok_2xx(output),
    )


def _ok_2xx(output: str) -> int | None:
    for line in output.splitlines():
        if line.startswith("BENCH_OK2XX "):
            value = int(line.split()[1])
            return value if value >= 0 else None
    return None
