"""Write paths of the evaluations app: a result built and checked from plain values (the admin,
the API, a CSV upload and the catalog files all go through it), and CSV imports."""

from evaluations.services.results import (
    RESULT_FIELDS,
    ResultImportError,
    ResultInputError,
    result_build,
    result_save,
    results_import_csv,
    variant_index,
)

__all__ = [
    "RESULT_FIELDS",
    "ResultImportError",
    "ResultInputError",
    "result_build",
    "result_save",
    "results_import_csv",
    "variant_index",
]
