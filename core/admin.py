from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py create_api_token`; here they are listed and revoked."""

    list_display = (
        "name",
        "user",
        "prefix",
        "read_only",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("read_only",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "prefix", "last_used_at", "created_at")
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})
