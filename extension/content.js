// Injected into a news page when the popup asks (never on its own): collects the article's
// paragraphs, and marks sentences and loaded words in place when the analysis comes back.
// Only text nodes are split and wrapped; the page's own markup and scripts are left alone.
"use strict";

(() => {
  if (window.__framingContent) return;  // injected once per page; later injections reuse it
  window.__framingContent = true;

  const BLOCKS = "h1, h2, h3, h4, p, li, blockquote, dd";
  // where a page keeps what is not its article
  const NOT_ARTICLE = "nav, header, footer, aside, form, figure, figcaption, button, script, style, noscript, " +
    "[role=navigation], [role=complementary], [aria-hidden=true], .framing-ignore";
  let paragraphs = [];  // [elements], in the order their texts were sent

  // The story's container: the one the page marks as such, else the element whose own
  // paragraphs hold the most text (how reader modes find a story).
  function articleRoot() {
    const marked = document.querySelector("[itemprop~=articleBody], article");
    if (marked) return marked;
    const text = new Map();
    for (const p of document.querySelectorAll("p")) {
      if (!p.closest(NOT_ARTICLE)) text.set(p.parentElement, (text.get(p.parentElement) || 0) + p.textContent.length);
    }
    let best = document.body, most = 0;
    for (const [element, length] of text) if (length > most) { best = element; most = length; }
    return best;
  }

  function collect() {
    const root = articleRoot();
    paragraphs = [];
    for (const element of root.querySelectorAll(BLOCKS)) {
      if (element.closest(NOT_ARTICLE) || element.parentElement.closest(BLOCKS)) continue;  // boilerplate, or inside a block already taken
      const words = element.textContent.trim().split(/\s+/).filter(Boolean).length;
      if (words < 4 && !/^H[1-4]$/.test(element.tagName)) continue;  // "Share", "Read more", a lone link
      paragraphs.push(element);
    }
    return { title: document.title, url: location.href, paragraphs: paragraphs.map((e) => e.textContent) };
  }

  // The API counts code points; DOM text offsets are UTF-16 units. units[i]: where code point i starts.
  function unitsOf(text) {
    const units = [0];
    for (const character of text) units.push(units[units.length - 1] + character.length);
    return units;
  }

  function clear() {
    for (const span of document.querySelectorAll("span.framing-sentence, mark.framing-word")) {
      span.replaceWith(...span.childNodes);
    }
    for (const element of paragraphs) element.normalize();
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
  function markElement(element, ranges, flag) {
    const cuts = new Set();
    for (const r of [...ranges.sentences, ...ranges.words]) { cuts.add(r.start); cuts.add(r.end); }
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const pieces = [];  // [{node, start}] after splitting
    let offset = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
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
      span.title = (s.quoted ? "quoted, " : "") + s.label + ": " + percent(p) + " probability of " + flag;
      span.dataset.framingIndex = String(s.index);
      piece.replaceWith(span);
      span.append(piece);
    }
    return marked;
  }

  function mark(analysis) {
    clear();
    let base = 0, words = 0;
    paragraphs.forEach((element) => {
      const text = element.textContent;
      words += markElement(element, rangesOf(analysis, base, text), analysis.flag_label);
      base += unitsOf(text).length - 1 + 2;  // the paragraphs were sent joined by "\n\n"
    });
    const flagged = analysis.sentences.filter((s) => s.label === analysis.flag_label).length;
    return { sentences: analysis.sentences.length, editorializing: flagged, words };
  }

  chrome.runtime.onMessage.addListener((message, sender, reply) => {
    if (message.type === "collect") reply(collect());
    else if (message.type === "mark") reply(mark(message.analysis));
    else if (message.type === "clear") { clear(); reply({ cleared: true }); }
  });
})();
