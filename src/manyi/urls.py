from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "满意 manyi"
admin.site.site_title = "manyi"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Before Django's auth URLs: password reset in the site's layout, mail sent by a task.
    path("accounts/", include("manyi.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("customers/", include("manyi.customers.urls")),
    path("cases/", include("manyi.cases.urls")),
    path("improvement/", include("manyi.improvement.urls")),
    path("surveys/", include("manyi.surveys.urls")),
    path("analytics/behaviour/", include("manyi.analytics.urls_behaviour")),
    path("analytics/", include("manyi.analytics.urls")),
    path("reports/", include("manyi.analytics.reports.urls")),
    path("benchmarks/", include("manyi.benchmarks.urls")),
    path("privacy/", include("manyi.privacy.urls")),
    path("", include("manyi.surveys.respond_urls")),
    path("", include("manyi.cases.public_urls")),
    path("", include("manyi.core.urls")),
]
# Error pages in the site's layout, translated (core/templates/403.html, 404.html, ...).
handler500 = "manyi.core.views.server_error"

# No URL serves uploaded files, not even in DEBUG: they hold personal data and live in the
# private storage; views that check access send them (customers:import_file).
