"""/healthz: the operations status as JSON, 200 when healthy, 503 otherwise."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from newsdesk.ops.health import status


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    found = status()
    return JsonResponse(found, status=200 if found["healthy"] else 503)
