"""Online story clustering: each new article joins a story of the window or starts one.

An article becomes a weighted term vector: the words of its headline and of the
start of its text (stop words dropped, plurals folded), weighted by sublinear
term frequency times inverse document frequency, plus its place codes. A story
is the sum of its members' unit vectors, its centroid. A new article is compared
only with the stories that share one of its heaviest terms, found through an
inverted index that holds the stories of the window; the cost of an article
therefore depends on the window, not on how many articles came before. It joins
the story whose centroid is most similar when the cosine reaches
`join_threshold`, and starts a new story otherwise.

Document frequencies grow with every article added; `prime` counts a batch
first, so that the first articles of the batch are weighed like the last. A
story leaves the window when both its clocks have run out: `window` of time
since its latest article (when there are dates) and `window_articles` articles
added since. `refine` revisits the window with hindsight: it moves articles to
the story they now fit best and merges stories that turned out to be one.
`cluster` does all of this for a batch.

Editors' decisions are `Constraints` (constraints.py): must-linked articles always
share a story, cannot-linked ones never do. On a live clusterer, `merge_stories`,
`split_out`, `must_link` and `cannot_link` record the decision and apply it at once.

Long stories keep the heaviest `centroid_terms` of their centroid, so a story
that runs all year costs no more to compare than a new one. The term vectors are
made in vectors.py, a story's lead is chosen in leads.py.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from newsdesk.pipeline.errors import StoryError
from newsdesk.pipeline.stories.constraints import Constraints
from newsdesk.pipeline.stories.inputs import EPOCH, Key, StoryConfig, StoryInput, as_utc, key_order
from newsdesk.pipeline.stories.vectors import (
    TermStats,
    Vector,
    dot,
    features,
    heaviest,
    norm2,
    ranked,
    vectorise,
)


@dataclass
class Cluster:
    """A story as the clusterer holds it: its members, centroid and index entries."""

    id: int
    members: dict[Key, None] = field(default_factory=dict)  # in the order they joined
    centroid: Vector = field(default_factory=dict)  # sum of the members' unit vectors
    norm2: float = 0.0  # |centroid|²
    first: datetime | None = None
    last: datetime | None = None
    last_seq: int = 0  # when an article last joined, counted in articles added
    terms: set[int] = field(default_factory=set)  # the index's entries for this story
    outlets: Counter[str] = field(default_factory=Counter)  # members' outlets, counted
    active: bool = True  # in the window

    def similarity(self, vector: Vector) -> float:
        """Cosine of a unit vector with the centroid."""
        if self.norm2 <= 1e-12:
            return 0.0
        return dot(vector, self.centroid) / math.sqrt(self.norm2)


class StoryClusterer:
    """Online clustering of articles into stories; see the module's docstring."""

    def __init__(
        self,
        config: StoryConfig | None = None,
        constraints: Constraints | None = None,
        stats: TermStats | None = None,
    ) -> None:
        self.config = config or StoryConfig()
        self.constraints = constraints if constraints is not None else Constraints()
        self.stats = stats if stats is not None else TermStats()
        self._primed: set[Key] = set()
        self._stories: dict[int, Cluster] = {}
        self._story_of: dict[Key, int] = {}
        self._published: dict[Key, datetime | None] = {}
        # vectors of the articles added within the last `window_articles`, for `refine`
        self._vectors: dict[Key, Vector] = {}
        self._recent: deque[tuple[int, Key]] = deque()
        self._postings: dict[int, set[int]] = {}  # term id -> ids of stories in the window
        self._next_id = 1
        self._seq = 0
        self._clock: datetime | None = None  # the latest date seen
        self._by_seq: deque[tuple[int, int]] = deque()  # (seq of a join, story id)
        self._by_time: list[tuple[datetime, int]] = []  # heap of (story's last date, id)
        self._moment: datetime | None = None  # the date of the article being placed
        self._closed_match: Cluster | None = None  # the closed story it would have joined
        self._outlet_of: dict[Key, str] = {}
        self._asking: tuple[str, Key] | None = None  # (outlet, key) of the article placed
        #: a story started by coverage that would have joined a closed story -> that story
        self.continues: dict[int, int] = {}

    # --- reading ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._story_of)

    def assignments(self) -> dict[Key, int]:
        """Article key -> story id, for every article added."""
        return dict(self._story_of)

    def stories(self) -> dict[int, list[Key]]:
        """Story id -> the keys of its articles, by id."""
        return {sid: list(self._stories[sid].members) for sid in sorted(self._stories)}

    def story_of(self, key: Key) -> int:
        return self._story_of[key]

    def in_window(self) -> int:
        """How many stories are in the window (can still be joined by similarity)."""
        return sum(1 for story in self._stories.values() if story.active)

    # --- adding ----------------------------------------------------------------------

    def prime(self, articles: Iterable[StoryInput]) -> None:
        """Count the document frequencies of articles that will be added later."""
        for article in articles:
            if article.key not in self._primed and article.key not in self._story_of:
                self._primed.add(article.key)
                self.stats.count(features(article, self.config))

    def add(self, article: StoryInput) -> int:
        """Place an article: the id of the story it joined or started."""
        return self._place(article, None)

    def add_batch(
        self, articles: Iterable[StoryInput], progress: Callable[[], None] | None = None
    ) -> None:
        """Add a batch in time order: chunks of `window_articles`, each primed first and
        refined after. `progress` is called once per article placed."""
        batch = _in_time_order(articles)
        size = self.config.window_articles
        for start in range(0, len(batch), size):
            chunk = batch[start : start + size]
            weighed = [(article, features(article, self.config)) for article in chunk]
            for article, weights in weighed:
                if article.key not in self._primed and article.key not in self._story_of:
                    self._primed.add(article.key)
                    self.stats.count(weights)
            for article, weights in weighed:
                self._place(article, weights)
                if progress is not None:
                    progress()
            self.refine()

    def _place(self, article: StoryInput, weights: dict[str, float] | None) -> int:
        key = article.key
        if key in self._story_of:
            raise StoryError(f"article {key!r} was given twice: add each article once")
        if weights is None:
            weights = features(article, self.config)
        if key in self._primed:
            self._primed.discard(key)
        else:
            self.stats.count(weights)
        vector = vectorise(weights, self.stats, self.config)
        published = as_utc(article.published)
        self._seq += 1
        if published is not None and (self._clock is None or published > self._clock):
            self._clock = published
        self._evict()
        self._moment, self._closed_match = published, None
        self._outlet_of[key] = article.outlet
        self._asking = (article.outlet, key)
        story = self._forced(key)
        if story is None:
            query = self._specific(vector)
            story = self._best(query, self._excluded(key), self.config.join_threshold)
        if story is None and self._closed_match is not None:
            # the affair goes on: its open continuation, or a new story continuing it
            story = self._continuation(self._closed_match, published)
        if story is None:
            story = self._new_story()
        self._moment = None
        self._asking = None
        self._published[key] = published
        self._vectors[key] = vector
        self._recent.append((self._seq, key))
        self._join(story, key)
        return story.id

    def _specific(self, vector: Vector) -> Vector:
        """The vector with the terms that point to many stories of the window weighed
        down (by 1/n**`shared_damping` for n stories): a word the whole window's news
        of one kind uses tells little about which event an article reports."""
        damping = self.config.shared_damping
        if not damping:
            return vector
        postings = self._postings
        query: Vector = {}
        for term, weight in vector.items():
            posting = postings.get(term)
            query[term] = (
                weight / len(posting) ** damping if posting and len(posting) > 1 else weight
            )
        norm = math.sqrt(norm2(query))
        return {term: weight / norm for term, weight in query.items()} if norm else query

    def _forced(self, key: Key) -> Cluster | None:
        """The story of an article must-linked to this one, if one was added."""
        if key not in self.constraints:
            return None
        for other in sorted(self.constraints.group(key) - {key}, key=key_order):
            sid = self._story_of.get(other)
            if sid is not None:
                return self._stories[sid]
        return None

    def _excluded(self, key: Key) -> set[int]:
        """The stories this article must not join."""
        if key not in self.constraints:
            return set()
        return {self._story_of[k] for k in self.constraints.apart(key) if k in self._story_of}

    def _candidates(self, vector: Vector) -> list[int]:
        """Stories of the window that share one of the vector's heaviest terms: the
        `max_candidates` that share the most weight, by id."""
        shared: dict[int, float] = {}
        limit = self.config.max_postings
        for term, weight in heaviest(vector, self.config.query_terms):
            posting = self._postings.get(term)
            if posting and len(posting) <= limit:
                for sid in posting:
                    shared[sid] = shared.get(sid, 0.0) + weight
        most = self.config.max_candidates
        if len(shared) > most:
            by_weight = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
            return sorted(sid for sid, _ in by_weight[:most])
        return sorted(shared)

    def _best(self, vector: Vector, excluded: set[int], threshold: float) -> Cluster | None:
        best: Cluster | None = None
        best_score = threshold
        closed_score = threshold
        for sid in self._candidates(vector):
            if sid in excluded:
                continue
            story = self._stories[sid]
            score = story.similarity(vector)
            if self._asking is not None:
                score -= self._outlet_margin(story, *self._asking)
            if self._closed(story, self._moment):
                if score >= closed_score:
                    self._closed_match, closed_score = story, score
                continue
            if score > best_score or (best is None and score == best_score):
                best, best_score = story, score
        return best

    def _outlet_margin(self, story: Cluster, outlet: str, key: Key) -> float:
        """The cosine a story loses for an article of `outlet`: `outlet_repeat_margin`
        times the share of the story's other members that come from that outlet.

        A story its outlet wrote alone is most likely another event of that outlet's
        beat; once other outlets report the story, a repeat by one outlet that follows
        it closely is less telling."""
        if not outlet:
            return 0.0
        mine = 1 if key in story.members else 0
        others = len(story.members) - mine
        same = story.outlets[outlet] - mine
        if same <= 0 or others <= 0:
            return 0.0
        return self.config.outlet_repeat_margin * same / others

    def _chapters(self, sid: int) -> set[int]:
        """The stories of one affair: `sid`, those it continues and those continuing them.

        An article never moves between them: they are divided by time, not by topic."""
        if not self.continues:
            return {sid}
        root, seen = sid, {sid}
        while root in self.continues and self.continues[root] not in seen:
            root = self.continues[root]
            seen.add(root)
        chapters = {root}
        grown = True
        while grown:
            more = {new for new, old in self.continues.items() if old in chapters}
            grown = not more <= chapters
            chapters |= more
        return chapters

    def _continuation(self, closed: Cluster, moment: datetime | None) -> Cluster:
        """The open story that continues `closed`: the latest one, or a new one."""
        latest = max((new for new, old in self.continues.items() if old == closed.id), default=None)
        if latest is not None:
            story = self._stories.get(latest)
            if story is not None and story.active and not self._closed(story, moment):
                return story
        story = self._new_story()
        self.continues[story.id] = closed.id
        return story

    def _closed(self, story: Cluster, moment: datetime | None) -> bool:
        """Whether a story with an article of `moment` would run longer than `max_span`
        (never without dates)."""
        span = self.config.max_span
        if span is None or moment is None or story.first is None:
            return False
        last = story.last or story.first
        return max(last, moment) - min(story.first, moment) > span

    def _new_story(self) -> Cluster:
        story = Cluster(self._next_id)
        self._next_id += 1
        self._stories[story.id] = story
        return story

    def _join(self, story: Cluster, key: Key) -> None:
        """Make `key` (already added) a member of `story`."""
        story.members[key] = None
        self._story_of[key] = story.id
        story.outlets[self._outlet_of.get(key, "")] += 1
        self._touch(story)
        published = self._published.get(key)
        if published is not None:
            if story.first is None or published < story.first:
                story.first = published
            if story.last is None or published > story.last:
                story.last = published
        if not story.active:  # an editor's link brings a story back into the window
            story.active = True
        vector = self._vectors.get(key)
        if vector:
            self._add_vector(story, vector)

    def _touch(self, story: Cluster) -> None:
        story.last_seq = self._seq
        self._by_seq.append((self._seq, story.id))

    def _add_vector(self, story: Cluster, vector: Vector) -> None:
        centroid = story.centroid
        story.norm2 += 2 * dot(vector, centroid) + norm2(vector)
        for index, weight in vector.items():
            centroid[index] = centroid.get(index, 0.0) + weight
        for term, _ in heaviest(vector, self.config.index_terms):
            if term not in story.terms:
                story.terms.add(term)
                self._postings.setdefault(term, set()).add(story.id)
        if len(centroid) > 2 * self.config.centroid_terms:
            self._prune(story)

    def _prune(self, story: Cluster) -> None:
        """Keep the `centroid_terms` heaviest terms of a long story's centroid, and the
        index entries of those only: the cost of a story stays bounded however long
        it runs (the cosines change by the weight of the tail, which is small)."""
        story.centroid = ranked(story.centroid, self.config.centroid_terms)
        story.norm2 = norm2(story.centroid)
        for term in story.terms - story.centroid.keys():
            posting = self._postings.get(term)
            if posting is not None:
                posting.discard(story.id)
                if not posting:
                    del self._postings[term]
        story.terms &= story.centroid.keys()

    def _detach(self, key: Key) -> None:
        """Take an article out of its story, in O(|vector|); an empty story ends.

        An article added before the last `window_articles` no longer has its vector:
        its share of the centroid stays (the centroid remains a fair summary).
        """
        story = self._stories[self._story_of.pop(key)]
        del story.members[key]
        story.outlets[self._outlet_of.get(key, "")] -= 1
        if not story.members:
            self._retire(story)
            del self._stories[story.id]
            return
        vector = self._vectors.get(key)
        if vector and story.active:
            centroid = story.centroid
            present = {index: w for index, w in vector.items() if index in centroid}
            story.norm2 = max(0.0, story.norm2 - 2 * dot(present, centroid) + norm2(present))
            for index, weight in vector.items():
                value = centroid.get(index)
                if value is None:  # pruned
                    continue
                if abs(value - weight) < 1e-9:
                    del centroid[index]
                else:
                    centroid[index] = value - weight

    # --- the window ------------------------------------------------------------------

    def _evict(self) -> None:
        """Retire the stories whose two clocks have both run out; forget old vectors."""
        config = self.config
        limit = self._seq - config.window_articles
        while self._recent and self._recent[0][0] <= limit:
            self._vectors.pop(self._recent.popleft()[1], None)
        cutoff = None
        if config.window is not None and self._clock is not None:
            cutoff = self._clock - config.window
        while self._by_seq and self._by_seq[0][0] <= limit:
            seq, sid = self._by_seq.popleft()
            story = self._stories.get(sid)
            if story is None or not story.active or story.last_seq != seq:
                continue  # gone, retired, or joined again since
            if story.last is None or cutoff is None or story.last < cutoff:
                self._retire(story)
            else:  # recent by date: wait for that clock
                heapq.heappush(self._by_time, (story.last, sid))
        while cutoff is not None and self._by_time and self._by_time[0][0] < cutoff:
            last, sid = heapq.heappop(self._by_time)
            story = self._stories.get(sid)
            if (
                story is not None
                and story.active
                and story.last == last
                and story.last_seq <= limit
            ):
                self._retire(story)

    def _retire(self, story: Cluster) -> None:
        """The story leaves the window: similarity can no longer find it."""
        story.active = False
        for term in story.terms:
            posting = self._postings.get(term)
            if posting is not None:
                posting.discard(story.id)
                if not posting:
                    del self._postings[term]
        story.terms = set()
        story.centroid = {}
        story.norm2 = 0.0

    # --- hindsight -------------------------------------------------------------------

    def refine(self, rounds: int | None = None) -> int:
        """Revisit the window: how many articles moved and stories merged.

        The single pass placed each article among the stories as they were when it
        came. Here each recent article moves to the story it now fits best (its own
        story counted without it), and then stories whose centroids are alike merge.
        Articles under editors' constraints stay where they are, and stories kept
        apart by a cannot-link never merge.
        """
        rounds = self.config.refine_rounds if rounds is None else rounds
        changes = 0
        for _ in range(rounds):
            changed = self._reassign() + self._merge_alike()
            changes += changed
            if not changed:
                break
        return changes

    def _reassign(self) -> int:
        threshold = self.config.attach_threshold
        moved = 0
        for key, vector in list(self._vectors.items()):
            if not vector or key in self.constraints:
                continue
            story = self._stories[self._story_of[key]]
            if not story.active:
                continue
            own = -1.0
            if len(story.members) > 1:  # cosine with the story without this article
                centroid = story.centroid
                common = vector.keys() & centroid.keys()
                mine = sum(vector[index] * vector[index] for index in common)
                dot = sum(vector[index] * centroid[index] for index in common)
                rest_norm2 = story.norm2 - 2 * dot + mine
                if rest_norm2 > 1e-12:
                    own = (dot - mine) / math.sqrt(rest_norm2)
            self._moment = self._published.get(key)
            self._asking = (self._outlet_of.get(key, ""), key)
            best = self._best(vector, self._chapters(story.id), max(own, threshold))
            self._moment = None
            self._asking = None
            if best is not None and best.similarity(vector) > own:
                self._detach(key)
                self._join(best, key)
                moved += 1
        return moved

    def _merge_alike(self) -> int:
        merged = 0
        threshold = self.config.merge_threshold
        for sid in sorted(self._stories):
            story = self._stories.get(sid)
            if story is None or not story.active or story.norm2 <= 1e-12:
                continue
            scale = 1.0 / math.sqrt(story.norm2)
            probe = ranked({index: weight * scale for index, weight in story.centroid.items()})
            best: Cluster | None = None
            best_score = threshold
            for other_id in self._candidates(probe):
                if other_id == sid:
                    continue
                other = self._stories[other_id]
                score = other.similarity(probe)
                better = score > best_score or (best is None and score == best_score)
                if (
                    better
                    and not self._kept_apart(story, other)
                    and not self._too_long(story, other)
                ):
                    best, best_score = other, score
            if best is not None:
                self._merge(min(sid, best.id), max(sid, best.id))
                merged += 1
        return merged

    def _too_long(self, a: Cluster, b: Cluster) -> bool:
        """Whether two stories together would run longer than `max_span`."""
        span = self.config.max_span
        dates = [d for d in (a.first, a.last, b.first, b.last) if d is not None]
        return span is not None and len(dates) > 1 and max(dates) - min(dates) > span

    def _kept_apart(self, a: Cluster, b: Cluster) -> bool:
        if not self.constraints:
            return False
        small, large = (a, b) if len(a.members) <= len(b.members) else (b, a)
        return any(
            not large.members.keys().isdisjoint(self.constraints.apart(key))
            for key in small.members
            if key in self.constraints
        )

    def _merge(self, keep_id: int, gone_id: int) -> None:
        """Story `gone_id` becomes part of story `keep_id`."""
        keep, gone = self._stories[keep_id], self._stories.pop(gone_id)
        if gone_id in self.continues:
            self.continues.setdefault(keep_id, self.continues.pop(gone_id))
        for new, old in list(self.continues.items()):  # chapters of `gone` follow it
            if old == gone_id:
                self.continues[new] = keep_id
            if self.continues[new] == new:  # merged with the story it continued
                del self.continues[new]
        for key in gone.members:
            keep.members[key] = None
            self._story_of[key] = keep_id
        keep.outlets.update(gone.outlets)
        keep.first = min((d for d in (keep.first, gone.first) if d), default=None)
        keep.last = max((d for d in (keep.last, gone.last) if d), default=None)
        keep.active = keep.active or gone.active
        keep.norm2 += 2 * dot(keep.centroid, gone.centroid) + gone.norm2
        for index, weight in gone.centroid.items():
            keep.centroid[index] = keep.centroid.get(index, 0.0) + weight
        for term in gone.terms:
            posting = self._postings[term]
            posting.discard(gone_id)
            posting.add(keep_id)
        keep.terms |= gone.terms
        self._touch(keep)
        if len(keep.centroid) > 2 * self.config.centroid_terms:
            self._prune(keep)

    # --- editors' decisions on a live clusterer ----------------------------------------

    def must_link(self, a: Key, b: Key) -> None:
        """Record that two articles share a story, and merge their stories now."""
        self.constraints.merge([a], [b])
        sa, sb = self._story_of.get(a), self._story_of.get(b)
        if sa is not None and sb is not None and sa != sb:
            self._merge(min(sa, sb), max(sa, sb))

    def cannot_link(self, a: Key, b: Key) -> None:
        """Record that `b` is not in `a`'s story; if it is now, it is placed again."""
        self.constraints.split([b], [a])
        if a in self._story_of and self._story_of.get(a) == self._story_of.get(b):
            self._move_out([b], place=True)

    def merge_stories(self, first: int, second: int) -> int:
        """Editors merged two stories: the id of the story they now are (the smaller)."""
        if first == second:
            return first
        self.constraints.merge(self._stories[first].members, self._stories[second].members)
        self._merge(min(first, second), max(first, second))
        return min(first, second)

    def split_out(self, keys: Sequence[Key]) -> int:
        """Editors split articles out of their stories into a new story: its id."""
        leaving = list(dict.fromkeys(keys))
        if not leaving:
            raise StoryError("name at least one article to split out")
        sids = sorted({self._story_of[key] for key in leaving})
        rest = [m for sid in sids for m in self._stories[sid].members if m not in leaving]
        self.constraints.split(leaving, rest)
        return self._move_out(leaving, place=False)

    def _move_out(self, keys: Sequence[Key], place: bool) -> int:
        """Take articles (with their must-link groups) out of their stories.

        With `place` they are placed again like a new article, away from the
        stories they are kept from; otherwise they start a new story together.
        """
        moving: list[Key] = []
        for key in keys:
            for member in sorted(self.constraints.group(key), key=key_order):
                if member in self._story_of and member not in moving:
                    moving.append(member)
        for key in moving:
            self._detach(key)
        target: Cluster | None = None
        if place:
            summed: Vector = {}
            for key in moving:
                for index, weight in self._vectors.get(key, {}).items():
                    summed[index] = summed.get(index, 0.0) + weight
            norm = math.sqrt(norm2(summed)) or 1.0
            probe = ranked({index: weight / norm for index, weight in summed.items()})
            excluded = self._excluded(moving[0])
            target = self._best(probe, excluded, self.config.join_threshold)
        if target is None:
            target = self._new_story()
        for key in moving:
            self._join(target, key)
        return target.id


def _in_time_order(articles: Iterable[StoryInput]) -> list[StoryInput]:
    """By date; an undated article stays after the dated article it followed."""
    ordered: list[tuple[datetime, int, StoryInput]] = []
    carried = EPOCH
    for position, article in enumerate(articles):
        published = as_utc(article.published)
        if published is not None:
            carried = published
        ordered.append((carried, position, article))
    ordered.sort(key=lambda item: (item[0], item[1]))
    return [article for _, _, article in ordered]


def cluster(
    articles: Iterable[StoryInput],
    constraints: Constraints | None = None,
    config: StoryConfig | None = None,
    progress: Callable[[], None] | None = None,
) -> dict[Key, int]:
    """Cluster a batch (see `StoryClusterer.add_batch`): article key -> story id, the
    ids numbered from 1 in the order of each story's first article. A batch without
    any date is one window, however large."""
    return cluster_stories(articles, constraints, config, progress).assignments


@dataclass(frozen=True)
class Clustering:
    assignments: dict[Key, int]  # article key -> story id (1, 2, ...)
    continues: dict[int, int]  # story id -> the closed story it continues


def cluster_stories(
    articles: Iterable[StoryInput],
    constraints: Constraints | None = None,
    config: StoryConfig | None = None,
    progress: Callable[[], None] | None = None,
) -> Clustering:
    """`cluster`, with the links from stories to the closed stories they continue."""
    batch = _in_time_order(articles)
    config = config or StoryConfig()
    if all(article.published is None for article in batch):  # no clock but the batch
        config = replace(config, window_articles=max(config.window_articles, len(batch)))
    clusterer = StoryClusterer(config, constraints)
    clusterer.add_batch(batch, progress)
    raw = clusterer.assignments()
    order = [article.key for article in batch]
    ids: dict[int, int] = {}
    for key in order:
        ids.setdefault(raw[key], len(ids) + 1)
    continues = {
        ids[new]: ids[old]
        for new, old in clusterer.continues.items()
        if new in ids and old in ids and new != old
    }
    return Clustering({key: ids[raw[key]] for key in order}, continues)
