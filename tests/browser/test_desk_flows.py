"""The desk's main flows in a real browser: inbox to published issue, roles,
a hostile article, two editors on one item, and axe on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsdesk.ingest.models import Article
from newsdesk.newsroom.models import Issue, Item, Publication, Story

pytestmark = pytest.mark.browser


def story(key_title: str) -> Story:
    return Story.objects.get(title__startswith=key_title)


def pick(page: Any, target: Story) -> None:
    page.goto("/desk/cpw/")
    row = page.locator(f"#story-{target.pk}")
    row.get_by_role("button", name=re.compile(r"^Pick")).click()
    page.get_by_text("Drafted item").wait_for()


def test_an_editor_takes_the_week_to_a_published_issue(desk: Any, desk_world: Publication) -> None:
    me = desk()
    page = me.login("editor")
    me.shot("inbox")
    breach, port = story("Hackers spent"), story("Chinese lenders")
    pick(page, breach)
    pick(page, port)
    page.locator(f"#story-{breach.pk}").get_by_role(
        "link", name=re.compile("Edit the draft")
    ).click()
    page.get_by_text("Every check passes.", exact=True).wait_for()
    me.shot("item-editor")
    body = page.get_by_label("Body")
    original = body.input_value()
    # an invented quote fails its check; the editor sees it and takes it out again
    body.fill(original + ' "We will never pay," the chief executive said.')
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("quote not found in any source").wait_for()
    assert page.get_by_text("saved this item while you were editing").count() == 0
    me.shot("item-editor-failing")
    page.get_by_label("Body").fill(original)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Every check passes.", exact=True).wait_for()
    # the issue: start it, add both drafts, chain the second to the first
    page.get_by_role("link", name="Issue", exact=True).click()
    page.get_by_role("button", name="Start a draft issue").click()
    page.locator("input[name=items]").first.wait_for()  # .all() does not wait for the page
    for checkbox in page.locator("input[name=items]").all():
        checkbox.check()
    page.get_by_role("button", name="Add to the issue").click()
    page.get_by_role("button", name=re.compile("^Chain with previous")).first.click()
    page.get_by_text("chained to the item above").wait_for()
    page.get_by_role("link", name="Plain text").click()
    assert "..." in page.locator("pre.preview-text").inner_text()
    me.shot("issue-builder")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_role("button", name="Publish No. 1, no mail sent").click()
    page.get_by_text("Published Corvia Policy Watch No. 1.").wait_for()
    issue = Issue.objects.get(publication=desk_world, status=Issue.Status.PUBLISHED)
    assert issue.number == 1 and issue.items.count() == 2
    page.goto(f"/cpw/{issue.number}/")
    assert "No. 1" in page.content() or "1" in page.title()
    assert Item.objects.get(story=breach).headline.upper() in page.content().upper()
    me.shot("published-issue")
    assert me.errors == []


def test_a_contributor_cannot_publish(desk: Any, desk_world: Publication) -> None:
    editor = desk()
    page = editor.login("editor")
    pick(page, story("Hackers spent"))
    page.goto("/desk/cpw/issue/")
    page.get_by_role("button", name="Start a draft issue").click()
    page.locator("input[name=items]").first.check()
    page.get_by_role("button", name="Add to the issue").click()
    issue = Issue.objects.get(publication=desk_world, status=Issue.Status.DRAFT)
    helper = desk()
    page = helper.login("contributor")
    page.goto("/desk/cpw/issue/")
    assert page.get_by_role("button", name="Publish").count() == 0
    # forging the request from the contributor's own page is refused on the server
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token, mode: 'now'});
            const r = await fetch(url, {method: 'POST', body});
            return r.status;
        }""",
        f"/desk/cpw/issue/{issue.pk}/publish",
    )
    assert status == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT and issue.number is None


def test_a_hostile_article_runs_no_script(desk: Any, desk_world: Publication) -> None:
    target = story("Chinese lenders")
    Article.objects.filter(story=target).update(
        html='<p>Loan terms</p><script>window.pwned = 1; alert("script")</script>'
        '<img src="x" onerror="window.pwned = 2; alert(\'img\')">'
        '<a href="javascript:alert(\'link\')" id="evil">read more</a>'
        '<svg><script>alert("svg")</script></svg><iframe src="javascript:alert(1)"></iframe>'
        '<style>body{display:none}</style><p style="background:url(javascript:alert(1))">x</p>'
    )
    me = desk()
    page = me.login("viewer")
    response = page.goto(f"/desk/cpw/stories/{target.pk}/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") is None
    assert me.dialogs == []
    assert page.locator("script:not([src])").count() == 0
    assert page.get_by_text("Loan terms").first.is_visible()
    me.shot("story-hostile")


def test_two_editors_get_a_conflict_not_a_lost_edit(desk: Any, desk_world: Publication) -> None:
    first = desk()
    page = first.login("editor")
    pick(page, story("Hackers spent"))
    item = Item.objects.get(story=story("Hackers spent"))
    second = desk()
    other = second.login("second")
    page.goto(f"/desk/cpw/items/{item.pk}/")
    other.goto(f"/desk/cpw/items/{item.pk}/")
    page.get_by_label("Teaser").fill("Breach went unseen for eleven months")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved:").wait_for()
    other.get_by_label("Teaser").fill("Telecom breach found by a hot router")
    other.get_by_role("button", name="Save", exact=True).click()
    other.get_by_text("saved this item while you were editing").wait_for()
    second.shot("item-conflict")
    assert "Telecom breach found by a hot router" in other.content()  # kept for them
    item.refresh_from_db()
    assert item.teaser == "Breach went unseen for eleven months"


def test_no_serious_accessibility_violation_on_any_desk_page(
    desk: Any, desk_world: Publication
) -> None:
    me = desk(bypass_csp=True)  # axe is injected as a script: only this context allows it
    page = me.login("editor")
    target = story("Hackers spent")
    pick(page, target)
    item = Item.objects.get(story=target)
    pages = {
        "inbox": "/desk/cpw/",
        "story": f"/desk/cpw/stories/{target.pk}/",
        "item": f"/desk/cpw/items/{item.pk}/",
        "issue": "/desk/cpw/issue/",
        "sources": "/desk/cpw/sources/",
        "backissues": "/desk/cpw/backissues/",
        "settings": "/desk/cpw/settings/",
    }
    found = {}
    for name, path in pages.items():
        response = page.goto(path)
        if response.status == 404:  # a page not built yet is not an accessibility pass
            found[name] = [{"id": "missing page", "impact": "critical", "nodes": [path]}]
            continue
        found[name] = me.axe()
        me.shot(f"axe-{name}")
    me.context.clear_cookies()
    page.goto("/accounts/login/")
    found["login"] = me.axe()
    me.shot("login")
    assert {name: v for name, v in found.items() if v} == {}


def test_the_bookmarklet_brings_a_paywalled_page_whole(
    desk: Any, desk_world: Publication, http_server: Any, tmp_path: Any
) -> None:
    """The article's page (another origin) hands its HTML to the clip page on request."""
    (tmp_path / "story.html").write_text(
        "<html><head><title>Corvia port levy doubles</title></head><body>"
        "<nav>Subscribe now</nav><article><h1>Corvia port levy doubles</h1>"
        "<p>The port authority of Valdoria doubled its levy on transit cargo on Monday.</p>"
        "<p>Shipping groups said the change would add 40 dollars a container.</p>"
        "<script>window.tracking = 1</script></article></body></html>",
        encoding="utf-8",
    )
    me = desk()
    page = me.login("contributor")
    page.goto("/desk/cpw/sources/")
    code = page.locator("a.bookmarklet").get_attribute("href")
    assert code.startswith("javascript:")
    article = me.context.new_page()
    article.goto(f"{http_server.base}/story.html")
    with me.context.expect_page() as opened:
        article.evaluate(code.removeprefix("javascript:"))
    clip = opened.value
    clip.wait_for_load_state()
    clip.get_by_text("The page's HTML arrived").wait_for()
    assert clip.get_by_label("Title").input_value() == "Corvia port levy doubles"
    clip.get_by_label("Outlet").fill("Valdoria Shipping News")
    clip.get_by_role("button", name="Store the article").click()
    clip.get_by_text("Stored “Corvia port levy doubles”").wait_for()
    stored = Article.objects.get(title="Corvia port levy doubles")
    assert "doubled its levy on transit cargo" in stored.text
    assert "40 dollars a container" in stored.text and "tracking" not in stored.text
