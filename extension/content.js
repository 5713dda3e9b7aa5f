// Injected into a news page when the popup asks (never on its own): collects the article's
// paragraphs, and marks sentences and loaded words in place when the analysis comes back.
// Only text nodes are split and wrapped; the page's own markup and scripts are left alone.
// Hovering (or focusing) a marked sentence shows a tooltip: its label and probability, the
// persuasion techniques found with theirs, and the explanation. Built with textContent only.
"use strict";

(() => {
  if (window.__framingContent) return;  // injected once per page; later injections reuse it
  window.__framingContent = true;

  const BLOCKS = "h1, h2, h3, h4, p, li, blockquote, dd";
  // where a story keeps what is not its text (looked for inside the story's container only)
  const NOT_ARTICLE = "nav, footer, aside, form, figure, figcaption, button, [role=navigation], " +
    "[role=complementary], [aria-hidden=true], .framing-ignore";
  const SILENT = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "BUTTON", "TEMPLATE"]);  // text nobody reads
  let paragraphs = [];  // [{element, text}]: the blocks sent, and the text sent for each
  let current = null;  // the analysis marked on the page, for the tooltips
  // framing.techniques.NOT_AVAILABLE: what a model without a persuasion technique head says.
  const NOT_AVAILABLE = "techniques: not available for this model";

  // The text nodes a reader sees in `element`, in order: what is sent and what is marked.
  function textNodes(element) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => {
        for (let up = node.parentElement; up && up !== element.parentElement; up = up.parentElement) {
          if (SILENT.has(up.tagName)) return NodeFilter.FILTER_REJECT;
        }
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    return nodes;
  }

  function textOf(element) { return textNodes(element).map((node) => node.data).join(""); }

  function paragraphText(container) {
    return Array.from(container.querySelectorAll("p")).reduce((sum, p) => sum + p.textContent.length, 0);
  }

  // The story's container: the marked one (articleBody, or the <article> holding the most
  // paragraph text: the first may be a teaser card), else the element whose own paragraphs
  // hold the most text (how reader modes find a story).
  function articleRoot() {
    const marked = Array.from(document.querySelectorAll("[itemprop~=articleBody], article"));
    if (marked.length) return marked.reduce((best, e) => (paragraphText(e) > paragraphText(best) ? e : best));
    const text = new Map();
    for (const p of document.querySelectorAll("p")) {
      if (!p.closest("nav, footer, aside")) text.set(p.parentElement, (text.get(p.parentElement) || 0) + p.textContent.length);
    }
    let best = document.body, most = 0;
    for (const [element, length] of text) if (length > most) { best = element; most = length; }
    return best;
  }

  function collect() {
    const root = articleRoot();
    paragraphs = [];
    for (const element of root.querySelectorAll(BLOCKS)) {
      const excluded = element.closest(NOT_ARTICLE);
      if (excluded && root.contains(excluded) && excluded !== root) continue;  // boilerplate inside the story
      if (element.parentElement.closest(BLOCKS) && root.contains(element.parentElement.closest(BLOCKS))) continue;  // in a block already taken
      const text = textOf(element);
      const words = text.trim().split(/\s+/).filter(Boolean).length;
      if (words < 4 && !(/^H[1-4]$/.test(element.tagName) && words)) continue;  // "Share", "Read more", a lone link
      paragraphs.push({ element, text });
    }
    return { title: document.title, url: location.href, paragraphs: paragraphs.map((p) => p.text) };
  }

  // The API counts code points; DOM text offsets are UTF-16 units. units[i]: where code point i starts.
  function unitsOf(text) {
    const units = [0];
    for (const character of text) units.push(units[units.length - 1] + character.length);
    return units;
  }

  function clear() {
    hideTip();
    current = null;
    for (const span of document.querySelectorAll("span.framing-sentence, mark.framing-word")) {
      span.replaceWith(...span.childNodes);
    }
    for (const { element } of paragraphs) element.normalize();
  }

  function percent(p) { return Math.round(p * 100) + "%"; }

  // Sentences and words of one paragraph, as UTF-16 ranges of its text: [{start, end, sentence, word}].
  function rangesOf(analysis, base, text) {
    const units = unitsOf(text);
    const length = units.length - 1;  // code points
    const local = (offset) => units[Math.min(Math.max(offset - base, 0), length)];
    const sentences = [], words = [];
    for (const sentence of analysis.sentences) {
      if (sentence.end <= base || sentence.start >= base + length) continue;
      sentences.push({ start: local(sentence.start), end: local(sentence.end), sentence });
      for (const word of sentence.highlights) words.push({ start: local(word.start), end: local(word.end), word, sentence });
    }
    return { sentences, words };
  }

  // Split the element's text nodes at every range boundary, then wrap each piece that lies in a
  // sentence in its span, and each piece of a loaded word in a <mark> inside that span.
  function markElement(element, ranges, flag, focusable) {
    const cuts = new Set();
    for (const r of [...ranges.sentences, ...ranges.words]) { cuts.add(r.start); cuts.add(r.end); }
    const pieces = [];  // [{node, start}]: each text node and its offset in the text sent
    let offset = 0;
    for (const node of textNodes(element)) {
      pieces.push({ node, start: offset });
      offset += node.length;
    }
    const split = [];
    for (const { node, start } of pieces) {
      let current = node, at = start;
      for (const cut of [...cuts].filter((c) => c > start && c < start + node.length).sort((a, b) => a - b)) {
        const rest = current.splitText(cut - at);
        split.push({ node: current, start: at });
        current = rest; at = cut;
      }
      split.push({ node: current, start: at });
    }
    let marked = 0;
    for (const { node, start } of split) {
      if (!node.length) continue;
      const inSentence = ranges.sentences.find((r) => r.start <= start && start < r.end);
      if (!inSentence) continue;
      const s = inSentence.sentence;
      const p = s.scores[flag];
      let piece = node;
      const word = ranges.words.find((r) => r.start <= start && start < r.end);
      if (word) {
        const mark = document.createElement("mark");
        mark.className = "framing-word" + (word.word.quoted ? " quoted" : "");
        mark.title = "loaded word, weight " + percent(word.word.weight);
        node.replaceWith(mark);
        mark.append(node);
        piece = mark;
        marked += 1;
      }
      const span = document.createElement("span");
      span.className = "framing-sentence " + (s.label === flag ? "editorializing" : "neutral") + (s.quoted ? " quoted" : "");
      span.style.setProperty("--framing-p", p.toFixed(3));
      span.title = sentenceLine(s, flag);
      span.dataset.framingIndex = String(s.index);
      if (s.label === flag && !focusable.has(s.index)) {  // its first piece: reached with Tab, for its tooltip
        span.tabIndex = 0;
        focusable.add(s.index);
      }
      piece.replaceWith(span);
      span.append(piece);
    }
    return marked;
  }

  function sentenceLine(s, flag) {
    return (s.quoted ? "quoted, " : "") + s.label + ": " + percent(s.scores[flag]) + " probability of " + flag;
  }

  function mark(analysis) {
    clear();
    current = analysis;
    const focusable = new Set();
    let base = 0, words = 0;
    for (const { element, text } of paragraphs) {
      // a paragraph the page changed since it was read (live updates) is left unmarked
      if (element.isConnected && textOf(element) === text) {
        words += markElement(element, rangesOf(analysis, base, text), analysis.flag_label, focusable);
      }
      base += unitsOf(text).length - 1 + 2;  // the paragraphs were sent joined by "\n\n"
    }
    const flagged = analysis.sentences.filter((s) => s.label === analysis.flag_label).length;
    return { sentences: analysis.sentences.length, editorializing: flagged, words };
  }

  // The tooltip: one element for the page, its content in a shadow root so that the page's
  // styles neither reach it nor are reached by it; placed under the line hovered.
  const TIP_STYLE = `
    .tip { box-sizing: border-box; max-width: 26rem; padding: .5rem .7rem; font: 14px/1.4 system-ui, sans-serif;
      color: #1d1d1f; background: #fff; border: 1px solid #888; border-radius: 4px; box-shadow: 0 2px 8px rgba(0, 0, 0, .25);
      text-align: left; white-space: normal; position: relative; }
    .tip::before { content: ""; position: absolute; left: 0; right: 0; top: -7px; height: 7px; }
    p { margin: 0; }
    .label { font-weight: 700; color: #5a1411; }
    ul { list-style: none; margin: .3rem 0; padding: 0; }
    .score { font-weight: 700; font-variant-numeric: tabular-nums; }
    .none, .unavailable { color: #555; font-style: italic; margin: .3rem 0; }
    .explanation { border-top: 1px solid #ddd; padding-top: .3rem; }`;
  let tip = null, tipBox = null, tipIndex = null;

  function node(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function tipHost() {
    if (tip && tip.isConnected) return tip;
    tip = document.createElement("framing-tip");  // a name no page styles (content.css places it)
    tip.id = "framing-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    const root = tip.attachShadow({ mode: "open" });
    tipBox = node("div", "tip");
    root.append(node("style", "", TIP_STYLE), tipBox);
    document.documentElement.append(tip);
    return tip;
  }

  function fillTip(s) {
    const parts = [node("p", "label", sentenceLine(s, current.flag_label))];
    if (current.techniques_available !== true) {
      parts.push(node("p", "unavailable", NOT_AVAILABLE));
    } else if (s.techniques && s.techniques.length) {
      const list = node("ul", "techniques");
      list.setAttribute("aria-label", "persuasion techniques");
      for (const t of s.techniques) {
        const item = node("li");
        item.append(node("span", "name", t.name), " ", node("span", "score", percent(t.score)));
        list.append(item);
      }
      parts.push(list);
    } else {
      parts.push(node("p", "none", "no persuasion technique found"));
    }
    if (s.explanation) parts.push(node("p", "explanation", s.explanation));
    tipBox.replaceChildren(...parts);
  }

  function piecesOf(index) { return document.querySelectorAll(`span.framing-sentence[data-framing-index="${index}"]`); }

  function showTip(span, pointer) {
    const index = Number(span.dataset.framingIndex);
    if (tipIndex === index && tip && !tip.hidden) return;  // moving within the sentence: it stays put
    const s = current && current.sentences.find((sentence) => sentence.index === index);
    if (!s) return;
    hideTip();
    tipHost();
    fillTip(s);
    tipIndex = index;
    for (const piece of piecesOf(index)) {  // its own title would show beside the tooltip
      if (piece.hasAttribute("title")) { piece.dataset.framingTitle = piece.title; piece.removeAttribute("title"); }
    }
    span.setAttribute("aria-describedby", tip.id);
    tip.hidden = false;
    const rects = Array.from(span.getClientRects());
    const line = (pointer && rects.find((r) => pointer.clientY >= r.top && pointer.clientY <= r.bottom)) || rects[0] || span.getBoundingClientRect();
    const left = Math.max(4, Math.min(pointer ? pointer.clientX - 16 : line.left, document.documentElement.clientWidth - tip.offsetWidth - 4));
    tip.style.left = left + window.scrollX + "px";
    tip.style.top = line.bottom + window.scrollY + 6 + "px";
  }

  function hideTip() {
    if (tipIndex === null) return;
    for (const piece of piecesOf(tipIndex)) {
      if (piece.dataset.framingTitle !== undefined) { piece.title = piece.dataset.framingTitle; delete piece.dataset.framingTitle; }
      piece.removeAttribute("aria-describedby");
    }
    tipIndex = null;
    if (tip) tip.hidden = true;
  }

  function sentenceAt(target) { return target instanceof Element ? target.closest("span.framing-sentence") : null; }

  document.addEventListener("mouseover", (event) => {
    const span = sentenceAt(event.target);
    if (span && current) showTip(span, event);
  });
  document.addEventListener("mouseout", (event) => {
    // leaving the sentence for its tooltip, another piece of it, or the tooltip for it: kept
    if (tipIndex === null || event.relatedTarget === tip) return;
    const to = sentenceAt(event.relatedTarget);
    if (to && Number(to.dataset.framingIndex) === tipIndex) return;
    if (event.target === tip || sentenceAt(event.target)) hideTip();
  });
  document.addEventListener("focusin", (event) => {
    const span = sentenceAt(event.target);
    if (span && current) showTip(span, null);
  });
  document.addEventListener("focusout", (event) => {
    const span = sentenceAt(event.target);
    if (span && Number(span.dataset.framingIndex) === tipIndex) hideTip();
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") hideTip(); });

  chrome.runtime.onMessage.addListener((message, sender, reply) => {
    if (message.type === "collect") reply(collect());
    else if (message.type === "mark") reply(mark(message.analysis));
    else if (message.type === "clear") { clear(); reply({ cleared: true }); }
  });
})();
