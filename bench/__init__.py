"""Benchmarks of Anjuan against baselines measured in the same run: ``python -m bench``."""
