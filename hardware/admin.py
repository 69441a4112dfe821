from django.contrib import admin

from catalog.admin_mixins import CuratedAdmin
from hardware.models import Accelerator, HardwareProfile, SizeTier


class ProfileInline(admin.TabularInline):
    model = HardwareProfile
    extra = 0
    fields = ("name", "slug", "count", "host_memory_gib", "status")
    show_change_link = True


@admin.register(Accelerator)
class AcceleratorAdmin(CuratedAdmin):
    list_display = (
        "name",
        "vendor",
        "form",
        "memory_gib",
        "memory_bandwidth_gbps",
        "bf16_dense_tflops",
        "supports_fp8",
        "status",
    )
    list_filter = ("status", "vendor", "form", "supports_fp8", "supports_int4")
    search_fields = ("name", "vendor", "slug", "memory_type")
    prepopulated_fields = {"slug": ("vendor", "name")}
    inlines = (ProfileInline, *CuratedAdmin.inlines)


@admin.register(HardwareProfile)
class HardwareProfileAdmin(CuratedAdmin):
    list_display = ("name", "accelerator", "count", "host_memory_gib", "status")
    list_filter = ("status", "count", "accelerator__vendor")
    list_select_related = ("accelerator",)
    search_fields = ("name", "name_zh", "slug", "accelerator__name")
    autocomplete_fields = ("accelerator",)


@admin.register(SizeTier)
class SizeTierAdmin(CuratedAdmin):
    list_display = ("label", "parameters_billion", "inference_memory", "training_memory", "status")
    list_filter = ("status",)
    search_fields = ("label", "use_case", "use_case_zh")
