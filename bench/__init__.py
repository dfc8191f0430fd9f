"""`python -m bench`: end-to-end latency and replay throughput of the whole stack."""
