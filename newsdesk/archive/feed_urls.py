"""Feeds, sitemap and robots.txt: included before the archive's pages, whose
`<slug:slug>/` routes would otherwise be tried first."""

from django.urls import path

from newsdesk.archive import feeds, sitemaps
from newsdesk.archive.cache import public_page

app_name = "feeds"
CATEGORY = "<slug:slug>/<slug:kind>/<slug:name>/"
urlpatterns = [
    path("sitemap.xml", public_page(sitemaps.sitemap), name="sitemap"),
    path("robots.txt", public_page(sitemaps.robots), name="robots"),
    path("<slug:slug>/feed.xml", public_page(feeds.rss_feed), name="rss"),
    path("<slug:slug>/atom.xml", public_page(feeds.atom_feed), name="atom"),
    path("<slug:slug>/feed.json", public_page(feeds.json_feed), name="json"),
    path(f"{CATEGORY}feed.xml", public_page(feeds.rss_feed), name="category-rss"),
    path(f"{CATEGORY}atom.xml", public_page(feeds.atom_feed), name="category-atom"),
    path(f"{CATEGORY}feed.json", public_page(feeds.json_feed), name="category-json"),
]
