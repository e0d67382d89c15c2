"""Feeds, sitemap and robots.txt: included before the archive's pages, whose
`<slug:slug>/` routes would otherwise be tried first."""

from django.urls import path

from newsdesk.archive import feeds, sitemaps

app_name = "feeds"
CATEGORY = "<slug:slug>/<slug:kind>/<slug:name>/"
urlpatterns = [
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", sitemaps.robots, name="robots"),
    path("<slug:slug>/feed.xml", feeds.rss_feed, name="rss"),
    path("<slug:slug>/atom.xml", feeds.atom_feed, name="atom"),
    path("<slug:slug>/feed.json", feeds.json_feed, name="json"),
    path(f"{CATEGORY}feed.xml", feeds.rss_feed, name="category-rss"),
    path(f"{CATEGORY}atom.xml", feeds.atom_feed, name="category-atom"),
    path(f"{CATEGORY}feed.json", feeds.json_feed, name="category-json"),
]
