"""A publication's topic profile: the stored row, its rules, and the models trained from it."""

from __future__ import annotations

from newsdesk.newsroom.models import Publication, TopicProfile
from newsdesk.pipeline.judge.categories import TopicModel
from newsdesk.pipeline.judge.relevance import ProfileRules, RelevanceModel


def profile_of(publication: Publication) -> TopicProfile:
    """The publication's profile, made from its description the first time it is asked for."""
    profile, _ = TopicProfile.objects.get_or_create(
        publication=publication, defaults={"description": publication.description}
    )
    return profile


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
