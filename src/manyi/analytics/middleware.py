from . import counts


class TailMemoMiddleware:
    """Compute the count tables' live tail at most once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with counts.tail_memo():
            return self.get_response(request)
