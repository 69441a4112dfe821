"""The editors' admin of every curated app: catalog (with ingestion), licences and hardware.

Admins are interfaces above the domain apps: saves, deletes and bulk actions go through the
curation services, which reach across apps. Django's admin autodiscovery imports this package
(curation is an installed app), and importing it registers every model below; the admin's URLs
follow each model's app label, not this package. Core's own admin (API tokens) stays in core.
"""

from curation.admin import catalog, evaluations, hardware, ingest, licenses, mixins

__all__ = ["catalog", "evaluations", "hardware", "ingest", "licenses", "mixins"]
