from django.contrib import admin

from .models import Contact, ContactLog, KeyAccount, Profile, SalesTarget
from .services import may_change_owner


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(KeyAccount)
class KeyAccountAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "tier", "format", "owner", "region", "active")
    list_filter = ("tier", "format", "purchasing_mode", "margin_model", "active", "region")
    search_fields = ("code", "name", "name_en")
    inlines = [ContactInline]

    def get_readonly_fields(self, request, obj=None):
        # Only an admin hands an account to another KA manager (accounts.services.may_change_owner).
        readonly = super().get_readonly_fields(request, obj)
        return readonly if may_change_owner(request.user) else (*readonly, "owner")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "title", "part", "relationship_level", "phone", "birthday")
    list_filter = ("part", "relationship_level", "account__tier")
    search_fields = ("name", "title", "phone", "email", "account__name", "account__code")


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ("date", "account", "contact", "channel", "author", "follow_up_on", "follow_up_done")
    list_filter = ("channel", "follow_up_done", "date")
    search_fields = ("summary", "next_step", "account__name", "account__code")
    date_hierarchy = "date"


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    list_display = ("account", "year", "month", "amount")
    list_filter = ("year", "month", "account__tier")
    search_fields = ("account__code", "account__name")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region", "supervisor")
    list_filter = ("role", "region")
    search_fields = ("user__username", "user__first_name", "user__last_name")
