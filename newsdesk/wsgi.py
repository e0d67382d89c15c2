import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
django_application = get_wsgi_application()

# after Django's set-up: the front cache reads the publications' table
from newsdesk.web.pagecache import FrontCache  # noqa: E402

#: Django's application behind the front cache of public pages (newsdesk/web/pagecache.py)
application = FrontCache(django_application)
