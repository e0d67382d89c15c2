"""Publications: the bulletins one deployment hosts."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.db import models

from newsdesk.pipeline.issue.style import Style


def default_style() -> dict[str, object]:
    return dataclasses.asdict(Style())


class Publication(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    first_number = models.PositiveIntegerField(default=1)
    next_number = models.PositiveIntegerField(default=1)
    style = models.JSONField(default=default_style)
    editors = models.JSONField(default=list, blank=True)
    site_version = models.PositiveIntegerField(
        default=0, help_text="raised whenever what readers see changes (publish, withdraw, ...)"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TopicProfile(models.Model):
    """What a publication is about: rules that work from day one, and learned models."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, related_name="profile"
    )
    description = models.TextField(blank=True)
    include_terms = models.JSONField(default=list, blank=True)
    exclude_terms = models.JSONField(default=list, blank=True)
    required_places = models.JSONField(default=list, blank=True)  # codes: at least one of them
    relevance_model = models.BinaryField(null=True, blank=True)
    topic_model = models.BinaryField(null=True, blank=True)
    trained = models.DateTimeField(null=True, blank=True)
    trained_on = models.PositiveIntegerField(default=0)
    trained_state = models.CharField(
        max_length=200, blank=True, help_text="the labels the models were trained on, summed up"
    )

    def __str__(self) -> str:
        return f"profile of {self.publication}"


class Story(models.Model):
    """One event's coverage: the articles of many outlets, grouped by clustering."""

    title = models.TextField(blank=True)
    lead = models.ForeignKey(
        "ingest.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seen = models.DateTimeField(null=True, blank=True, db_index=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    article_count = models.PositiveIntegerField(default=0)
    coverage = models.PositiveIntegerField(default=0, help_text="distinct outlets")
    places = models.JSONField(default=list, blank=True)
    quotes = models.JSONField(default=list, blank=True)
    follows = models.ForeignKey(
        "Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
        help_text="an item of an earlier issue this story continues",
    )
    continues = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="continued_by",
        help_text="the closed story of the same affair that this one carries on",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-first_seen", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title or f"story #{self.pk}"


class StoryDecision(models.Model):
    """An editor's merge or split, replayed in order whenever articles are re-clustered.

    merge: the articles of `first` and `second` belong together;
    split: the articles of `first` leave the story whose other articles are `second`.
    """

    class Kind(models.TextChoices):
        MERGE = "merge", "merge"
        SPLIT = "split", "split"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    first = models.JSONField(default=list)  # article ids
    second = models.JSONField(default=list)  # article ids
    editor = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class StoryScore(models.Model):
    """A story's standing for one publication: relevance, rank score and the reasons."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="scores")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="scores")
    relevance = models.FloatField(default=0.0)
    score = models.FloatField(default=0.0, db_index=True)
    reasons = models.JSONField(default=dict, blank=True)
    topics = models.JSONField(default=list, blank=True)  # suggestions [{"name","score","reasons"}]
    places = models.JSONField(default=list, blank=True)
    picked = models.BooleanField(null=True, blank=True, help_text="editor picked / dismissed")
    decided = models.DateTimeField(null=True, blank=True, help_text="when picked or dismissed")
    snoozed_until = models.DateTimeField(
        null=True, blank=True, help_text="hidden from the inbox until then"
    )
    computed = models.DateTimeField()

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "story"], name="score_unique"),
        ]


class Category(models.Model):
    """One entry of a publication's controlled vocabularies: a topic or a place."""

    class Kind(models.TextChoices):
        TOPIC = "topic", "topic"
        PLACE = "place", "place"

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="categories"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        SCHEDULED = "scheduled", "scheduled"
        PUBLISHED = "published", "published"
        WITHDRAWN = "withdrawn", "withdrawn"

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="issues")
    number = models.PositiveIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    editors = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    sections = models.JSONField(default=list, blank=True)
    categories: models.ManyToManyField[Category, IssueCategory] = models.ManyToManyField(
        Category, through="IssueCategory", blank=True
    )
    imported_from = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number", "-created"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "number"], name="issue_unique_number"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.number is None:
            return f"{self.publication.name} (draft #{self.pk})"
        return f"{self.publication.name} No. {self.number}"


class IssueCategory(models.Model):
    """Categories set on the issue itself (imported issues); built issues use their items'."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]


class Item(models.Model):
    class Origin(models.TextChoices):
        WRITTEN = "written", "written by an editor"
        IMPORTED = "imported", "imported from a back issue"
        DRAFTED = "drafted", "drafted by newsdesk"

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="items")
    issue = models.ForeignKey(
        Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    position = models.PositiveIntegerField(default=0)
    headline = models.CharField(max_length=300)
    teaser = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    chained_to_previous = models.BooleanField(default=False)
    section = models.CharField(
        max_length=120, blank=True, help_text="the issue's section it stands under"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    categories: models.ManyToManyField[Category, ItemCategory] = models.ManyToManyField(
        Category, through="ItemCategory", blank=True
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.WRITTEN)
    provenance = models.JSONField(default=dict, blank=True)
    verification = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["issue_id", "position", "id"]

    def __str__(self) -> str:
        return self.headline


class ItemCategory(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]


class ItemSource(models.Model):
    """One source an item cites, in attribution order."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField(default=0)
    outlet = models.CharField(max_length=200)
    date = models.DateField()
    url = models.URLField(max_length=2000, blank=True)
    article = models.ForeignKey(
        "ingest.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="cited_by"
    )
    article_url = models.URLField(
        max_length=2000,
        blank=True,
        help_text="the cited article's URL as an imported export gave it, kept when the "
        "article is not in this database",
    )

    class Meta:
        ordering = ["position"]


class ItemRevision(models.Model):
    """Who changed an item, when, and what (field: [before, after])."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="revisions")
    editor = models.CharField(max_length=150)
    at = models.DateTimeField()
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]


class IssueEvent(models.Model):
    """What happened to an issue: created, imported, published, overridden, withdrawn."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class CategoryDecision(models.Model):
    """An editor confirmed or rejected a category for a story: a label for training."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="category_decisions"
    )
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="category_decisions")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="decisions")
    accepted = models.BooleanField()
    editor = models.CharField(max_length=150, blank=True)
    decided = models.DateTimeField()

    class Meta:
        ordering = ["decided", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "story", "category"], name="category_decision_unique"
            ),
        ]


class Membership(models.Model):
    """A person's role on one publication (people.py says what each role may do)."""

    class Role(models.TextChoices):
        ADMIN = "admin", "admin: sources, settings, people and all an editor does"
        EDITOR = "editor", "editor: everything editorial, publishing included"
        CONTRIBUTOR = "contributor", "contributor: suggests stories and writes drafts"
        VIEWER = "viewer", "viewer: reads the desk"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["publication_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "publication"], name="membership_unique"),
        ]


class AuditEntry(models.Model):
    """Who did what to which object, when, with the values before and after.

    Items and issues also keep their own histories (ItemRevision, IssueEvent); this
    log holds every write made through the desk, those included, in one place.
    """

    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.CASCADE, related_name="audit"
    )
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=20)  # "item", "issue", "story", "source", ...
    target_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["target", "target_id"], name="audit_target")]
