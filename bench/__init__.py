"""HTTP throughput benchmark harness (see bench/README.md)."""
