"""A publication's settings as an admin changes them on the desk: name, house style,
vocabularies, topic profile and people; and the relevance model's status.

Each change is checked here (the same checks the command line's services make)
and written to the audit log in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from newsdesk.newsroom import labels, search_index
from newsdesk.newsroom.models import Category, Membership, Publication
from newsdesk.newsroom.people import AnyUser, add_member, check_role, record
from newsdesk.newsroom.profiles import place_codes, profile_of
from newsdesk.newsroom.publications import (
    category,
    category_slug,
    clean_description,
    one_line_text,
    publication_name,
    same_address,
    site_changed,
    style_of,
)
from newsdesk.pipeline.errors import ConflictError, InputError, NotFoundError
from newsdesk.pipeline.issue.style import Style
from newsdesk.pipeline.judge.relevance import RelevanceModel
from newsdesk.pipeline.judge.relevance_learning import Quality

#: the style fields that are whole numbers, each at least 1
NUMBERS = ("headline_max_words", "body_min_words", "body_max_words", "teaser_max_words")


def set_details(publication: Publication, user: AnyUser, name: str, description: str) -> None:
    name = publication_name(name)
    with transaction.atomic():
        before = {"name": publication.name, "description": publication.description}
        publication.name, publication.description = name, clean_description(description)
        publication.save(update_fields=["name", "description"])
        site_changed(publication)
        record(
            user,
            publication,
            "settings-details",
            "publication",
            publication.pk,
            before,
            {"name": publication.name, "description": publication.description},
        )


def style_from_form(form: Mapping[str, str]) -> Style:
    """A Style from the form's fields; InputError naming the first bad one."""
    values: dict[str, object] = {}
    for name in NUMBERS:
        raw = form.get(name, "").strip()
        try:
            number = int(raw)
        except ValueError:
            raise InputError(f"{name.replace('_', ' ')} must be a whole number") from None
        if not 1 <= number <= 10_000:
            raise InputError(f"{name.replace('_', ' ')} must be from 1 to 10000")
        values[name] = number
    if values["body_min_words"] > values["body_max_words"]:  # type: ignore[operator]
        raise InputError("body min words is above body max words")
    values["headline_case"] = form.get("headline_case", "")
    values["attribution_date_format"] = form.get("attribution_date_format", "")
    values["subscribe_call"] = form.get("subscribe_call", "").strip()
    values["subscribe_label"] = form.get("subscribe_label", "").strip()
    values["sections"] = form.get("sections") == "1"
    values["banned_phrases"] = [
        line.strip() for line in form.get("banned_phrases", "").splitlines() if line.strip()
    ]
    return Style.from_settings(values)


def set_style(publication: Publication, user: AnyUser, style: Style) -> None:
    stored = dataclasses.asdict(style)
    stored["banned_phrases"] = list(style.banned_phrases)
    with transaction.atomic():
        before = dataclasses.asdict(style_of(publication))
        before["banned_phrases"] = list(before["banned_phrases"])
        publication.style = stored
        publication.save(update_fields=["style"])
        site_changed(publication)
        changed = {k for k in stored if stored[k] != before.get(k)}
        record(
            user,
            publication,
            "settings-style",
            "publication",
            publication.pk,
            {k: before.get(k) for k in changed},
            {k: stored[k] for k in changed},
        )


def _category(publication: Publication, category_id: int) -> Category:
    found = Category.objects.filter(publication=publication, pk=category_id).first()
    if found is None:
        raise NotFoundError(f"{publication.name} has no category #{category_id}")
    return found


def _category_name(name: str) -> str:
    return one_line_text(name, "category's name", Category._meta.get_field("name").max_length or 0)


def _refuse_same_address(
    publication: Publication, name: str, kind: str, renamed: Category | None = None
) -> None:
    """ConflictError when another category would share the name's page on the site."""
    other = same_address(publication, name, kind)
    if other is not None and other != renamed:
        raise ConflictError(
            f"{publication.name} has a category {other.name!r} at the same address "
            f"({category_slug(name)}); use it, or choose a name with other words"
        )


def add_category(publication: Publication, user: AnyUser, name: str, kind: str) -> Category:
    name = _category_name(name)
    if kind not in Category.Kind.values:
        raise InputError(f"a category is a topic or a place, not {kind!r}")
    with transaction.atomic():
        if Category.objects.filter(publication=publication, name=name).exists():
            raise ConflictError(f"{publication.name} has a category {name!r} already")
        _refuse_same_address(publication, name, kind)
        made = category(publication, name, kind)
        record(
            user, publication, "category-add", "category", made.pk, {}, {"name": name, "kind": kind}
        )
    return made


def rename_category(
    publication: Publication, user: AnyUser, category_id: int, name: str
) -> Category:
    name = _category_name(name)
    with transaction.atomic():
        found = _category(publication, category_id)
        if (
            Category.objects.filter(publication=publication, name=name)
            .exclude(pk=found.pk)
            .exists()
        ):
            raise ConflictError(f"{publication.name} has a category {name!r} already")
        _refuse_same_address(publication, name, found.kind, found)
        before = found.name
        found.name = name
        found.save(update_fields=["name"])
        site_changed(publication)
        search_index.reindex(publication)  # the items' category names
        record(
            user,
            publication,
            "category-rename",
            "category",
            found.pk,
            {"name": before},
            {"name": name},
        )
    return found


def remove_category(publication: Publication, user: AnyUser, category_id: int) -> str:
    """Remove an unused category; one that items or issues carry is refused."""
    with transaction.atomic():
        found = _category(publication, category_id)
        name, kind = found.name, found.kind
        try:
            with transaction.atomic():
                found.delete()
        except ProtectedError:
            raise ConflictError(
                f"{name!r} is a category of stored items or issues: rename it instead"
            ) from None
        record(
            user,
            publication,
            "category-remove",
            "category",
            category_id,
            {"name": name, "kind": kind},
            {},
        )
    return name


def _terms(value: str) -> list[str]:
    return [t.strip() for t in value.replace("\n", ",").split(",") if t.strip()]


def set_profile(
    publication: Publication,
    user: AnyUser,
    *,
    description: str,
    include: str,
    exclude: str,
    places: str,
) -> None:
    """The topic profile's rules, as `newsdesk profile set` sets them."""
    codes = place_codes(places.replace("\n", ","))
    with transaction.atomic():
        profile = profile_of(publication)
        fields = ("description", "include_terms", "exclude_terms", "required_places")
        before = {f: getattr(profile, f) for f in fields}
        profile.description = description.strip()
        profile.include_terms, profile.exclude_terms = _terms(include), _terms(exclude)
        profile.required_places = codes
        profile.save()
        after = {f: getattr(profile, f) for f in fields}
        record(user, publication, "settings-profile", "profile", profile.pk, before, after)


@dataclass(frozen=True)
class ModelStatus:
    labels: dict[str, int]  # kind of label -> how many
    trained: Any  # datetime or None
    trained_on: int
    due: str  # why retraining is due, or ""
    quality: Quality | None = None  # out of fold, on the labels it learnt from


def model_status(publication: Publication) -> ModelStatus:
    """What the relevance model learnt from, when, whether it should learn again, and
    how its decision did on those labels scored out of fold (a model stored before
    this was kept has none: the page says so)."""
    state = labels.label_state(publication)
    counts = {
        piece.split(":", 1)[0]: int(piece.split(":", 1)[1].split("@", 1)[0])
        for piece in state.split()
    }
    profile = profile_of(publication)
    quality = None
    if profile.relevance_model:
        quality = RelevanceModel.from_bytes(bytes(profile.relevance_model)).quality
    return ModelStatus(
        counts, profile.trained, profile.trained_on, labels.retrain_due(publication), quality
    )


def members(publication: Publication) -> list[Membership]:
    return list(
        Membership.objects.filter(publication=publication)
        .select_related("user")
        .order_by("user__username")
    )


def _admins(publication: Publication) -> int:
    return Membership.objects.filter(publication=publication, role=Membership.Role.ADMIN).count()


def add_person(publication: Publication, user: AnyUser, username: str, role: str) -> Membership:
    """Give an existing person a role; new accounts are made by `newsdesk user add`."""
    username = username.strip()
    if not User.objects.filter(username=username).exists():
        raise NotFoundError(
            f"no user {username!r}: an operator creates accounts with `newsdesk user add`"
        )
    if Membership.objects.filter(publication=publication, user__username=username).exists():
        raise ConflictError(f"{username} has a role on {publication.name} already: change it")
    with transaction.atomic():
        found, _ = add_member(
            username, "", publication, check_role(role), None, user.get_username()
        )
    return Membership.objects.get(publication=publication, user=found)


def _membership(publication: Publication, membership_id: int) -> Membership:
    found = (
        Membership.objects.select_for_update()
        .filter(publication=publication, pk=membership_id)
        .select_related("user")
        .first()
    )
    if found is None:
        raise NotFoundError(f"{publication.name} has no such member")
    return found


def change_role(
    publication: Publication, user: AnyUser, membership_id: int, role: str
) -> Membership:
    role = check_role(role)
    with transaction.atomic():
        found = _membership(publication, membership_id)
        if found.role == Membership.Role.ADMIN and role != found.role and _admins(publication) == 1:
            raise ConflictError(f"{found.user.username} is the last admin of {publication.name}")
        before = found.role
        found.role = role
        found.save(update_fields=["role"])
        record(
            user,
            publication,
            "role",
            "user",
            found.user_id,
            {"role": before},
            {"user": found.user.username, "role": role},
            timezone.now(),
        )
    return found


def remove_person(publication: Publication, user: AnyUser, membership_id: int) -> str:
    with transaction.atomic():
        found = _membership(publication, membership_id)
        if found.role == Membership.Role.ADMIN and _admins(publication) == 1:
            raise ConflictError(f"{found.user.username} is the last admin of {publication.name}")
        name, role = found.user.username, found.role
        found.delete()
        record(
            user,
            publication,
            "role-remove",
            "user",
            found.user_id,
            {"user": name, "role": role},
            {},
        )
    return name
