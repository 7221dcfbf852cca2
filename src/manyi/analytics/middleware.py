from . import counts


class TailMemoMiddleware:
    """Keep per-request reads (the watermark, the cuts' kept days) for the request only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with counts.tail_memo():
            return self.get_response(request)
