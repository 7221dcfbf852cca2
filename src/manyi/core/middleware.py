"""Response headers that apply to every page."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (settings.MANYI_PERMISSIONS_POLICY): the browser
    features manyi never uses (camera, microphone, location, ...) are off for every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if policy := getattr(settings, "MANYI_PERMISSIONS_POLICY", ""):
            response.headers.setdefault("Permissions-Policy", policy)
        return response
