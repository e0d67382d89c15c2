"""A server error gives the reader a page in the site's look, readable on a phone."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

pytestmark = pytest.mark.django_db


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug on the server")


urlpatterns = [path("broken/", broken)]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_a_plain_page_that_leads_back() -> None:
    response = Client(raise_request_exception=False).get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<meta name="viewport"' in page and '<html lang="en">' in page
    assert "Something went wrong" in page and '<a href="/">' in page
    assert "a bug on the server" not in page and "Traceback" not in page
