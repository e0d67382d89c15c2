"""The item editor: saving with conflict detection, autosave, sources and categories,
the checks redrawn, history with diffs and restore, redraft."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsdesk.newsroom import drafting
from newsdesk.newsroom.editing import version_of
from newsdesk.newsroom.history import word_diff
from newsdesk.newsroom.models import AuditEntry, Issue, Item, ItemRevision, Publication
from newsdesk.newsroom.publications import category
from newsdesk.newsroom.tasks import redraft_item
from newsdesk.ops.worker import run_worker
from tests.desk.conftest import logged_in, member
from tests.stored_week import store_week

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(pub: Publication) -> Item:
    story = store_week(pub)["breach"]
    return drafting.save_draft(pub, story, drafting.draft_story(pub, story), "drafter")


def published(item: Item) -> Item:
    """The item, in a published issue: frozen."""
    item.issue = Issue.objects.create(
        publication=item.publication,
        number=1,
        status=Issue.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    item.save(update_fields=["issue"])
    return item


def url(item: Item, action: str = "") -> str:
    return f"/desk/cpw/items/{item.pk}/{action}"


def form(item: Item, **changes: object) -> dict[str, object]:
    item.refresh_from_db()
    data: dict[str, object] = {
        "version": version_of(item),
        "headline": item.headline,
        "teaser": item.teaser,
        "body": item.body,
    }
    data.update(changes)
    return data


def test_the_editor_shows_fields_checks_and_sentence_support(item: Item) -> None:
    html = logged_in(item.publication, "viewer").get(url(item)).content.decode()
    assert 'id="f-headline"' in html and item.headline.replace("'", "&#x27;") in html
    assert "Every check passes." in html
    assert 'class="sentence supported"' in html and 'role="tooltip"' in html
    assert "Restore this version" not in html  # a viewer restores nothing


def test_save_records_a_revision_reruns_checks_and_audits(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    invented = item.body + ' "We will never pay," the chief executive said.'
    response = client.post(url(item, "save"), form(item, body=invented))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.body == invented and item.verification["ok"] is False
    assert any(flag.startswith("quote") for flag in item.verification["flags"])
    revision = item.revisions.order_by("-at", "-id").first()
    assert revision.editor == "editor" and revision.changes["body"][1] == invented
    entry = AuditEntry.objects.get(action="edit", target_id=item.pk)
    assert entry.after == {"body": invented}
    html = client.get(url(item)).content.decode()
    assert "2 checks fail" in html and "quote not found in any source" in html
    assert "sentence not supported by the sources" in html


def test_two_editors_get_a_conflict_not_a_lost_edit(item: Item) -> None:
    first, second = logged_in(item.publication, "editor"), Client()
    second.force_login(member(item.publication, "editor", "second"))
    loaded = form(item)  # both load the same version
    first_body = item.body + " First editor's line."
    assert first.post(url(item, "save"), {**loaded, "body": first_body}).status_code == 302
    second_body = item.body + " Second editor's line."
    response = second.post(url(item, "save"), {**loaded, "body": second_body})
    assert response.status_code == 409
    html = response.content.decode()
    assert "editor saved this item while you were editing" in html
    assert "Second editor&#x27;s line." in html  # their own text is kept on the page
    item.refresh_from_db()
    assert item.body == first_body  # nothing overwritten
    # saving again on top of the version now shown works
    assert second.post(url(item, "save"), form(item, body=second_body)).status_code == 302


def test_the_save_url_opened_after_a_conflict_goes_to_the_editor(item: Item) -> None:
    """The 409 page stays at .../save: reloading it by GET, going Back to it or opening
    it gave an empty 405 (review); each change of the item's page goes back to it."""
    client = logged_in(item.publication, "editor")
    for action in ("save", "autosave", "redraft", "restore"):
        response = client.get(url(item, action))
        assert response.status_code == 302, action
        assert response["Location"] == f"/desk/cpw/items/{item.pk}/"
    assert client.head(url(item, "save"))["Location"] == f"/desk/cpw/items/{item.pk}/"
    # a change without a page of its own still answers a GET with 405
    assert client.get(f"/desk/cpw/stories/{item.story_id}/dismiss").status_code == 405


def test_autosave_redraws_the_panel_and_moves_the_version(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    data = form(item, teaser="Telecom breach ran for months")
    response = client.post(url(item, "autosave"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    item.refresh_from_db()
    assert item.teaser == "Telecom breach ran for months"
    assert 'id="check-panel"' in html and "Saved at" in html
    assert re.search(r'id="version" value="([^"]+)" hx-swap-oob', html).group(1) == version_of(item)
    stale = client.post(url(item, "autosave"), {**data, "teaser": "Other"}, HTTP_HX_REQUEST="true")
    assert "Not saved" in stale.content.decode()
    item.refresh_from_db()
    assert item.teaser == "Telecom breach ran for months"


def test_sources_and_categories_are_chosen_on_the_form(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    articles = sorted(item.story.articles.all(), key=lambda a: a.outlet)
    topic = category(item.publication, "Cybersecurity", "topic")
    data = form(item, source=[str(articles[0].pk)], category=[str(topic.pk)])
    data |= {"sources-shown": "1", "categories-shown": "1"}
    assert client.post(url(item, "save"), data).status_code == 302
    assert [s.outlet for s in item.sources.all()] == [articles[0].outlet]
    assert list(item.categories.values_list("name", flat=True)) == ["Cybersecurity"]
    changes = item.revisions.order_by("-at", "-id").first().changes
    assert set(changes) == {"sources", "categories"}
    # no source at all is refused, and nothing changes
    empty = form(item) | {"sources-shown": "1"}
    page = client.post(url(item, "save"), empty, follow=True).content.decode()
    assert "cite at least one source" in page and item.sources.count() == 1


def test_history_shows_diffs_and_restores_an_earlier_version(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    original = item.headline
    client.post(url(item, "save"), form(item, headline="Telecom breach lasted eleven months"))
    client.post(url(item, "save"), form(item, headline="Breach at telecom found"))
    html = client.get(url(item)).content.decode()
    assert "<del>" in html and "<ins>" in html
    created = ItemRevision.objects.filter(item=item).order_by("at", "id").first()
    response = client.post(url(item, "restore"), form(item) | {"revision": created.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.headline == original
    assert item.revisions.count() == 4  # the restore is a revision too


@pytest.mark.django_db(transaction=True)  # the worker commits as a worker does
def test_redraft_replaces_the_text_and_keeps_the_old_in_history(item: Item) -> None:
    client = logged_in(item.publication, "contributor")
    client.post(url(item, "save"), form(item, body="A body the editor wrote by hand."))
    response = client.post(url(item, "redraft"), form(item) | {"backend": "extractive"})
    assert response.status_code == 302
    page = client.get(url(item, "")).content.decode()
    assert "Drafting again with extractive" in page and 'hx-trigger="every 3s"' in page
    item.refresh_from_db()
    assert item.body == "A body the editor wrote by hand."  # a worker does it
    assert run_worker(batch=True) == 0
    item.refresh_from_db()
    assert item.body != "A body the editor wrote by hand." and item.verification["ok"] is True
    assert "Drafting again" not in client.get(url(item, "")).content.decode()
    page = client.post(url(item, "redraft"), form(item) | {"backend": "nope"}, follow=True)
    assert "unknown backend" in page.content.decode()


def test_a_viewer_cannot_save_and_nothing_changes(item: Item) -> None:
    before = item.body
    response = logged_in(item.publication, "viewer").post(url(item, "save"), form(item, body="x"))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.body == before and not AuditEntry.objects.filter(action="edit").exists()


def test_an_item_of_another_publication_is_not_found(item: Item) -> None:
    other = Publication.objects.create(name="Other", slug="other")
    client = logged_in(other, "editor")
    assert client.get(f"/desk/other/items/{item.pk}/").status_code == 404


def test_a_stale_save_of_the_same_text_is_no_conflict(item: Item) -> None:
    """The autosave and the Save button racing with the same text: nothing to lose."""
    client = logged_in(item.publication, "editor")
    loaded = form(item, teaser="Breach went unseen for months")
    assert client.post(url(item, "autosave"), loaded, HTTP_HX_REQUEST="true").status_code == 200
    assert client.post(url(item, "save"), loaded).status_code == 302
    item.refresh_from_db()
    assert item.teaser == "Breach went unseen for months"


def test_a_refused_save_keeps_the_editors_text_on_the_item_page(item: Item) -> None:
    """Not the inbox, and nothing typed or ticked is lost: Save is the only way to
    save without htmx."""
    client = logged_in(item.publication, "editor")
    topic = category(item.publication, "Cybersecurity", "topic")
    typed = form(item, body="A body the editor typed, long and careful.", teaser="New teaser")
    typed |= {"sources-shown": "1", "categories-shown": "1", "category": [str(topic.pk)]}
    response = client.post(url(item, "save"), typed)  # every source unticked
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not saved: cite at least one source" in html
    assert ">A body the editor typed, long and careful.</textarea>" in html
    assert 'value="New teaser"' in html
    assert 'name="source" value' in html
    assert not re.search(r'name="source" value="\d+" checked', html)  # as the editor left it
    assert re.search(rf'name="category" value="{topic.pk}" checked', html)
    assert re.search(r'id="version" value="([^"]+)"', html).group(1) == typed["version"]
    before = item.body
    item.refresh_from_db()
    assert item.body == before and item.sources.count() > 0  # nothing saved


def test_a_save_to_a_published_issue_is_refused_on_the_item_page(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    data = form(published(item), body="Too late for this one.")
    response = client.post(url(item, "save"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "only drafts can change" in html and ">Too late for this one.</textarea>" in html


def test_refused_restore_and_redraft_come_back_to_the_item_page(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    restore = client.post(url(item, "restore"), form(item) | {"revision": "999999"})
    assert restore["Location"] == url(item)
    redraft = client.post(url(item, "redraft"), form(item) | {"backend": "nope"})
    assert redraft["Location"] == url(item)
    html = client.get(url(item)).content.decode()
    assert "has no revision #999999" in html and "unknown backend" in html


def autosaved(client: Client, item: Item, page: str, **changes: object) -> str:
    """The page after an autosave, as a browser has it: the form posted, and the
    answer's out-of-band elements swapped in by id."""
    data = form(item, **changes)
    answer = client.post(url(item, "autosave"), data, HTTP_HX_REQUEST="true").content.decode()
    for oob in re.findall(r'<input [^>]*hx-swap-oob="true">', answer):
        key = re.search(r'id="([^"]+)"', oob).group(1)
        page = re.sub(
            rf'<input [^>]*id="{key}"[^>]*>', oob.replace(' hx-swap-oob="true"', ""), page
        )
    return page


def test_every_form_that_sends_the_version_gets_it_after_an_autosave(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    client.post(url(item, "save"), form(item, teaser="A first change"))  # a history to restore
    page = client.get(url(item)).content.decode()
    senders = re.findall(r'<input [^>]*name="version"[^>]*>', page)
    assert len(senders) == 3  # the editor, Draft again, Restore
    page = autosaved(client, item, page, teaser="A second change")
    item.refresh_from_db()
    for sender in re.findall(r'<input [^>]*name="version"[^>]*>', page):
        assert f'value="{version_of(item)}"' in sender, sender


def test_restore_after_an_autosave_is_no_conflict(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    original = item.teaser
    client.post(url(item, "save"), form(item, teaser="Saved by hand"))  # a history to restore
    page = client.get(url(item)).content.decode()
    page = autosaved(client, item, page, teaser="Typed, then saved by itself")
    page = autosaved(client, item, page, teaser="Typed again")
    version = re.search(r'id="restore-version" value="([^"]+)"', page).group(1)
    first = ItemRevision.objects.filter(item=item).order_by("at", "id").first()
    assert f'form="restore-form" name="revision" value="{first.pk}"' in page
    response = client.post(url(item, "restore"), {"version": version, "revision": first.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.teaser == original


def test_an_item_of_a_withdrawn_issue_says_so_and_how_to_correct_it(item: Item) -> None:
    """The page said "published" of an issue withdrawn, and "a correction is a later
    issue's item" without a way there."""
    client = logged_in(item.publication, "editor")
    page = client.get(url(published(item))).content.decode()
    assert "Corvia Policy Watch No. 1, published: it no longer changes" in page
    again = f'href="/desk/cpw/#story-{item.story_id}">pick its story again</a>'
    assert again in page
    Issue.objects.filter(pk=item.issue_id).update(status=Issue.Status.WITHDRAWN)
    page = client.get(url(item)).content.decode()
    assert "in No. 1 (withdrawn)" in page and ">Save</button>" not in page
    assert "Corvia Policy Watch No. 1, withdrawn: it no longer changes" in page
    assert again in page


def test_draft_again_is_refused_for_an_item_of_a_published_issue(item: Item) -> None:
    client = logged_in(item.publication, "editor")
    page = client.get(url(published(item))).content.decode()
    assert "Draft again" not in page and "Restore this version" not in page
    assert ">Save</button>" not in page and "published: it no longer changes" in page
    response = client.post(url(item, "redraft"), form(item) | {"backend": "extractive"})
    assert response["Location"] == url(item)
    page = client.get(url(item)).content.decode()
    assert "cannot be drafted again: Corvia Policy Watch No. 1 is published" in page
    assert "Drafting again with" not in page
    assert not DBTaskResult.objects.exists()  # nothing for a worker to fail on


@pytest.mark.django_db(transaction=True)  # the worker commits as a worker does
def test_a_redraft_that_changed_nothing_says_why(item: Item) -> None:
    client = logged_in(item.publication, "contributor")
    loaded = form(item)
    client.post(url(item, "save"), form(item, body="Another editor's body."))
    client.post(url(item, "redraft"), loaded | {"backend": "extractive"})  # a stale version
    assert run_worker(batch=True) == 0
    item.refresh_from_db()
    assert item.body == "Another editor's body."
    page = client.get(url(item)).content.decode()
    assert "Drafting again with extractive changed nothing" in page
    assert "contributor saved this item meanwhile" in page
    client.post(url(item, "save"), form(item, body="A newer body."))  # the editor moved on
    assert "changed nothing" not in client.get(url(item)).content.decode()
    # an issue published between the request and the worker: refused, not retried
    redraft_item.enqueue(
        item.publication.pk, item.pk, "contributor", form(item)["version"], "extractive"
    )
    published(item)
    assert run_worker(batch=True) == 0
    page = client.get(url(item)).content.decode()
    assert "changed nothing" in page and "only drafts can change" in page
    assert DBTaskResult.objects.filter(status="FAILED").count() == 0


def test_a_change_posted_after_the_log_in_ended_comes_back_to_its_page(item: Item) -> None:
    """Not to the change's URL, which is no page to come back to; and an
    autosave gets a 401 its script reports, not the log-in page to swap into the editor."""
    client = Client()
    saved = client.post(url(item, "save"), form(item, teaser="Typed too late"))
    assert saved.status_code == 302
    assert saved["Location"] == f"/accounts/login/?next=/desk/cpw/items/{item.pk}/"
    auto = client.post(url(item, "autosave"), form(item), HTTP_HX_REQUEST="true")
    assert auto.status_code == 401 and b"log-in has ended" in auto.content
    # a form naming its page goes back there
    picked = client.post(f"/desk/cpw/stories/{item.story_id}/pick", {"next": "/desk/cpw/?q=x"})
    assert picked["Location"] == "/accounts/login/?next=/desk/cpw/%3Fq%3Dx"
    item.refresh_from_db()
    assert item.teaser != "Typed too late"


def test_the_log_in_page_says_a_change_sent_after_the_log_in_ended_was_not_made(
    item: Item,
) -> None:
    """The editor pressed Publish, or Dismiss, logged in again and came back to the page
    without a word that nothing had been done."""
    client = Client()
    sent = client.post(f"/desk/cpw/stories/{item.story_id}/dismiss", {"next": "/desk/cpw/"})
    page = client.get(sent["Location"]).content.decode()
    assert "Your log-in had ended, so what you just sent was not done" in page
    assert 'name="next" value="/desk/cpw/"' in page
    assert not AuditEntry.objects.filter(action="dismiss").exists()
    # said once: not again on the page the log-in leads back to
    client.force_login(member(item.publication, "editor"))
    assert "Your log-in had ended" not in client.get("/desk/cpw/").content.decode()


def test_a_poll_after_the_log_in_ended_gets_a_401_not_the_log_in_page(item: Item) -> None:
    """The "Draft again" notice polls its page every 3 s: after the log-in ended, htmx
    swapped the log-in page into the editor."""
    client = Client()
    poll = client.get(url(item), HTTP_HX_REQUEST="true")
    assert poll.status_code == 401 and b"log-in has ended" in poll.content
    assert client.get(url(item))["Location"].startswith("/accounts/login/")


def test_the_history_shows_a_paragraph_break_added_or_removed() -> None:
    """A page collapses white space: a break alone showed as no change at all (review)."""
    split = word_diff("One paragraph. Then more.", "One paragraph.\n\nThen more.")
    assert split == [
        ("same", "One paragraph."),
        ("removed", " "),
        ("added", " ¶ "),
        ("same", "Then more."),
    ]
    joined = word_diff("A.\nB.", "A. B.")
    assert ("removed", " ¶ ") in joined and ("added", " ") in joined
    assert word_diff("A b c", "A x c") == [
        ("same", "A "),
        ("removed", "b"),
        ("added", "x"),
        ("same", " c"),
    ]
