"""The evaluation file format (evaluations/data, docs/catalog-format.md "Evaluation files"):
one home for the fields the loader reads and the export writes, and for a result's setting,
which the admin, the API and CSV uploads name too."""

DATA_DIR = "evaluations/data"
# The setting of a result, in the order every interface lists it.
SETTING_FIELDS = (
    "shots",
    "chain_of_thought",
    "thinking",
    "pass_k",
    "samples",
    "sampling",
    "harness",
    "harness_version",
    "prompt_template",
    "checkpoint",
)
# A benchmark entry's plain fields (besides ``derived_from`` and ``sources``); ``private``
# is never exported (a private benchmark is not either).
BENCHMARK_FIELDS = (
    "slug",
    "name",
    "name_zh",
    "category",
    "languages",
    "metric",
    "higher_is_better",
    "scale_min",
    "scale_max",
    "paper_url",
    "homepage_url",
    "description",
    "description_zh",
    "caveats",
    "caveats_zh",
    "private",
    "status",
    "seed_claim",
)
# A result entry: ``setting`` holds SETTING_FIELDS, ``source`` holds SOURCE_FIELDS.
RESULT_KEYS = (
    "variant",
    "benchmark",
    "benchmark_version",
    "value",
    "metric",
    "setting",
    "reported_by",
    "reporter",
    "date",
    "source",
    "note",
)
SOURCE_FIELDS = ("url", "title", "locator", "quote")
CLAIM_FIELDS = ("seed_text", "subject", "benchmark", "verdict", "source", "explanation")
