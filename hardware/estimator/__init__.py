"""The hardware estimator: a pure-Python core (standard library only, no Django).

``architecture`` turns a Hugging Face config.json into a normalised :class:`Architecture`.
"""

from hardware.estimator.architecture import (
    SUPPORTED_MODEL_TYPES,
    Architecture,
    ConfigError,
    parse_config,
)

__all__ = ["SUPPORTED_MODEL_TYPES", "Architecture", "ConfigError", "parse_config"]
