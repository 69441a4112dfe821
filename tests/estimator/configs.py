import json
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "configs"
CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "data" / "families"


def fixture_config(name: str) -> dict:
    config = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    config.pop("_fixture_note", None)
    return config


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.json"))


def published_counts() -> list[dict]:
    return yaml.safe_load((FIXTURES / "published_counts.yaml").read_text("utf-8"))


def catalog_variants() -> list[dict]:
    """Every curated variant entry of the catalog files (with its published config or numbers)."""
    entries = []
    for path in sorted(CATALOG.glob("*.yaml")):
        entries += yaml.safe_load(path.read_text("utf-8")).get("variants", [])
    return entries


def catalog_config(slug: str) -> dict:
    return next(v["config"] for v in catalog_variants() if v["slug"] == slug)
