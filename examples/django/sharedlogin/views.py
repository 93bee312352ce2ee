import django
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render


def whoami(request):
    """request.user as JSON: 200 with the user, 401 when anonymous."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"user_id": None, "django": django.get_version()}, status=401)
    return JsonResponse({"user_id": str(user.pk), "username": user.get_username(), "django": django.get_version()})


def auth_check(request):
    """What `djangosess serve` answers, done by Django: the session loaded,
    request.user checked, 200 with X-Django-User-Id or 401. The load
    benchmark (bench/serve_load.sh) compares the two."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponse(status=401)
    response = HttpResponse(status=200)
    response["X-Django-User-Id"] = str(user.pk)
    return response


def home(request):
    return render(request, "home.html")
