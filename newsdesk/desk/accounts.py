"""Logging in and out, and password resets: Django's views with the desk's templates,
the log-in form throttled (throttle.py), the reset link on an address the operator
named (never the Host header a wildcard in NEWSDESK_ALLOWED_HOSTS lets anyone send)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse_lazy

from newsdesk.desk import throttle

logger = logging.getLogger("newsdesk.desk")


class ThrottledLoginForm(AuthenticationForm):
    """Django's log-in form, refusing to check a password while the name or address waits."""

    def clean(self) -> dict[str, Any]:
        request: HttpRequest | None = self.request
        address = throttle.address_of(request) if request is not None else "unknown"
        # the name as authentication reads it (stripped, NFKC-normalized), so " editor"
        # or "ｅｄｉｔｏｒ" count against editor's failures, not against a fresh name
        username = str(self.cleaned_data.get("username") or self.data.get("username") or "")
        minutes = throttle.wait_minutes(username, address)
        if minutes:
            raise forms.ValidationError(
                f"Too many failed log-ins. Try again in {minutes} minute"
                f"{'s' if minutes != 1 else ''}, or reset your password.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.failed(username, address)
            raise
        if self.user_cache is not None:  # only a right password clears the failures
            throttle.succeeded(username)
        return cleaned


def trusted_base(request: HttpRequest) -> str:
    """The address a mailed reset link starts with: NEWSDESK_APP_URL, else
    NEWSDESK_SITE_URL, else the request's own when its Host header can only be a name
    the operator listed; "" when none can be trusted."""
    base = settings.NEWSDESK_APP_URL or settings.NEWSDESK_SITE_URL
    if base:
        return str(base)
    if any(h == "*" or h.startswith(".") for h in settings.ALLOWED_HOSTS):
        return ""
    return request.build_absolute_uri("/").rstrip("/")


class TrustedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, the link built on `trusted_base`: with a wildcard host the
    sender of the request would choose where the victim's token goes. Throttled
    (throttle.reset_admitted): a request over the limit sends nothing and is answered
    as any other, so the form tells nobody which addresses have accounts."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = str(form.cleaned_data.get("email") or "")
        if not throttle.reset_admitted(email, throttle.address_of(self.request)):
            logger.warning("password reset not sent: too many requests for it this hour")
            return HttpResponseRedirect(self.get_success_url())
        base = trusted_base(self.request)
        if not base:
            logger.error(
                "password reset refused: set NEWSDESK_APP_URL (or NEWSDESK_SITE_URL); "
                "with a wildcard in NEWSDESK_ALLOWED_HOSTS the request's host is not trusted"
            )
            form.add_error(None, "Password resets are not available here: ask an operator.")
            return self.form_invalid(form)
        parts = urlsplit(base)
        self.extra_email_context = {
            "protocol": parts.scheme,
            "domain": f"{parts.netloc}{parts.path}".rstrip("/"),
        }
        return super().form_valid(form)


urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=ThrottledLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password_reset/",
        TrustedPasswordResetView.as_view(success_url=reverse_lazy("password_reset_done")),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
