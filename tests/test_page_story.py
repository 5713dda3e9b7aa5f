"""Issue 49, case 3: what a page prints around its story is not the story. The headline without
the site's name and only once; sidebars, "most read", "trending" and footers out of the body;
paywall, subscription and newsletter prompts dropped, a story's sentence about a subscription
kept. Fixtures: tests/fixtures/pages/."""

from __future__ import annotations

import pytest

from framing.news_page import article_from
from framing.page_text import is_promo
from framing.page_title import strip_site_name

from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "pages"
STORY = (
    "<p>The county commission voted 4-1 on Tuesday to buy 12 electric buses for the school district, "
    "using a federal grant that covers most of the $4.6 million cost.</p>"
    "<p>The buses will replace diesel ones on the district's longest rural routes starting next fall.</p>"
)
TEASERS = (
    "<p>A shameless thug brutally beat a helpless grandmother in a horrifying attack that left neighbors disgusted.</p>"
    "<p>Outraged parents slammed the clueless school board over its disastrous plan to cancel the spring concert.</p>"
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def paragraphs(html: str) -> list[str]:
    return article_from(html).text.split("\n\n")


@pytest.mark.parametrize(
    "title, brands, headline",
    [
        ("Storm hits coast - WSVN 7News | Miami News, Weather, Sports | Fort Lauderdale", [], "Storm hits coast"),
        ("Man, 34, shot in Liberty City :: WPLG Local 10", [], "Man, 34, shot in Liberty City"),
        (
            "City council approves new bus routes – Metro Herald",
            ["metroherald"],
            "City council approves new bus routes",
        ),
        ("Opinion | The senator's plan fails | Daily Herald", [], "The senator's plan fails"),
        ("Mayor resigns - nbcmiami.com", [], "Mayor resigns"),
        ("Riverside Courier - Council delays vote on budget", ["Riverside Courier"], "Council delays vote on budget"),
        ("Café owners sue over closure » Altstadt Anzeiger", [], "Café owners sue over closure"),
        # a headline that holds a dash, or a colon, keeps it
        ("Biden - Trump debate set for June", [], "Biden - Trump debate set for June"),
        ("Biden - Trump debate set for June - The Daily Herald", [], "Biden - Trump debate set for June"),
        ("Inflation – what it means for your grocery bill", [], "Inflation – what it means for your grocery bill"),
        ("Senator: 'We will not back down' - CNN Politics", [], "Senator: 'We will not back down'"),
        ("Dolphins beat Jets 24-17 - Sports", [], "Dolphins beat Jets 24-17 - Sports"),
        ("Skyrocketing prices hit Miami - Sky News", ["sky"], "Skyrocketing prices hit Miami"),
    ],
)
def test_a_title_loses_the_sites_name_but_a_headline_keeps_its_dash(title, brands, headline):
    assert strip_site_name(title, brands) == headline


def test_a_page_whose_titles_carry_the_site_name_gives_the_headline_alone():
    article = article_from(fixture("crime_report_sidebar.html"))
    assert article.title == "Police arrest suspect in Little Havana store robbery"
    assert "WSVN 7News" not in article.text and "Fort Lauderdale" not in article.text
    # no <h1>: the page's title, its site's name known from og:site_name or the domain alone
    for meta in (
        '<meta property="og:site_name" content="WSVN 7News">',
        '<meta property="og:url" content="https://wsvn.com/x">',
    ):
        html = (
            f"<html><head><title>Crews restore power after storm - WSVN 7News</title>{meta}</head>"
            f"<body><article>{STORY}</article></body></html>"
        )
        assert article_from(html).title == "Crews restore power after storm"


def test_the_headline_is_analyzed_once_when_og_title_h1_and_the_body_differ():
    """og:title, twitter:title and the <h1> differ, and the body opens with the og:title: the
    <h1> over the story is the headline, and no other form of it is analyzed."""
    article = article_from(fixture("paywall_two_headlines.html"))
    found = article.text.split("\n\n")
    assert article.title == found[0] == "Water rates to rise 9% in July, utility board decides"
    for form in ("Water rates to rise", "what the rate hike means", "Utilities"):
        assert sum(form in paragraph for paragraph in found) == (form == "Water rates to rise"), form
    assert found[1] == "The increase pays for new pipes on the east side, officials said."  # the dek stays


def test_the_sidebar_most_read_and_footer_stay_out_of_a_crime_report():
    found = paragraphs(fixture("crime_report_sidebar.html"))
    assert found[1].startswith("MIAMI (WSVN) - Police have arrested a man") and len(found) == 6
    for left_out in (
        "shameless thug",
        "clueless school board",
        "reckless driver",
        "Weekend forecast",
        "Copyright 2024",
        "Privacy Policy",
    ):
        assert not [p for p in found if left_out in p], left_out


@pytest.mark.parametrize(
    "box",
    [
        '<aside class="rail">{}</aside>',
        '<div class="sidebar">{}</div>',
        '<div id="most-read-module">{}</div>',
        '<section class="c-related_stories">{}</section>',
        '<div class="trending-now">{}</div>',
        '<div role="complementary">{}</div>',
        '<div class="box"><h3>Most Popular</h3>{}</div>',
        '<div class="box"><h4>You may also like</h4><div class="list">{}</div></div>',
        '<footer class="page-bottom">{}</footer>',
    ],
)
def test_boxes_around_the_story_stay_out_whatever_they_are_called(box):
    html = (
        f"<html><head><title>County buys electric school buses</title></head><body><div class='wrap'>"
        f"<div class='col'><h1>County buys electric school buses</h1>{STORY}</div>"
        f"<div class='col'>{box.format(TEASERS)}</div></div></body></html>"
    )
    text = article_from(html).text
    assert "The buses will replace diesel ones" in text
    assert "shameless thug" not in text and "clueless school board" not in text


def test_a_block_named_like_boilerplate_that_holds_the_story_stays():
    """A "paywall" <div> wrapping the second half of a story is the story."""
    rest = "".join(
        f"<p>Paragraph {n} of the story tells how the commission reached its decision on the buses.</p>"
        for n in range(4)
    )
    html = (
        f"<html><body><article class='story'><h1>County buys electric school buses</h1>{STORY}"
        f"<div class='paywall-content'>{rest}</div></article></body></html>"
    )
    text = article_from(html).text
    assert all(f"Paragraph {n} of the story" in text for n in range(4))


@pytest.mark.parametrize(
    "text",
    [
        "Get unlimited access for $1 a week",
        "Already a subscriber? Log in",
        "Subscribe today for just 99 cents.",
        "Support local journalism. Subscribe today.",
        "This article is for subscribers only.",
        "You have 2 free articles remaining this month.",
        "Create a free account to continue reading.",
        "Sign up for The Morning Ledger newsletter",
        "Get our free daily newsletter delivered to your inbox.",
        "Story continues below advertisement",
        "Unlock unlimited digital access for 99¢",
        (
            "Copyright 2024 Sunbeam Television Corp. All rights reserved. This material may not be published, "
            "broadcast, rewritten or redistributed."
        ),
        "By Ruth Ann Keller, Staff Writer",
        "Reporting by Natalia Ramos; Editing by Paul Simao",
        "The Associated Press contributed to this report.",
        "Published Tuesday, May 6, 2024 at 9:15 a.m.",
        "___",
    ],
)
def test_paywall_newsletter_and_copyright_lines_are_dropped(text):
    assert is_promo(text)


@pytest.mark.parametrize(
    "text",
    [
        "Customers who receive a subscription discount will keep it, the board said.",
        "The deal gives police unlimited access to the camera network.",
        "Subscribers to the county's alert system got the warning at 6 a.m.",
        "The newsletter was sent to 400 members.",
        "Copyright lawsuits against AI firms multiplied this year.",
        "By Monday, the shelters were full.",
        "Already, the city has spent $2 million on repairs.",
        "Loading docks at the port were closed.",
        "Login attempts surged after the breach.",
        "Tips can be sent to police at tips@city.gov, the chief said.",
        "Published in 1998, the report found fraud.",
    ],
)
def test_a_story_sentence_about_subscriptions_or_copyright_stays(text):
    assert not is_promo(text)


def test_paywall_prompts_leave_a_story_and_its_subscription_sentence_stays():
    found = paragraphs(fixture("paywall_two_headlines.html"))
    for left_out in ("unlimited access", "Already a subscriber", "newsletter", "Support local journalism", "©"):
        assert not [p for p in found if left_out in p], left_out
    assert (
        "Customers who receive a subscription discount through the authority's assistance program will keep it, "
        "the board said."
    ) in found
    assert found[-1] == "Two members who voted no said the board should have phased in the increase over three years."


def test_a_link_or_a_bold_word_named_like_boilerplate_inside_a_sentence_stays():
    html = (
        "<html><body><article><h1>County buys electric school buses</h1>"
        "<p>The county commission voted on Tuesday, <a class='related-link' href='/x'>after months of debate</a>, "
        "to buy 12 electric buses for the school district with a federal grant.</p>"
        "<p><b>Trending</b> topics at the meeting included the cost of charging stations and driver training.</p>"
        "</article></body></html>"
    )
    found = paragraphs(html)
    assert (
        "The county commission voted on Tuesday, after months of debate, to buy 12 electric buses for the school "
        "district with a federal grant."
    ) in found
    assert "Trending topics at the meeting included the cost of charging stations and driver training." in found


def test_the_summary_under_the_headline_is_analyzed_once():
    """A dek or standfirst frames the story as its headline does; trafilatura leaves it out."""
    for dek in (
        '<p class="article__dek">Officials say the grant covers most of the $4.6 million cost.</p>',
        '<div data-gu-name="standfirst"><p>Officials say the grant covers most of the $4.6 million cost.</p></div>',
    ):
        html = (
            f"<html><body><article><header><h1>County buys electric school buses</h1>{dek}</header>"
            f"<div class='body'>{STORY}</div></article></body></html>"
        )
        found = paragraphs(html)
        assert found[:2] == [
            "County buys electric school buses",
            "Officials say the grant covers most of the $4.6 million cost.",
        ]
        assert sum("grant covers most" in p for p in found) == 1
