"""WSGI entry point: gunicorn sharedlogin.wsgi (from examples/django)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharedlogin.settings")

application = get_wsgi_application()
