"""A page's blocks made explicit before trafilatura reads it (lxml, in place): trafilatura reads
paragraphs from elements, and pages often write them otherwise.

- text not inside a <p> (straight after the <h1>, between blocks, in a <td>) becomes a <p>;
- "<br><br>" separates paragraphs, so an "ADVERTISEMENT" or "RELATED: ..." line between two is
  a paragraph of its own (and dropped as one), never glued to a sentence of the story;
- a <pre> of prose becomes paragraphs at its blank lines and at the ends of its sentences;
- a <div> written as a paragraph becomes a <p>;
- an inline <q> becomes its text in quotation marks, as browsers show it (trafilatura would
  make it a quotation block of its own);
- a table used for layout (a cell holds a column of text, an <h1> or another table) becomes
  <div>s: trafilatura leaves tables out;
- in the story's own blocks, subheads and lists of text become paragraphs
  (subheads_as_paragraphs).

Afterwards every <blockquote> is a quotation of the page, and only those become trafilatura's
<quote>: page_text marks their paragraphs as quoted.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from framing.page_text import clean, is_credit, is_promo

# Elements that sit inside a line of text; everything else (div, p, h1, ul, table, ...) is a block.
INLINE = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "big",
    "cite",
    "code",
    "data",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "img",
    "ins",
    "kbd",
    "label",
    "mark",
    "nobr",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "time",
    "tt",
    "u",
    "var",
    "wbr",
    "br",
}
# Blocks whose text is never wrapped: what holds no paragraphs (headings, lists, forms, code,
# captions, scripts) or what trafilatura reads well as it is.
UNWRAPPED = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "dl",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "pre",
    "textarea",
    "select",
    "option",
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "figure",
    "figcaption",
    "button",
    "head",
    "title",
    "html",
    "iframe",
    "object",
    "video",
    "audio",
}
PARAGRAPH_WORDS = 8  # a <div> of text this long is a paragraph
LAYOUT_CELL_WORDS = 40  # a cell with this many words of text is a column of the page, not a datum
# Sentence ends in a <pre>: a line after one starts a new paragraph (a line break inside a
# sentence does not).
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
QUOTES = ("“", "”")


def make_blocks_explicit(tree) -> None:
    """Rewrites `tree` (an lxml.html document) in place; see the module's docstring."""
    _unwrap_layout_tables(tree)
    _flatten_wrappers(tree)
    for q in list(tree.iter("q")):
        _quote_inline(q)
    for pre in list(tree.iter("pre")):
        _split_pre(pre)
    for div in list(tree.iter("div")):
        if _is_written_paragraph(div):
            div.tag = "p"
    for element in list(tree.iter()):
        if isinstance(element.tag, str) and element.tag not in INLINE and element.tag not in UNWRAPPED:
            _wrap_bare_text(element)
    for p in list(tree.iter("p")):
        _split_at_breaks(p)


def subheads_as_paragraphs(parts: list) -> None:
    """The subheads and lists of the story (its own <h2>-<h6>, <ul> and <ol> of text, not of
    links) as paragraphs: trafilatura keeps headings and lists only in containers it knows by
    name (class "article-body", ...), and drops them from the rest."""
    for child in [child for part in parts for child in part]:
        if child.tag in ("h2", "h3", "h4", "h5", "h6"):
            child.tag = "p"
        elif child.tag in ("ul", "ol") and _mostly_text(child):
            child.tag = "div"
            for item in child.iterchildren("li"):
                item.tag = "p"


def _mostly_text(element) -> bool:
    words = len(element.text_content().split())
    return words > 0 and sum(len(a.text_content().split()) for a in element.iter("a")) * 2 <= words


def _is_written_paragraph(div) -> bool:
    """A <div> written as a paragraph (sites that set every paragraph in a <div>): only text and
    inline elements, a sentence's worth of words, most of them outside links. trafilatura drops
    such a <div> when it holds a link."""
    if any(_tag(d) and _tag(d) not in INLINE for d in div.iterdescendants()):
        return False
    return len(div.text_content().split()) >= PARAGRAPH_WORDS and _mostly_text(div)


def _tag(node) -> str:
    return node.tag if isinstance(node.tag, str) else ""  # comments and processing instructions have none


def _is_inline(node) -> bool:
    """An inline element that holds no block (a link wrapping a whole teaser is a block)."""
    if not isinstance(node.tag, str):
        return True
    return node.tag in INLINE and not any(_tag(d) and _tag(d) not in INLINE for d in node.iterdescendants())


def _unwrap_layout_tables(tree) -> None:
    """Tables used to lay out the page (see _is_layout_cell) become divs, inner tables first;
    data tables stay tables (left out of the article, as before)."""
    for table in reversed(list(tree.iter("table"))):
        cells = [c for c in table.iter("td", "th") if next(c.iterancestors("table")) is table]
        if any(_is_layout_cell(cell) for cell in cells):
            for element in [table, *table.iter("thead", "tbody", "tfoot", "tr", "td", "th", "caption")]:
                if element is table or next(element.iterancestors("table"), None) is table:
                    element.tag = "div"


def _is_layout_cell(cell) -> bool:
    """A cell that is a column of the page: it holds a table, an article or a headline, or a
    column of text (a data table's cells are short, even with a <p> in each)."""
    if any(_tag(d) in ("table", "h1", "article") for d in cell.iterdescendants()):
        return True
    return len(cell.text_content().split()) >= LAYOUT_CELL_WORDS


def _quote_inline(q) -> None:
    q.text = QUOTES[0] + (q.text or "")
    if len(q):
        q[-1].tail = (q[-1].tail or "") + QUOTES[1]
    else:
        q.text += QUOTES[1]
    q.tag = "span"


def _split_pre(pre) -> None:
    """A <pre> of prose as paragraphs: a new one after a blank line, after a line that ends a
    sentence, and around a line that is a promotion. A <pre> of code is left to trafilatura
    (which leaves code out)."""
    if pre.find(".//code") is not None or pre.find(".//span[@class]") is not None:
        return
    paragraphs, current = [], []
    for line in pre.text_content().splitlines():
        line = clean(line)
        if current and (
            not line or _stands_alone(line) or _stands_alone(current[-1]) or SENTENCE_END.search(current[-1])
        ):
            paragraphs.append(_joined_lines(current))
            current = []
        if line:
            current.append(line)
    if current:
        paragraphs.append(_joined_lines(current))
    div = lxml_html.Element("div")
    for text in paragraphs:
        paragraph = lxml_html.Element("p")
        paragraph.text = text
        div.append(paragraph)
    div.tail = pre.tail
    pre.getparent().replace(pre, div)


def _joined_lines(lines: list[str]) -> str:
    """Wrapped lines as one paragraph; a line that ends in a hyphen ("part-") wrapped a compound
    ("part-time"), so no space is put after it."""
    text = lines[0]
    for line in lines[1:]:
        text += line if text.endswith("-") and line[:1].isalpha() else " " + line
    return text


def _stands_alone(line: str) -> bool:
    """A line that is a paragraph of its own wherever it stands: an ad label, a link-in, a credit."""
    return is_promo(line) or is_credit(line)


# Formatting wrappers that old pages put around a whole story ("<font>para<br><br>para</font>"):
# a wrapper holding a block or a paragraph break is dropped, its content kept.
WRAPPERS = {"font", "span", "b", "strong", "i", "em", "u", "small", "big", "center", "tt"}


def _flatten_wrappers(tree) -> None:
    for element in reversed(list(tree.iter(*WRAPPERS))):
        if element.getparent() is not None and (_holds_block(element) or _break_runs(element)):
            element.drop_tag()


def _holds_block(element) -> bool:
    return any(_tag(d) and _tag(d) not in INLINE for d in element.iterdescendants())


def _break_runs(element) -> bool:
    """Whether `element` holds two <br> in a row (whitespace between them) among its children."""
    previous_br = False
    for child in element:
        is_br = child.tag == "br"
        if is_br and previous_br:
            return True
        previous_br = is_br and not (child.tail or "").strip()
    return False


def _wrap_bare_text(element) -> None:
    """Text of a block that stands outside any <p> (beside other blocks, or in paragraphs
    separated by <br><br>) becomes <p>s, in place; the blocks stay where they were."""
    has_text = bool((element.text or "").strip()) or any(
        (child.tail or "").strip() or (_is_inline(child) and child.tag != "br" and child.text_content().strip())
        for child in element
    )
    if not has_text or not (
        any(not _is_inline(child) for child in element) or _break_runs(element) or _promo_lines(element)
    ):
        return
    items = _detach(element)
    run: list = []
    for item in items + [None]:
        if item is None or (not isinstance(item, str) and not _is_inline(item)):
            for group in _groups(run):
                element.append(_paragraph(group))
            run = []
            if item is not None:
                element.append(item)
        else:
            run.append(item)


def _split_at_breaks(p) -> None:
    """A <p> holding paragraphs separated by <br><br> (or a promotion on a line of its own)
    becomes one <p> for each."""
    if p.getparent() is None or not (_break_runs(p) or _promo_lines(p)):
        return
    parent, tail = p.getparent(), p.tail
    attributes = dict(p.attrib)
    position = parent.index(p)
    parent.remove(p)
    new = [_paragraph(group, attributes) for group in _groups(_detach(p))]
    for offset, paragraph in enumerate(new):
        parent.insert(position + offset, paragraph)
    if new:
        new[-1].tail = tail


def _detach(element) -> list:
    """The element's content (texts and children, tails apart) in order; the element emptied."""
    items = [element.text] if element.text else []
    for child in list(element):
        tail, child.tail = child.tail, None
        element.remove(child)
        items.append(child)
        if tail:
            items.append(tail)
    element.text = None
    return items


def _lines(items: list) -> list[tuple[list, int]]:
    """Inline items cut at <br>s: (the line's items, how many <br> came before it)."""
    lines, current, breaks = [], [], 0
    for item in items:
        if not isinstance(item, str) and item.tag == "br":
            if _text(current).strip():
                lines.append((current, breaks))
                current, breaks = [], 0
            breaks += 1
        else:
            current.append(item)
    if _text(current).strip():
        lines.append((current, breaks))
    return lines


def _groups(items: list) -> list[list]:
    """Inline items grouped into paragraphs: a new one after two <br> or more, and around a
    line that stands alone (a promotion or a credit); lines kept together keep their <br>."""
    groups: list[list] = []
    previous = None
    for line, breaks in _lines(items):
        text = clean(_text(line))
        if not groups or breaks >= 2 or _stands_alone(text) or (previous is not None and _stands_alone(previous)):
            groups.append(list(line))
        else:
            groups[-1] += [lxml_html.Element("br"), *line]
        previous = text
    return groups


def _promo_lines(element) -> bool:
    """Whether a line of `element` between single <br>s stands alone (a promotion or credit)."""
    if element.find("br") is None:
        return False
    items = [element.text or ""] + [part for child in element for part in (child, child.tail or "")]
    return any(_stands_alone(clean(_text(line))) for line, _ in _lines(items))


def _text(items: list) -> str:
    return "".join(
        item if isinstance(item, str) else item.text_content() if isinstance(item.tag, str) else "" for item in items
    )


def _paragraph(items: list, attributes: dict | None = None):
    p = lxml_html.Element("p", attributes or {})
    for item in items:
        if isinstance(item, str):
            if len(p):
                p[-1].tail = (p[-1].tail or "") + item
            else:
                p.text = (p.text or "") + item
        else:
            p.append(item)
    return p
