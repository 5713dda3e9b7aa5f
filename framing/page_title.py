"""A page's headline, once and without the site's name.

Pages name their story several times: the <h1>, og:title, twitter:title, the JSON-LD headline
and the <title>, the last ones often with the site's name ("Storm hits coast - WSVN 7News |
Miami News, Weather, Sports | Fort Lauderdale"). The headline is the <h1> over the story when
there is one (what readers see), else the page's title with the site's name cut off; the
other forms are dropped where the story's first paragraphs repeat them, so that the headline
is analyzed once.

A site's name is known by the page's own words for it (og:site_name, application-name, the
JSON-LD publisher, the domain, the footer's copyright line) or by its shape: what follows
" | " after a headline, or a short title-cased name of an outlet ("WSVN 7News", "Metro
Herald"). A headline that holds a dash keeps it ("Biden - Trump debate set for June").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

from framing.page_text import clean

# " | ", " - ", " – ", " :: ", ... between a headline and a site's name. Strong separators
# (pipes, guillemets, bullets) are never inside a headline; dashes and colons may be.
SEPARATOR = re.compile(r"\s+(\|{1,2}|::|[»«•·›‹~]|-{1,2}|[–—]|:)\s+")
STRONG = {"|", "||", "::", "»", "«", "•", "·", "›", "‹", "~"}
# Words that name outlets: a short title-cased segment holding one ("7News", "Daily Herald") is a name.
OUTLET_WORDS = re.compile(
    r"(?:news|times|post|herald|tribune|journal|gazette|daily|press|radio|tv|channel|network|media|today|weekly|"
    r"chronicle|observer|examiner|star|sun|mail|telegraph|guardian|independent|standard|record|inquirer|courier|"
    r"bulletin|dispatch|register|sentinel|globe|monitor|leader|express|mirror|wire|magazine|insider|online|"
    r"reporter|abc|nbc|cbs|fox|cnn|bbc|npr|pbs|reuters|afp)$",
    re.IGNORECASE,
)
SMALL_WORDS = {"of", "the", "and", "&", "de", "la", "el", "for", "on", "at", "in"}
DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
GENERIC_LABELS = {"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or"}
COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s*)?([A-Z][\w&.'’ -]{2,40}?)"
    r"(?:[.,|]|\s+all rights|\s*$)",
    re.IGNORECASE,
)
# An <h1> inside the article, not the site's logo in its header.
ARTICLE_H1 = (
    "//article//h1 | //main//h1 | //*[@itemprop='articleBody' or @itemprop='headline']//h1 | //h1[@itemprop='headline']"
    " | //*[contains(@class, 'article') or contains(@class, 'story') or contains(@class, 'post')"
    " or contains(@class, 'entry')]//h1"
)
# What pages call the summary under a headline, as a word of an element's class, id or name.
DEK = re.compile(
    r"(?<![a-z])(?:dek|standfirst|sub-?head(?:line|ing)?|subtitle|summary|article-summary|description|"
    r"excerpt|lede|abstract)(?![a-z])",
    re.IGNORECASE,
)
DEK_WORDS = (5, 60)
COPYRIGHT_CHARS = 1000  # where the copyright line stands at the end of a page's text
NAME_WORDS = 6  # a segment longer than this is a headline, whatever names it holds
EARLY = 4  # the body's paragraphs where a repeated headline is looked for (after a kicker, a byline)


@dataclass
class Titles:
    """What a page says its story and its site are called."""

    h1s: list[str] = field(default_factory=list)
    article_h1s: list[str] = field(default_factory=list)  # those inside the article (<article>, <main>, ...)
    metas: list[str] = field(default_factory=list)  # og:title, twitter:title, JSON-LD headline, <title>
    brands: list[str] = field(default_factory=list)
    dek: Optional[str] = None  # the summary the page sets under its headline


def page_titles(tree) -> Titles:
    """The headlines and the site's names that `tree` (an lxml.html document) carries."""

    def meta(*names: str) -> list[str]:
        found = []
        for name in names:
            found += tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")
        return [clean(value) for value in found if clean(value)]

    ld_headlines, ld_brands = _json_ld(tree)
    titles = Titles()
    titles.h1s = [text for text in (clean(h1.text_content()) for h1 in list(tree.iter("h1"))[:5]) if text]
    titles.article_h1s = [text for text in (clean(h1.text_content()) for h1 in tree.xpath(ARTICLE_H1)[:5]) if text]
    titles.dek = _dek(tree)
    titles.metas = (
        meta("og:title", "twitter:title")
        + ld_headlines
        + [clean(t.text_content()) for t in tree.iter("title") if clean(t.text_content())][:1]
    )
    titles.brands = meta("og:site_name", "application-name", "apple-mobile-web-app-title") + ld_brands
    urls = meta("og:url") + tree.xpath("//link[@rel='canonical']/@href") + tree.xpath("//base/@href")
    titles.brands += [label for label in (_domain_label(url) for url in urls[:3]) if label]
    titles.brands += [handle.lstrip("@") for handle in meta("twitter:site")]
    # the copyright line names the site: in a footer, or at the end of an old page's text
    ends = [footer.text_content() for footer in tree.xpath("//footer | //*[contains(@class, 'footer')]")[:3]]
    ends += [body.text_content()[-COPYRIGHT_CHARS:] for body in tree.iter("body")]
    for text in ends:
        titles.brands += [m.group(1).strip() for m in COPYRIGHT.finditer(clean(text))][:2]
    return titles


def json_ld_objects(tree) -> list[dict]:
    """The objects of a page's JSON-LD blocks, those in lists and @graph included, in order
    (a broken block is skipped)."""
    objects = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            stack = [json.loads(script.text or "")]
        except ValueError:
            continue
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack = item + stack
            elif isinstance(item, dict):
                objects.append(item)
                stack += [value for key, value in item.items() if key in ("@graph", "mainEntity")]
    return objects


def _dek(tree) -> Optional[str]:
    """The summary under the headline ("dek", "standfirst", "sub-headline"), by its name, next
    to the article's <h1>: trafilatura leaves it out, and it frames the story as the headline does."""
    for h1 in (tree.xpath(ARTICLE_H1) or list(tree.iter("h1")))[:1]:
        around = list(h1.itersiblings())[:3] + (
            list(h1.getparent().itersiblings())[:3] if h1.getparent() is not None else []
        )
        for candidate in around:
            names = " ".join(candidate.get(name) or "" for name in ("class", "id", "data-gu-name", "itemprop"))
            text = clean(candidate.text_content())
            if (
                isinstance(candidate.tag, str)
                and DEK.search(names)
                and DEK_WORDS[0] <= len(text.split()) <= DEK_WORDS[1]
            ):
                return text
    return None


def _json_ld(tree) -> tuple[list[str], list[str]]:
    """Headlines and publisher or site names from a page's JSON-LD."""
    headlines, brands = [], []
    for item in json_ld_objects(tree):
        if isinstance(item.get("headline"), str):
            headlines.append(clean(item["headline"]))
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            brands.append(clean(publisher["name"]))
        if item.get("@type") in ("WebSite", "Organization", "NewsMediaOrganization") and isinstance(
            item.get("name"), str
        ):
            brands.append(clean(item["name"]))
    return [h for h in headlines if h], [b for b in brands if b]


def _domain_label(url: str) -> Optional[str]:
    """The name in a site's domain: "wsvn" for https://wsvn.com/news/..., "bbc" for bbc.co.uk."""
    try:
        labels = (urlsplit(url.strip()).hostname or "").split(".")[:-1]
    except ValueError:  # a malformed address ("http://[::1")
        return None
    while labels and labels[-1] in GENERIC_LABELS and len(labels) > 1:
        labels.pop()
    return labels[-1] if labels and len(labels[-1]) >= 3 else None


def strip_site_name(title: str, brands: list[str]) -> str:
    """`title` without the site's name (and section names) before or after it."""
    segments = _segments(title)
    segments = _drop_names(segments, brands)
    # After a strong separator comes the site, a section or a slogan; before the headline, a
    # short one is a section or the site ("Opinion | ...", "WSVN | ...").
    chunks = _chunks(segments)
    while len(chunks) > 1 and _words(chunks[0]) <= 3 and _words(chunks[1]) > _words(chunks[0]):
        chunks.pop(0)
    return _joined(_drop_names(chunks[0], brands))


def _segments(title: str) -> list[tuple[str, str]]:
    """(separator before, text) for each part of a title between separators."""
    pieces = SEPARATOR.split(clean(title))
    return [("", pieces[0])] + [(pieces[i], pieces[i + 1]) for i in range(1, len(pieces) - 1, 2)]


def _chunks(segments: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    chunks: list[list[tuple[str, str]]] = []
    for separator, text in segments:
        if not chunks or separator in STRONG:
            chunks.append([("", text)])
        else:
            chunks[-1].append((separator, text))
    return chunks


def _drop_names(segments: list[tuple[str, str]], brands: list[str]) -> list[tuple[str, str]]:
    segments = list(segments)
    while len(segments) > 1 and _is_name(segments[-1][1], brands):
        segments.pop()
    while len(segments) > 1 and _is_name(segments[0][1], brands):
        segments.pop(0)
        segments[0] = ("", segments[0][1])
    return segments


def _joined(segments: list[tuple[str, str]]) -> str:
    return "".join(f" {separator} {text}" if separator else text for separator, text in segments)


def _words(chunk: list[tuple[str, str]]) -> int:
    return sum(len(text.split()) for _, text in chunk)


def _is_name(segment: str, brands: list[str]) -> bool:
    """Whether a part of a title names the site: one of its names, a domain, or an outlet's name."""
    words = segment.split()
    if not words or len(words) > NAME_WORDS:
        return False
    if DOMAIN.match(segment):
        return True
    squashed, tokens = _squash(segment), {_squash(word) for word in words}
    for brand in brands:
        name = _squash(brand)
        if len(name) >= 3 and (
            name == squashed
            or name in tokens
            or (len(name) >= 6 and name in squashed)
            or (len(squashed) >= 4 and squashed in name)
        ):
            return True
    title_cased = all(w[:1].isupper() or w[:1].isdigit() or w.lower() in SMALL_WORDS for w in words)
    return title_cased and any(OUTLET_WORDS.search(_squash(word)) for word in words)


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def choose_headline(titles: Titles, body: list[str], fallback: Optional[str]) -> Optional[str]:
    """The <h1> that the story's first paragraphs hold or that the page's title names, else the
    <h1> inside the article, else the page's title without its site's name, else the first
    <h1>, else `fallback` (trafilatura's)."""
    h1s = [
        strip_site_name(h1, titles.brands)
        for h1 in titles.h1s
        if len(h1.split()) >= 2 and not _is_name(h1, titles.brands)
    ]
    metas = [strip_site_name(title, titles.brands) for title in titles.metas]
    early = {_key(text) for text in body[:EARLY]}
    for h1 in h1s:
        if _key(h1) in early or any(_similar(h1, meta) for meta in metas):
            return h1
    in_article = [h1 for h1 in h1s if h1 in {strip_site_name(h, titles.brands) for h in titles.article_h1s}]
    if in_article:
        return in_article[0]
    # no <h1>, but the story opens with the first part of the page's title: that part is the headline
    for title in titles.metas:
        for prefix in _prefixes(title):
            if _key(prefix) in early and len(prefix.split()) >= 2:
                return prefix
    if metas:
        return metas[0]
    if h1s:
        return h1s[0]
    return strip_site_name(fallback, titles.brands) if fallback else None


def _prefixes(title: str) -> list[str]:
    """A title's beginnings that end at a separator, longest first."""
    segments = _segments(title)
    return [_joined(segments[:n]) for n in range(len(segments) - 1, 0, -1)]


def is_repeated_headline(text: str, titles: Titles, headline: Optional[str]) -> bool:
    """Whether a paragraph is one of the page's forms of its headline."""
    forms = [headline or "", *titles.h1s, *titles.metas]
    forms += [strip_site_name(form, titles.brands) for form in forms if form]
    return _key(text) in {_key(form) for form in forms if form}


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.casefold()).split())


def _similar(a: str, b: str) -> bool:
    """Two headlines of one story: most words of the shorter are in the longer."""
    x, y = set(_key(a).split()), set(_key(b).split())
    return bool(x and y) and len(x & y) >= 0.6 * min(len(x), len(y))
