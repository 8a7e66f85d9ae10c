import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import Row


@csrf_exempt
def insert(request):
    """Parse a small JSON body and insert one row: a request, a transaction, a commit."""
    try:
        payload = json.loads(request.body)["payload"]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    row = Row.objects.create(payload=str(payload)[:200])
    return JsonResponse({"id": row.pk}, status=201)


def nodb(request):
    """The same kind of small JSON answer, without touching the database."""
    return JsonResponse({"status": "ok"})
