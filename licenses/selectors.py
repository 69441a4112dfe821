from django.db.models import Prefetch, QuerySet

from catalog.models import Citation
from catalog.selectors import visible
from licenses.models import License


def license_list(*, user=None) -> QuerySet[License]:
    return visible(License.objects.all(), user)


def license_detail(*, user=None) -> QuerySet[License]:
    return license_list(user=user).prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source"))
    )
