"""Refuse request parameters no database column can hold, before any view sees them."""

from django.http import HttpResponseBadRequest, JsonResponse


class RejectNulBytesMiddleware:
    """A NUL byte in a query or form value is never meaningful and PostgreSQL text cannot store it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            return self.refuse(request)
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                  "multipart/form-data"):
            if any("\x00" in value for values in request.POST.lists() for value in values[1]):
                return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        message = "Permintaan berisi karakter NUL yang tidak sah."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message)
