"""Benchmarks of talon_one against a raw floor measured side by side: `python -m benchmarks`."""
