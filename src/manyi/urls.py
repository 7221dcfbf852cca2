from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "满意 manyi"
admin.site.site_title = "manyi"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("customers/", include("manyi.customers.urls")),
    path("surveys/", include("manyi.surveys.urls")),
    path("analytics/behaviour/", include("manyi.analytics.urls_behaviour")),
    path("analytics/", include("manyi.analytics.urls")),
    path("reports/", include("manyi.analytics.reports.urls")),
    path("benchmarks/", include("manyi.benchmarks.urls")),
    path("", include("manyi.surveys.respond_urls")),
    path("", include("manyi.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
