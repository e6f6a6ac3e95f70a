-- Appended to every wrk script by bench/wrkrun.py: prints one machine-readable JSON line.
-- wrk reports latency in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  -- Optional: a page's script may count 2xx answers per thread (global `ok2xx` in each
  -- thread, threads collected in `bench_threads` by its setup()); -1 when it does not.
  local ok = -1
  if bench_threads then
    ok = 0
    for _, thread in ipairs(bench_threads) do ok = ok + (thread:get("ok2xx") or 0) end
  end
  io.write(string.format("BENCH_OK2XX %d\n", ok))
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
