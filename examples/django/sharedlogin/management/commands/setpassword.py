"""manage.py setpassword USERNAME: creates the user if needed and sets its
password, read from standard input (one line), never from the command
line. Every session of the user logs out (their session hash changes), in
Django and in the Go service alike."""
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create USERNAME if missing and set its password from stdin."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("no password on stdin")
        User = get_user_model()
        user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: options["username"]})
        user.set_password(password)
        user.save()
        self.stdout.write(str(user.pk))
