"""Logging in and out, and password resets: Django's views with the desk's templates,
the log-in form throttled (throttle.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.urls import path, reverse_lazy

from newsdesk.desk import throttle


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
        auth_views.PasswordResetView.as_view(success_url=reverse_lazy("password_reset_done")),
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
