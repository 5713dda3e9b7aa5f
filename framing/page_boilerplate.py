"""What a news page prints around its story, taken out of the page (lxml, in place) before
trafilatura reads it: sidebars, navigation, footers, "related", "most read" and "trending"
boxes, newsletter and paywall panels, share bars, comments, embedded posts.

trafilatura drops most of these by itself, but not all: a sidebar of teasers written as full
sentences, beside a short story, reads to it as more story (three of the five editorializing
sentences of one crime report came from one). Such blocks are known by their element (<aside>,
<nav>, <footer>), their ARIA role, their class or id, or the heading over them. None is taken
out if it holds the story: the element with the most words of paragraphs (out of links) and
its siblings of the same kind (a story split into blocks), the headline, or a block inside the
story that holds a large part of it (a "paywall" <div> around its second half is the story).
"""

from __future__ import annotations

import re

BOILERPLATE_TAGS = {"aside", "nav", "footer", "header", "form"}
BOILERPLATE_ROLES = {"navigation", "complementary", "contentinfo", "banner", "search", "dialog"}
# Class and id words of such blocks, as whole words of the attribute (sidebar, right-rail,
# most_read, newsletter-signup, ...): "ad" in "header" or "reader" does not count.
BOILERPLATE_NAMES = re.compile(
    r"(?<![a-z])(?:side-?bar|(?:right|left)-?(?:rail|col(?:umn)?)|rail|related|most-?(?:read|popular|viewed|shared|watched)|"
    r"popular|trending|recommend(?:ed|ations?)?|more-?(?:stories|news|articles|from)|read-?next|up-?next|"
    r"newsletter|subscri(?:be|ption)|paywall|regwall|piano|meter(?:ed)?-?(?:wall|modal|banner)|promo|"
    r"advert(?:isement)?s?|ads?|ad-?(?:slot|unit|container|wrapper|zone)|sponsor(?:ed)?|taboola|outbrain|"
    r"social|share|sharing|share-?bar|comments?|disqus|breadcrumbs?|widget|footer|site-?header|masthead|"
    r"menu|navbar|nav|cookie|consent|modal|popup|pull-?quote|tags|author-?bio|twitter-tweet|instagram-media|"
    r"tiktok-embed|embed|video-?player|jw-?player|brightcove|sharedaddy|sd-(?:sharing|like)|jp-relatedposts)(?![a-z])",
    re.IGNORECASE,
)
# Headings over blocks that are not the story.
BOILERPLATE_HEADINGS = re.compile(
    r"^(?:related(?: stories| articles| coverage| content| news| links)?|more (?:from|on|stories|news|headlines)\b.*|"
    r"most (?:read|popular|viewed|shared|watched)(?: stories| articles)?|trending(?: now| stories)?|popular(?: now)?|"
    r"recommended(?: for you| stories)?|you (?:may|might) (?:also )?like|top stories|"
    r"latest(?: news| stories| headlines)?|"
    r"read next|up next|don'?t miss|editor'?s picks|around the web|sponsored(?: stories| content)?|"
    r"in case you missed it|icymi|also read|watch more|follow us|share this(?: article| story)?|like this|"
    r"sign up for our newsletter|newsletter|comments?)\s*:?$",
    re.IGNORECASE,
)
# Elements that can be the heading of a box: headings, and short labels ("<p><strong>Related</strong></p>").
LABELS = ("h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b")
LABEL_WORDS = 6
# Elements inside a line of text: what a <div> written as a paragraph holds, and what is never a box.
PARAGRAPH_INLINE = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "span",
    "br",
    "sup",
    "sub",
    "small",
    "u",
    "time",
    "abbr",
    "cite",
    "q",
    "font",
    "mark",
    "img",
}
STORY_WORDS = 10  # fewer words of paragraphs than this is no story
NAMED_STORY = 2  # a block named like boilerplate is the story only with twice the prose of any other
# A sibling of the story, of its kind, with a quarter of its prose (and PART_WORDS) or more is a part of it.
SPLIT_SHARE = 0.25
PART_WORDS = 5
# A block inside the story holding this share of its words or more is the story, whatever its name.
STORY_SHARE = 0.3
# A heading's enclosing block holding more words than this is a part of the page, not a box.
BOX_WORDS = 400


def remove_boilerplate(tree) -> list:
    """Takes the blocks around the story out of `tree` (an lxml.html document), in place;
    returns the blocks that hold the story (none on a page without prose)."""
    story = story_container(tree)
    parts = story_parts(story)
    kept = _protected(tree, parts)
    story_words = sum(_words(part.text_content()) for part in parts)
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element in kept or element.getparent() is None:
            continue
        if _is_boilerplate(element) and not _holds_story(element, parts, story_words):
            _remove(element)
    for label in list(tree.iter(*LABELS)):
        if label.getparent() is not None and label not in kept and _is_label(label):
            _remove_box(_label_block(label, kept), kept, parts, story_words)
    return [part for part in parts if part.getparent() is not None]


def story_container(tree):
    """The element with the most words of its own paragraphs, out of links: its text, its
    tails, its <p> and inline children; None on a page without prose (a menu is no story)."""
    best = {False: (None, STORY_WORDS - 1), True: (None, STORY_WORDS - 1)}  # by whether named like boilerplate
    for element in tree.iter():
        # never navigation or a footer; a block named like boilerplate (an embedded post, a
        # "paywall" <div>) only when it holds far more prose than any other (the whole story)
        if (
            not isinstance(element.tag, str)
            or element.tag in ("html", "head", "script", "style")
            or element.tag in BOILERPLATE_TAGS
            or (element.get("role") or "").lower() in BOILERPLATE_ROLES
        ):
            continue
        named, words = _is_boilerplate(element), _story_words(element)
        if words > best[named][1]:
            best[named] = (element, words)
    (plain, plain_words), (named, named_words) = best[False], best[True]
    return named if named is not None and (plain is None or named_words > NAMED_STORY * plain_words) else plain


def _same_kind(part, story) -> bool:
    """A part of a story split in blocks: the same element, with a class of the story's."""
    classes = set((story.get("class") or "").split())
    return part.tag == story.tag and (classes & set((part.get("class") or "").split()) or not classes)


def _story_words(element) -> int:
    return _words(element.text) + sum(
        _own_words(child) + _words(child.tail) for child in element if isinstance(child.tag, str)
    )


def _own_words(child) -> int:
    """Words of a paragraph of the element (a <p>, inline text, or a <div> written as one)."""
    if child.tag == "div" and any(
        isinstance(d.tag, str) and d.tag not in PARAGRAPH_INLINE for d in child.iterdescendants()
    ):
        return 0
    if child.tag not in ("p", "div", "span", "font", "b", "strong", "em", "i"):
        return 0
    links = sum(_words(a.text_content()) for a in child.iter("a"))
    return max(0, _words(child.text_content()) - links)


def story_parts(story) -> list:
    """The story's container and the blocks it is split into: its siblings of the same kind
    (element and class) with paragraphs of their own."""
    if story is None or story.getparent() is None:
        return [story] if story is not None else []
    least = max(PART_WORDS, SPLIT_SHARE * _story_words(story))
    return [
        part for part in story.getparent() if part is story or (_same_kind(part, story) and _story_words(part) >= least)
    ]


def _protected(tree, parts: list) -> set:
    """The story's parts, the headline, and every element that holds them."""
    anchors = parts + list(tree.iter("h1"))[:3] + tree.xpath("//*[@itemprop='articleBody']")
    kept = set()
    for anchor in anchors:
        kept.add(anchor)
        kept.update(anchor.iterancestors())
    return kept


def _is_boilerplate(element) -> bool:
    """A block around the story. An inline element is never one ("related-link" on a link in a
    sentence of the story) unless it wraps blocks (a teaser card that is one link)."""
    if element.tag in PARAGRAPH_INLINE and not any(
        isinstance(d.tag, str) and d.tag not in PARAGRAPH_INLINE for d in element.iterdescendants()
    ):
        return False
    if element.tag == "header":  # a page's header; an article's (its kicker, dek, byline) stays
        return next(element.iterancestors("article", "main"), None) is None
    if element.tag in BOILERPLATE_TAGS or (element.get("role") or "").lower() in BOILERPLATE_ROLES:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return element.tag not in ("html", "body", "article", "main") and BOILERPLATE_NAMES.search(names) is not None


def _holds_story(element, parts: list, story_words: int) -> bool:
    """Whether a block named like boilerplate holds a large part of the story it sits in."""
    if story_words == 0 or not any(a in parts for a in element.iterancestors()):
        return False
    return _words(element.text_content()) >= STORY_SHARE * story_words


def _is_label(element) -> bool:
    """A heading of a box: its whole text a box's name, standing apart from running text (the
    bold "Trending" that opens a sentence of the story is no label)."""
    text = " ".join(element.text_content().split())
    if len(text.split()) > LABEL_WORDS or BOILERPLATE_HEADINGS.match(text) is None:
        return False
    before = element.getprevious()
    parent = element.getparent()
    around = (element.tail or "") + ((before.tail or "") if before is not None else (parent.text or ""))
    return not around.strip() or element.tag in ("h2", "h3", "h4", "h5", "h6", "div", "p")


def _label_block(label, kept: set):
    """The outermost element around a label that holds nothing else: its own block."""
    text = label.text_content().strip()
    while (
        label.getparent() is not None
        and label.getparent() not in kept
        and label.getparent().text_content().strip() == text
    ):
        label = label.getparent()
    return label


def _remove_box(heading, kept: set, parts: list, story_words: int) -> None:
    """A "Most read" heading and what it heads: its enclosing box, or inside the story the list
    or block right after it."""
    box = heading.getparent()
    if box not in kept and _words(box.text_content()) <= BOX_WORDS and not _holds_story(box, parts, story_words):
        _remove(box)
        return
    following = heading.getnext()
    if following is not None and following.tag in ("ul", "ol", "div", "section") and following not in kept:
        _remove(following)
    _remove(heading)


def _remove(element) -> None:
    """Removes an element, keeping its tail (text after it belongs to its parent)."""
    element.drop_tree()


def block_text(element) -> str:
    """An element's text with a space where a block begins or ends ("agency.</p><p>MORE:" is
    two words, not one), whitespace collapsed."""

    def walk(node) -> list[str]:
        block = isinstance(node.tag, str) and node.tag not in PARAGRAPH_INLINE
        found = [" " if block else "", node.text or ""]
        for child in node:
            if isinstance(child.tag, str):
                found += walk(child)
            found.append(child.tail or "")
        return found + [" " if block else ""]

    return " ".join("".join(walk(element)).split())


def _words(text) -> int:
    return len(text.split()) if text else 0
