"""Benchmarks and their recorded results (see bench/results/)."""
