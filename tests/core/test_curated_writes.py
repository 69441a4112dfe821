"""Core's API base classes and history restore write curated records through curation's
services, which curation hands to core when Django starts."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import curated_writes
from curation.services import curated_record_delete, curated_record_save


def test_curation_hands_its_save_and_delete_services_to_core():
    writes = curated_writes.curated_writes()
    assert writes.save is curated_record_save
    assert writes.delete is curated_record_delete


def test_a_write_without_curation_fails_loudly_instead_of_skipping_the_recompute(monkeypatch):
    monkeypatch.delitem(curated_writes._registered, "writes")
    with pytest.raises(ImproperlyConfigured, match="curation"):
        curated_writes.curated_writes()
