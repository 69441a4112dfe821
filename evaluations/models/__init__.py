"""Benchmarks, results measured on them, and the seed document's claims checked against
their sources."""

from evaluations.models.benchmarks import Benchmark
from evaluations.models.claims import Claim
from evaluations.models.results import Result

__all__ = ["Benchmark", "Claim", "Result"]
