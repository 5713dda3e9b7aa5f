"""A saved page's headline and paragraphs: the page parsed once (lxml, through trafilatura's
loader), its headline forms read, the blocks around its story taken out (page_boilerplate),
its paragraphs made explicit (page_blocks), its article extracted by trafilatura and turned
into paragraphs (page_text), the headline chosen and never repeated (page_title).

trafilatura is asked for precision first (less text, rarely boilerplate); a page where that
finds nothing (an article only in JSON-LD, an odd layout) is asked again for recall, then
read again without this module's cleaning, so that no page trafilatura can read is refused.
"""

from __future__ import annotations

import re
from typing import Optional

from lxml import etree

from framing.page_blocks import make_blocks_explicit, subheads_as_paragraphs
from framing.page_boilerplate import block_text, remove_boilerplate
from framing.page_text import is_promo
from framing.page_text import paragraphs as body_paragraphs
from framing.page_title import EARLY, choose_headline, is_repeated_headline, json_ld_objects, page_titles

KICKER_WORDS = 3  # a paragraph this short over the headline is a section's name
PROSE_WORDS = 8  # a paragraph this long makes a page found by recall an article, not a menu
MISSED_SHARE = 0.97  # precision kept less of the story's own text than this: recall fills it in
Paragraph = tuple[str, bool]  # its text, and whether the page sets it as a quotation (<blockquote>)


def title_and_paragraphs(html: str) -> tuple[Optional[str], list[Paragraph]]:
    """The headline (None when the page has none) and the paragraphs of a page's article;
    no paragraphs when it holds no article."""
    import trafilatura

    tree = trafilatura.load_html(html)
    if tree is None:
        return None, []
    titles = page_titles(tree)
    parts = remove_boilerplate(tree)
    subheads_as_paragraphs(parts)
    story = " ".join(block_text(part) for part in parts)
    make_blocks_explicit(tree)
    page = _extracted(tree, precision=True)
    if page is None and (from_json := json_ld_body(tree)):  # a page that a script fills in
        return choose_headline(titles, from_json, None), [(text, False) for text in from_json]
    recall = _extracted(tree, precision=False) if page is None or _missed(page, story) else None
    if page is None and recall is None:  # this module's cleaning may have cost the page its article: as it was
        original = trafilatura.load_html(html)
        recall = _extracted(original, precision=False) if original is not None else None
    if page is None and recall is None:
        return None, []
    found = _with_recalled(
        body_paragraphs(page.body) if page else [],
        body_paragraphs(recall.body) if recall else [],
        story,
        everything=page is None,
    )
    headline = choose_headline(titles, [text for text, _ in found], (page or recall).title)
    return headline, _with_dek(_without_headline(found, titles, headline), titles.dek)


def _missed(page, story: str) -> bool:
    """Whether trafilatura, asked for precision, left out a part of the story's own blocks (it
    drops a paragraph with a link in blocks it does not know, a list, the end of a story)."""
    kept = sum(len(text.split()) for text, _ in body_paragraphs(page.body) if text in story)
    return kept < MISSED_SHARE * len(story.split())


def _with_recalled(precise: list[Paragraph], recall: list[Paragraph], story: str, everything: bool) -> list[Paragraph]:
    """The precise paragraphs, with those that only recall found put in their place when they
    are text of the story's own blocks (all of them when precision found nothing)."""
    if not recall:
        return precise
    texts = {text for text, _ in precise}
    merged, i = [], 0
    for paragraph in recall:
        if paragraph[0] in texts:
            while i < len(precise) and precise[i][0] != paragraph[0]:
                merged.append(precise[i])
                i += 1
            merged += precise[i : i + 1]
            i += 1
        elif everything or paragraph[0] in story:
            merged.append(paragraph)
    return merged + precise[i:]


def _without_headline(found: list[Paragraph], titles, headline: Optional[str]) -> list[Paragraph]:
    """The body without the forms of its headline among its first paragraphs (it leads the
    text once), nor the section label over it ("Utilities", "LOCAL NEWS")."""
    repeats = [
        i
        for i, (text, quoted) in enumerate(found[:EARLY])
        if not quoted and is_repeated_headline(text, titles, headline)
    ]
    if not repeats:
        return found
    kickers = [i for i in range(repeats[0]) if _is_kicker(found[i][0])]
    return [paragraph for i, paragraph in enumerate(found) if i not in repeats and i not in kickers]


def _with_dek(found: list[Paragraph], dek: Optional[str]) -> list[Paragraph]:
    """The body led by the summary under the headline, when trafilatura left it out."""
    if not dek or is_promo(dek) or any(dek in text or text in dek for text, _ in found[:EARLY]):
        return found
    return [(dek, False), *found]


def _is_kicker(text: str) -> bool:
    return len(text.split()) <= KICKER_WORDS and not text.rstrip().endswith((".", "!", "?", '"', "”"))


def _extracted(tree, precision: bool):
    """trafilatura's document for a tree (it works on a copy), or None without a body. Asked
    for recall, it finds the links of a page without an article ("Home World"): its text
    counts only with a paragraph of prose."""
    import trafilatura

    # favor_precision: leave out what might be boilerplate (bylines, link lists, comment prompts)
    page = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        favor_precision=precision,
    )
    if page is None or page.body is None:
        return None
    found = body_paragraphs(page.body)
    if not found or (not precision and max(len(text.split()) for text, _ in found) < PROSE_WORDS):
        return None
    return page


def json_ld_body(tree) -> list[str]:
    """The paragraphs of the articleBody of a page's JSON-LD (a page whose story a script
    writes in has it only there): split at its line breaks, or at its <p> and <br> when it
    holds HTML; promotions dropped as in a page's text."""
    for item in json_ld_objects(tree):
        body = item.get("articleBody")
        if isinstance(body, str) and body.strip():
            body = re.sub(r"(?i)</p\s*>|<br\s*/?>", "\n", body)
            return [text for text, _ in body_paragraphs(_as_body(body))]
    return []


def _as_body(text: str):
    """Lines of text as trafilatura's output would hold them: a <p> each."""
    body = etree.Element("body")
    for line in text.splitlines():
        if line.strip():
            etree.SubElement(body, "p").text = line
    return body
