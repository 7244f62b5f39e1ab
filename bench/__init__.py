"""Benchmarks that print figures beside their references (see README.md)."""
