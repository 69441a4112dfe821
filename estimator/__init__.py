"""The hardware estimator: a pure-Python core (standard library only, no Django).

``architecture`` turns a Hugging Face config.json into a normalised :class:`Architecture`;
``parameters`` counts its weights exactly; ``memory`` breaks down inference and fine-tuning
memory; ``fit`` places it on hardware profiles; ``estimate`` ties them together.
"""

from estimator.architecture import (
    SUPPORTED_MODEL_TYPES,
    Architecture,
    ConfigError,
    architecture_from_numbers,
    parse_config,
)
from estimator.estimate import (
    ESTIMATOR_VERSION,
    WORKLOADS,
    Estimate,
    EstimateOptions,
    estimate,
)
from estimator.fit import AcceleratorSpec, ProfileSpec
from estimator.memory import EstimateError
from estimator.parameters import ParameterCount, count_parameters
from estimator.precision import KV_DTYPES, PRECISIONS

__all__ = [
    "ESTIMATOR_VERSION",
    "KV_DTYPES",
    "PRECISIONS",
    "SUPPORTED_MODEL_TYPES",
    "WORKLOADS",
    "AcceleratorSpec",
    "Architecture",
    "ConfigError",
    "Estimate",
    "EstimateError",
    "EstimateOptions",
    "ParameterCount",
    "ProfileSpec",
    "architecture_from_numbers",
    "count_parameters",
    "estimate",
    "parse_config",
]
