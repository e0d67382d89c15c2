"""A publication's topic profile: the stored row, its rules, and the models trained from it."""

from __future__ import annotations

from newsdesk.newsroom.models import Publication, TopicProfile
from newsdesk.pipeline.enrich.countries import display_name
from newsdesk.pipeline.errors import InputError
from newsdesk.pipeline.judge.categories import TopicModel
from newsdesk.pipeline.judge.relevance import ProfileRules, RelevanceModel, normalise_place


def profile_of(publication: Publication) -> TopicProfile:
    """The publication's profile, made from its description the first time it is asked for."""
    profile, _ = TopicProfile.objects.get_or_create(
        publication=publication, defaults={"description": publication.description}
    )
    return profile


def place_codes(places: str) -> list[str]:
    """The codes of a comma-separated list of places (codes such as CN or EU, or names
    such as Hong Kong), each once; InputError naming those that are no place we know."""
    codes: list[str] = []
    unknown: list[str] = []
    for given in (p.strip() for p in places.split(",")):
        code = normalise_place(given) if given else None
        if given and (code is None or not _is_known(code)):
            unknown.append(given)
        elif code and code not in codes:
            codes.append(code)
    if unknown:
        raise InputError(
            f"not a place: {', '.join(unknown)}; give ISO country codes such as CN or HK, "
            "regions such as EU or SCS, or place names"
        )
    return codes


def _is_known(code: str) -> bool:
    """A country or region code newsdesk can name; a subdivision (CN-GD) of a known country."""
    country = code.split("-")[0]
    return display_name(code) != code or display_name(country) != country


def rules_of(profile: TopicProfile) -> ProfileRules:
    return ProfileRules(
        description=profile.description,
        include=tuple(profile.include_terms),
        exclude=tuple(profile.exclude_terms),
        required_places=tuple(profile.required_places),
    )


def models_of(publication: Publication) -> tuple[RelevanceModel, TopicModel | None]:
    """The trained models; before any training, the rules alone and no topic model."""
    profile = profile_of(publication)
    relevance = (
        RelevanceModel.from_bytes(bytes(profile.relevance_model))
        if profile.relevance_model
        else RelevanceModel(rules_of(profile))
    )
    topics = TopicModel.from_bytes(bytes(profile.topic_model)) if profile.topic_model else None
    return relevance, topics
