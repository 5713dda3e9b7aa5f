"""The pages of the page-extraction benchmark (benchmarks/page_extraction.py): each generated,
deterministically from a seed, from a story and a layout of the shapes real news pages take,
with the snippets that must be kept and those that must not."""

from __future__ import annotations

import base64
import json
import quopri
import random
from html import escape

from page_parts import (
    DAYS,
    LINKS,
    PEOPLE,
    STATEMENTS,
    TEASERS,
    decorate,
    footer,
    head,
    link_list,
    middle,
    nav,
    ps,
    story,
)


# Layouts: each gives (page, must-not snippets); the story's paragraphs and headline are must-haves.
def wordpress(s, rng):
    related, links = link_list(rng, "Related", "jp-relatedposts")
    recent, more = link_list(rng, "Recent Posts", "widget widget_recent_entries")
    body = (
        f'<body class="single-post"><div id="page" class="site">{nav(s)}<div id="content">'
        f'<div id="primary" class="content-area">'
        f'<main id="main"><article class="post type-post"><header class="entry-header">'
        f'<h1 class="entry-title">{s["headline"]}</h1>'
        f'<div class="entry-meta"><span class="byline">By {rng.choice(PEOPLE)}</span></div></header>'
        f'<div class="entry-content">'
        f'{ps(s["html"])}<div class="sharedaddy"><h3 class="sd-title">Share this:</h3>'
        f"<a>Facebook</a> <a>X</a></div>"
        f'{related}</div></article></main></div><aside id="secondary" class="widget-area">{recent}</aside></div>'
        f"{footer(s)}</div></body></html>"
    )
    return head(s) + body, links + more + ["Share this", "All rights reserved"]


def station(s, rng):
    teasers = rng.sample(TEASERS, 3)
    teasers_html = (
        f'<div class="{rng.choice(["col-md-4", "rail-col"])}">'
        f"<h3>{rng.choice(['Trending', 'Most Read', 'Top Stories'])}"
        "</h3>" + "".join(f'<div class="card"><p>{t}</p></div>' for t in teasers) + "</div>"
    )
    p = s["html"] + [
        (
            f"Copyright 2024 {s['site']} Broadcasting Inc. All rights reserved. This material may not be "
            "published, broadcast, rewritten or redistributed."
        )
    ]
    body = (
        f'<body>{nav(s)}<div class="container"><div class="row"><div class="col-md-8">'
        f'<h1 class="headline">{s["headline"]}</h1>'
        f'<div class="body-copy">{ps(p)}</div></div>{teasers_html}</div></div>{footer(s)}</body></html>'
    )
    return head(s) + body, teasers + ["Broadcasting Inc", s["site"]]


def news_site(s, rng):
    p = list(s["html"])
    prompts = [
        "Get unlimited digital access for just $1 a week",
        "Already a subscriber? Sign in",
        f"Sign up for the {s['site']} morning newsletter",
        "RELATED: " + rng.choice(LINKS),
    ]
    for i, prompt in enumerate(prompts):
        p.insert(min(len(p), 2 + i * 2), prompt)
    most, links = link_list(rng, "Most Read", rng.choice(["c-most-read", "mostRead", "rail-module"]))
    body = (
        f'<body>{nav(s)}<main><div class="article-header"><span class="kicker">LOCAL</span>'
        f"<h1>{s['headline']}</h1></div>"
        f'<div class="article-body">{ps(p, "article-paragraph")}</div>{most}'
        f'<div class="newsletter-signup"><p>Never miss a story. Get our free newsletter delivered to your inbox.'
        f"</p></div></main>{footer(s)}</body></html>"
    )
    return head(s) + body, prompts + links + ["Never miss a story"]


def br_story(s, rng):
    lines = s["paragraphs"][:2] + [
        "ADVERTISEMENT",
        s["paragraphs"][2],
        "RELATED: " + rng.choice(LINKS),
        s["paragraphs"][3],
        "Story continues below advertisement",
        *s["paragraphs"][4:],
    ]
    inner = "<br><br>\n".join(escape(line, quote=False) for line in lines)
    wrapper = rng.choice(
        [
            '<div class="story-text">{}</div>',
            '<p class="text">{}</p>',
            '<td class="storytext"><font size="2">{}</font></td>',
        ]
    )
    page = (
        f'<body>{nav(s)}<div id="main"><h1>{s["headline"]}</h1>{wrapper.format(inner)}</div>{footer(s)}</body></html>'
    )
    if wrapper.startswith("<td"):
        page = page.replace(wrapper.format(inner), f"<table><tr>{wrapper.format(inner)}</tr></table>")
    return head(s) + page, ["ADVERTISEMENT", "RELATED", "Story continues below"]


def table_layout(s, rng):
    cells = "<br><br>\n".join(escape(x, quote=False) for x in s["paragraphs"])
    menu = "<br>".join(f'<a href="/{w}">{w}</a>' for w in ("Classifieds", "Obituaries", "Subscribe", "Contact"))
    page = (
        f'<html><head><title>{escape(s["title"])}</title></head><body bgcolor="white"><table width="780">'
        f'<tr><td colspan="2"><b>{s["site"]}</b> | <a href="/">Home</a> | <a href="/news">News</a></td></tr>'
        f'<tr><td width="160" valign="top"><font size="1">{menu}</font></td>'
        f'<td valign="top"><font size="4"><b>{s["headline"]}</b></font>'
        f'<br><font size="2"><i>By {rng.choice(PEOPLE)}, Staff Writer</i></font>'
        f'<br><br><font size="2">{cells}</font></td></tr>'
        f'<tr><td colspan="2"><font size="1">Copyright 2005 {s["site"]}. All rights reserved.</font></td></tr>'
        f"</table></body></html>"
    )
    return page, ["Classifieds", "Obituaries", "Staff Writer", "Copyright 2005"]


def jsonld_only(s, rng):
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": s["headline"],
        "articleBody": "\n\n".join(s["paragraphs"]),
        "publisher": {"@type": "Organization", "name": s["site"]},
    }
    page = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(s["title"])}</title>'
        f'<script type="application/ld+json">{json.dumps(data)}</script><script src="/app.js"></script></head>'
        '<body><div id="root"></div><noscript>Please enable JavaScript to view this site.</noscript></body></html>'
    )
    return page, ["enable JavaScript", "@context"]


def xhtml_latin1(s, rng):
    page = (
        f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        f'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f'<title>{escape(s["title"])}</title></head><body><div id="header"><a href="/">{s["site"]}</a></div>'
        f'<div id="content"><h1>{s["headline"]}</h1>{ps(s["html"])}</div>'
        f'<div id="footer">© 2024 {s["site"]} – Impressum</div></body></html>'
    )
    return page.encode("latin-1", "xmlcharrefreplace"), ["Impressum"]


def mhtml(s, rng):
    page, leaks = rng.choice([wordpress, station])(s, rng)
    qp = quopri.encodestring(page.encode()).replace(b"\n", b"\r\n")
    boundary = f"----MultipartBoundary--{rng.getrandbits(64):x}----".encode()
    parts = [
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://" + s["domain"].encode() + b"/story\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
        b'\ttype="text/html";\r\n\tboundary="' + boundary + b'"\r\n\r\n\r\n',
        b"--"
        + boundary
        + b"\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        + qp
        + b"\r\n",
        b"--"
        + boundary
        + b"\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(bytes(range(64))).replace(b"\n", b"\r\n")
        + b"--"
        + boundary
        + b"--\r\n",
    ]
    return b"".join(parts), leaks + ["=3D", "MultipartBoundary", "Content-Type"]


def blockquote(s, rng):
    p = s["html"][:3] + [f"{rng.choice(PEOPLE)} responded in a statement:"] + s["html"][3:]
    quote = "".join(f"<p>{q}</p>" for q in STATEMENTS)
    html = ps(p[:4]) + f"<blockquote>{quote}</blockquote>" + ps(p[4:])
    body = (
        f'<body>{nav(s)}<article><h1>{s["headline"]}</h1><div class="article__content">{html}</div></article>'
        f"{footer(s)}</body></html>"
    )
    return head(s) + body, ["All rights reserved"], [middle(q) for q in STATEMENTS]


def bare_text(s, rng):
    first, *rest = s["paragraphs"]
    middle = rest.pop(1)
    body = (
        f'<body>{nav(s)}<div class="post"><h1>{s["headline"]}</h1>\n{escape(first, quote=False)}\n{ps(rest[:1])}'
        f'{escape(middle, quote=False)}<div class="wp-caption"><img src="a.jpg"><p class="wp-caption-text">'
        f"Residents at the meeting. ({rng.choice(['AP Photo', 'Reuters', 'Getty Images'])}/{rng.choice(PEOPLE)})"
        f"</p></div>"
        f"{ps(rest[1:])}</div>{footer(s)}</body></html>"
    )
    return head(s) + body, ["Residents at the meeting", "Privacy Policy"]


def og_vs_h1(s, rng):
    og = f"What to know: {s['headline'].lower()}"
    body = (
        f'<body>{nav(s)}<article><p class="section-label">Local news</p><h1>{s["headline"]}</h1>'
        f'<div class="story-body">{ps([og] + s["html"])}</div></article>{footer(s)}</body></html>'
    )
    return head(s, og_title=og) + body, ["What to know", "Local news"]


def div_paragraphs(s, rng):
    paragraphs = "".join(
        f'<div class="paragraph inline-placeholder" data-component-name="paragraph">{p}</div>' for p in s["html"]
    )
    related, links = link_list(rng, "More from " + s["site"], "related-content")
    body = (
        f'<body>{nav(s)}<div class="article__content-container"><h1 class="headline__text">{s["headline"]}</h1>'
        f'<div class="article__content">{paragraphs}<div class="ad-feedback-link">Ad Feedback</div></div>'
        f"{related}</div>"
        f"{footer(s)}</body></html>"
    )
    return head(s) + body, links + ["Ad Feedback"]


def wire(s, rng):
    credit = f"Crews at the scene on {rng.choice(DAYS)}. (AP Photo/{rng.choice(PEOPLE)})"
    p = list(s["html"])
    mention = f"An AP photo taken on {rng.choice(DAYS)} showed the site from the air."  # a sentence, not a credit
    p.insert(3, mention)
    body = (
        f'<body>{nav(s)}<main><div class="Page-headline"><h1>{s["headline"]}</h1></div><figure><img src="p.jpg">'
        f'<figcaption>{credit}</figcaption></figure><div class="RichTextStoryBody RichTextBody">{ps(p[:3])}'
        f'<div class="Advertisement"><p>Advertisement</p></div>{ps(p[3:])}<p>___</p>'
        f"<p>Follow us on X: @{s['domain'].split('.')[0]}</p>"
        f"</div></main>{footer(s)}</body></html>"
    )
    return head(s) + body, ["Crews at the scene", "Advertisement", "Follow us"], [mention]


def pre_copy(s, rng):
    import textwrap

    wrapped = "\n\n".join(textwrap.fill(p, 68) for p in s["paragraphs"])
    wrapped = wrapped.replace("\n\n", "\n\nADVERTISEMENT\n\n", 1)
    body = (
        f'<body>{nav(s)}<div id="story"><h2>{s["headline"]}</h2><pre>{escape(wrapped, quote=False)}</pre></div>'
        f"{footer(s)}</body></html>"
    )
    return head(s) + body, ["ADVERTISEMENT"]


def newsletter_platform(s, rng):
    body = (
        f'<body><div class="main-menu"><a href="/">{s["site"]}</a><button>Subscribe</button>'
        f"<button>Sign in</button></div>"
        f'<article class="post"><h1 class="post-title">{s["headline"]}</h1>'
        f'<div class="available-content"><div class="body markup">'
        f'{ps(s["html"][:3])}<div class="subscription-widget-wrap">'
        f"<p>Thanks for reading {s['site']}! Subscribe for free "
        f"to receive new posts and support my work.</p></div>{ps(s['html'][3:])}</div></div>"
        f'<div class="post-footer"><a>Share</a><a>Leave a comment</a></div></article></body></html>'
    )
    return head(s) + body, ["Thanks for reading", "Leave a comment"]


def with_comments(s, rng):
    comments = [rng.choice(TEASERS), "This is exactly why nobody trusts the people running this town anymore."]
    thread = "".join(
        f'<li class="comment"><div class="comment-author">{rng.choice(PEOPLE)}</div><p>{c}</p></li>' for c in comments
    )
    body = (
        f'<body>{nav(s)}<div class="content"><article><h1>{s["headline"]}</h1>'
        f'<div class="article-text">{ps(s["html"])}'
        f'</div></article><div id="comments" class="comments-area"><h2>{rng.randint(3, 40)} Comments</h2>'
        f"<ol>{thread}</ol>"
        f"<p>Leave a Reply</p></div></div>{footer(s)}</body></html>"
    )
    return head(s) + body, comments + ["Leave a Reply"]


def component_blocks(s, rng):
    blocks = "".join(f'<div data-component="text-block"><p>{p}</p></div>' for p in s["html"])
    more, links = link_list(rng, "More on this story", "related-topics")
    body = (
        f'<body>{nav(s)}<main id="main-content"><article><header>'
        f'<h1 id="main-heading">{s["headline"]}</h1></header>'
        f'{blocks}<section data-component="tag-list"><a>Transport</a><a>Local government</a></section>'
        f"</article>{more}"
        f'<div class="most-watched"><h2>Most watched</h2><ul><li>{rng.choice(TEASERS)}</li></ul></div></main>'
        f"{footer(s)}</body></html>"
    )
    return head(s) + body, links + ["Local government", "Most watched"]


def split_story(s, rng):
    p = s["html"]
    body = (
        f'<body>{nav(s)}<div class="story"><h1>{s["headline"]}</h1><div class="story-part">{ps(p[:2])}</div>'
        f'<div class="ad-container"><span>Advertisement</span></div>'
        f'<div class="story-part paywall-content">{ps(p[2:])}</div>'
        f'</div><div class="col-sm-4 d-none d-lg-block">'
        + "".join(
            f'<a class="card-link" href="/s{i}"><div class="card-body"><p>{t}</p></div></a>'
            for i, t in enumerate(TEASERS[:3])
        )
        + f"</div>{footer(s)}</body></html>"
    )
    return head(s) + body, TEASERS[:3] + ["Advertisement"]


LAYOUTS = [
    wordpress,
    station,
    news_site,
    br_story,
    table_layout,
    jsonld_only,
    xhtml_latin1,
    mhtml,
    blockquote,
    bare_text,
    og_vs_h1,
    div_paragraphs,
    wire,
    pre_copy,
    newsletter_platform,
    with_comments,
    component_blocks,
    split_story,
]
# <p> stories
DECORATED = set(LAYOUTS) - {br_story, table_layout, jsonld_only, xhtml_latin1, mhtml, bare_text, pre_copy}


def pages(seed: int, per_layout: int = 2) -> list[dict]:
    """The benchmark's pages: each layout with `per_layout` stories, all from `seed`."""
    found = []
    for layout in LAYOUTS:
        for k in range(per_layout):
            rng = random.Random(f"{seed}-{layout.__name__}-{k}")
            s = story(rng)
            data, leaks, *own = layout(s, rng)  # a layout may add story text of its own
            must = [s["headline"]] + [middle(p) for p in s["paragraphs"]] + (own[0] if own else [])
            if layout in DECORATED:
                data, more_leaks, more_must = decorate(data, s, rng)
                leaks, must = leaks + more_leaks, must + more_must
            found.append(
                {
                    "name": f"{layout.__name__}-{seed}-{k}",
                    "data": data if isinstance(data, bytes) else data.encode(),
                    "must": must,
                    "must_not": leaks + [s["site"]],
                    "headline": s["headline"],
                    "quotes": STATEMENTS if layout is blockquote else [],
                }
            )
    return found
