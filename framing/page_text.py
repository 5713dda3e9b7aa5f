"""From trafilatura's output to the paragraphs of an article: each block's own text apart (bare
text between blocks too), whitespace collapsed, and what a page prints inside its story that is
not the story dropped: promotions, paywall and newsletter prompts, photo credits, markup.

A paragraph is a (text, quoted) pair: quoted when it stands inside a <blockquote> of the page.
"""

from __future__ import annotations

import html
import re

# Block elements of trafilatura's output that are paragraphs of the article (its XML schema).
BLOCKS = {"p", "head", "item", "quote", "list"}
# Elements whose content is never article text: code (a <pre> of code), tables (left out), and
# what trafilatura keeps of images and notes.
SKIPPED = {"code", "table", "graphic", "fw", "note"}
# Promotions written as ordinary paragraphs inside a story, which trafilatura keeps: link-ins
# ("RELATED: ...", "Read more: ..."), ad labels, newsletter, paywall and comment prompts,
# share and tag lines, copyright lines. Only short paragraphs are dropped (PROMO_WORDS), so a
# sentence of the story that mentions them stays.
PROMO = re.compile(
    # a label with a colon (or alone): "RELATED: ...", "Read more:", "Photo: ...", "Advertisement"
    r"^(?:related(?: stories| articles| coverage| content| links| news)?|read more|read also|also read|"
    r"see also|more|also|"
    r"more from|more on this|recommended|watch|watch live|listen|photo|photos|image|credit|tags?|filed under|topics|"
    r"share(?: this(?: article| story)?)?|advertisement|sponsored(?: content)?|paid content|partner content|"
    r"trending(?: now)?|most (?:read|popular|viewed)|top stories|latest(?: news)?|read next|up next|"
    r"don'?t miss)\s*(?::|$)"
    r"|^photo by\b|^(?:photograph|illustration|video) by\b"
    # an imperative aimed at the reader
    r"|^(?:click|tap) here\b|^sign (?:up|in)\b|^subscribe\b|^join the conversation\b|^leave a comment\b"
    r"|^log ?in(?: to\b| here\b|\s*$)|^register (?:now|here|today|for free)\b"
    r"|^(?:next|previous|prev) (?:article|story|post)\b"
    r"|^download (?:the|our)\b|^follow us\b|^get (?:breaking|the latest)\b.*\b(?:alerts|updates)\b"
    # a credit line of the story's reporting: "Reporting by ...; Editing by ...",
    # "... contributed to this report."
    r"|^(?:additional )?(?:reporting|writing|editing|research) by\b"
    r"|\bcontributed (?:reporting )?to this (?:report|story)\.?$"
    r"|^(?:have|got) a (?:news )?tip\b|^skip to\b|^scroll to continue\b|^(?:video )?loading(?:\.{3}|…)?$"
    r"|\bvideo player\b"
    # a paywall or newsletter prompt, wherever it stands in the paragraph
    r"|\bunlimited (?:digital )?access\b.*(?:[$€£¢]|\ba (?:week|month|year)\b|\bsubscri)"
    r"|^(?:get|unlock|start|enjoy) (?:(?:full|unlimited|digital|instant|premium)\s+){1,3}access\b"
    r"|\balready (?:a )?(?:subscriber|member|registered)\b"
    r"|\b(?:subscribers?[- ]only|for subscribers|exclusive to subscribers|become a (?:subscriber|member|supporter))\b"
    r"|\bsupport (?:local|our|independent|quality) journalism\b|\bfree articles? (?:left|remaining)\b|\barticle limit\b"
    r"|\b(?:create|register for) a free account\b|\bto (?:continue|keep) reading\b|^continue reading\b"
    r"|\b(?:our|free|daily|weekly|morning|evening|breaking news)\s+(?:\w+\s+){0,2}newsletters?\b|\bto your inbox\b"
    r"|\b(?:story|article|content) continues (?:below|after)\b|\bcontinues (?:below|after) (?:this |the )?ad",
    re.IGNORECASE,
)
PROMO_WORDS = 16
# A time stamp printed as a paragraph: "Published Tuesday, May 6, 2024 at 9:15 a.m.", "Updated 2 hours ago".
STAMP = re.compile(
    r"^(?:published|updated|posted|last updated|first published|modified)(?: on)?:?\s+"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?(?:[a-z]{3,9}\.? \d{1,2},? \d{4}|"
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d+ (?:seconds?|minutes?|hours?|days?) ago|\d{1,2}:\d{2})?"
    r"(?:,? (?:at )?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?(?: [a-z]{2,4})?)?\s*(?:[|·•].*)?$",
    re.IGNORECASE,
)
# A reporter's note with an address ("Teresa Alvarez covers city hall. Reach her at ta@herald.com"),
# not "Residents can write to parks@city.gov".
CONTACT = re.compile(
    r"(?=.*(?:[\w.+-]+@[\w-]+\.\w|(?:^|\s)@\w{2,}))(?=.*\b(?:covers|reporter|writer|correspondent|"
    r"editor|columnist|newsroom|news tips?)\b)",
    re.IGNORECASE,
)
CONTACT_WORDS = 40
# A copyright or syndication line ("Copyright 2024 Sunbeam Television Corp. All rights reserved.
# This material may not be published, broadcast, rewritten or redistributed."), longer than a
# promotion; "Copyright lawsuits multiplied this year" is a story's sentence.
COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright\s*(?:©|\(c\))?\s*\d{4})|\ball rights reserved\b"
    r"|\bmay not be (?:published|reproduced|copied|redistributed), broadcast\b",
    re.IGNORECASE,
)
COPYRIGHT_WORDS = 45
# News agencies and picture libraries named in photo credits.
AGENCIES = (
    r"(?:getty images|ap(?: images)?|afp|reuters|epa(?:[- ]efe)?|upi|shutterstock|alamy|zuma(?: press)?|"
    r"sipa(?: usa)?|nurphoto|bloomberg|pool|the associated press|associated press|anadolu|xinhua|imago)"
)
# A byline: "By Ruth Ann Keller, Staff Writer", "By Jane Doe and Sam Lee · March 3, 2024" (names
# and titles capitalized; "By Monday, the shelters were full." is a sentence).
BYLINE = re.compile(
    r"^[Bb][Yy]:?\s+(?:[A-Z][\w.'’-]*\s*){1,4}(?:(?:,|and|&|[·|•–—-])\s*(?:[A-Z0-9][\w.'’-]*,?\s*){1,6})*$"
)
# A photographer's name in a credit: capitalized words ("Dana Kim", "Rogelio V. Solis").
NAME = r"(?-i:[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|la)){0,4})"
# A photo credit, or a caption ending in one: "John Smith/Getty Images", "(AP Photo/Jane Doe)",
# "Getty Images", "... on Tuesday. (Photo: John Smith/Getty Images)". A sentence that merely
# names Getty Images or an AP photo ("The photo, sold to Getty Images, ...") is no credit.
CREDIT = re.compile(
    rf"(?:^|[.:;!?]\s+|\s[-–—|]\s+){NAME}\s?/\s?{AGENCIES}(?: via getty images)?\)?\.?$"  # name/agency
    rf"|\((?:(?:ap|afp|reuters|upi|file|pool)\s+photos?\b|photo\b|photos\b|image\b|credit\b)"
    rf"[^()]*\)\.?$"  # (AP Photo/...)
    rf"|(?:^|[.:;!?]\s+)\(?{AGENCIES}\s?/\s?{NAME}(?:, file)?\)?\.?$"  # agency/name: "Reuters/Brian Snyder"
    rf"|\({AGENCIES}(?:\s*/[^()]*)?\)\.?$"  # "(Getty Images)"
    rf"|^(?:photo|image)?\s*(?:credit)?\s*:?\s*{AGENCIES}(?: (?:photo|file photo|images))?\.?$",  # the agency alone
    re.IGNORECASE,
)
CREDIT_WORDS = 45  # a caption with its credit is longer than a promotion
# Markup left as text (a page whose body was escaped twice, "&lt;p&gt;...") and code.
TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
CODE = re.compile(
    r"^\s*(?:var|let|const|function|window\.|document\.|\$\(|@media|@import|[.#]?[\w-]+\s*\{[^}]*:)"
    r"|[;{}]\s*(?:var|let|const|function|return|if)\b|\bfunction\s*\(|=>|\}\s*\)\s*;",
    re.IGNORECASE,
)


def paragraphs(body) -> list[tuple[str, bool]]:
    """Each block's own text, in the order of the page: a block's text before, between and
    after its nested blocks are paragraphs apart, and so is bare text between blocks (a <br>
    is a space). Promotions, credits and markup are dropped."""
    found: list[tuple[str, bool]] = []
    _walk(body, False, found)
    kept = []
    for text, quoted in found:
        text = _unmarked(text)
        if text and not is_promo(text) and not is_credit(text) and not _is_code(text):
            kept.append((text, quoted))
    return kept


def _walk(element, quoted: bool, found: list) -> None:
    """Collects the runs of inline text of `element` between its nested blocks, then theirs."""
    run = [element.text or ""]
    for child in element:
        if child.tag in BLOCKS or child.tag in SKIPPED:
            found.append((clean("".join(run)), quoted))
            if child.tag in BLOCKS:
                _walk(child, quoted or child.tag == "quote", found)
            run = []
        else:
            run.append(" " if child.tag == "lb" else _inline_text(child))
        run.append(child.tail or "")
    found.append((clean("".join(run)), quoted))


def _inline_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append(" " if child.tag == "lb" else _inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def is_promo(text: str) -> bool:
    """Whether a paragraph is printed around the story rather than written in it: a promotion,
    a prompt, a byline or time stamp, a section label, a separator, a copyright or contact line."""
    words = len(text.split())
    if (words <= COPYRIGHT_WORDS and COPYRIGHT.search(text)) or (words <= CONTACT_WORDS and CONTACT.match(text)):
        return True
    if words > PROMO_WORDS:
        return False
    kicker = words <= 3 and text.isupper()  # a section label over the headline: "LOCAL NEWS"
    rule = re.search(r"[^\W_]", text) is None  # a separator line: "___", "* * *"
    return kicker or rule or any(pattern.search(text) for pattern in (PROMO, BYLINE, STAMP))


def is_credit(text: str) -> bool:
    """Whether a paragraph is a photo credit, or a caption that ends with one."""
    return len(text.split()) <= CREDIT_WORDS and CREDIT.search(text) is not None


def _unmarked(text: str) -> str:
    """Text with markup that reached it as characters (escaped twice on the page) removed:
    tags are never words of the story."""
    if "&" in text and re.search(r"&(?:[a-z]+|#\d+);", text):
        text = html.unescape(text)
    if TAG.search(text):
        text = clean(TAG.sub(" ", text))
    return text


def _is_code(text: str) -> bool:
    """JavaScript or CSS printed as text (an inline script left in a paragraph)."""
    return CODE.search(text) is not None and sum(text.count(c) for c in "{};=()") * 25 > len(text)


def clean(text: str) -> str:
    return " ".join(text.split())
