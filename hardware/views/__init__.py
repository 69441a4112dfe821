"""Hardware pages: "can I run it", a pasted config.json, accelerators, profiles and the seed's
sizing table.

Every page reads through selectors in a fixed number of queries, then computes with the pure
estimator (estimator) in memory: the answers are the API's answers.
"""

from hardware.views.config import fit_config
from hardware.views.fit import fit
from hardware.views.pages import accelerator_detail, index, profile_detail, sizing

__all__ = ["accelerator_detail", "fit", "fit_config", "index", "profile_detail", "sizing"]
