from django.core.management.base import BaseCommand

from discussions.models import SearchWord
from discussions.services import refresh_search_words


class Command(BaseCommand):
    help = 'Count new words of discussions into the list behind search\'s "Did you mean" (PostgreSQL).'

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="start again from nothing")
        parser.add_argument("--if-empty", action="store_true", help="only when the list is empty")

    def handle(self, *args, full=False, if_empty=False, **options):
        if if_empty and SearchWord.objects.exists():
            return
        read = refresh_search_words(full=full)
        self.stdout.write(f"Read {read} openings and replies; {SearchWord.objects.count()} words known.")
