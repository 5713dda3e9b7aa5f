// The web page: one article through POST /v1/analyze, or two reports of one event through
// POST /v1/contrast, rendered with the same sentence and word marks.
// Everything is built with DOM calls and textContent (never innerHTML), so article text is inert.
"use strict";

const form = document.getElementById("form");
const statusLine = document.getElementById("status");
const button = document.getElementById("analyze");
const results = document.getElementById("results");
const view = document.getElementById("article-view");
const summaryList = document.getElementById("summary");

function percent(p) { return Math.round(p * 100) + "%"; }

// framing.techniques.NOT_AVAILABLE: what a model without a persuasion technique head says.
const NOT_AVAILABLE = "techniques: not available for this model";

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// The API's offsets count Unicode code points (Python string indices); JavaScript strings index
// UTF-16 code units, in which a character outside the Basic Multilingual Plane (an emoji, some CJK)
// takes two. A slicer over the answer's offsets, so every later sentence and mark stays in place.
// units: [code points + 1] UTF-16 index at which each code point starts (the last: text.length).
function codePointSlicer(text) {
  const units = [0];
  for (const character of text) units.push(units[units.length - 1] + character.length);
  return (start, end) => text.slice(units[start], end === undefined ? undefined : units[end]);
}

// What the tooltip of each rendered sentence shows: {sentence, flag, techniques (available)}.
const sentenceInfo = new WeakMap();

// One sentence: its text with highlighted words as <mark>, then a text tag with label and score.
function renderSentence(slice, sentence, flag, techniques) {
  const flagged = sentence.label === flag;
  const classes = ["sentence", flagged ? "editorializing" : "neutral"];
  if (sentence.quoted) classes.push("quoted");
  const p = sentence.scores[flag];
  const span = el("span", {
    class: classes.join(" "), style: "--p:" + p.toFixed(3), tabindex: "0",
    "data-label": sentence.label, "data-index": String(sentence.index),
    "aria-label": (sentence.quoted ? "quoted, " : "") + sentence.label + " " + percent(sentence.score) + ": " + sentence.text,
  });
  let cursor = sentence.start;
  for (const word of sentence.highlights) {
    span.append(slice(cursor, word.start));
    const mark = el("mark", { class: "word" + (word.quoted ? " quoted" : ""), title: "weight " + percent(word.weight) }, slice(word.start, word.end));
    span.append(mark);
    cursor = word.end;
  }
  span.append(slice(cursor, sentence.end));
  // a sentence not flagged is tagged with its own label (a model may have three or more, and no "neutral")
  const tag = flagged ? (sentence.quoted ? "❝ quoted opinion " : "▌ editorializing ") + percent(p) : sentence.label;
  span.append(el("span", { class: "tag", "aria-hidden": "true" }, "[" + tag + "]"));
  sentenceInfo.set(span, { sentence, flag, techniques });
  return span;
}

// A model trained without marked words has no word marks at all: say so rather than show none.
function noWords(answer) {
  return answer.marks_words === false ? " This model was trained without marked words: no words are marked." : "";
}

// Technique label -> the name a reader sees, from the sentences' techniques (the API names each).
function techniqueNames(analysis) {
  const names = {};
  for (const sentence of analysis.sentences) {
    for (const t of sentence.techniques || []) names[t.technique] = t.name;
  }
  return names;
}

// {label: sentences} as "Loaded language (3 sentences), Doubt (1 sentence)", most first.
function techniqueCounts(found, names) {
  const listed = Object.entries(found || {}).sort((a, b) => b[1] - a[1])
    .map(([label, n]) => (names[label] || label.replace(/_/g, " ")) + " (" + n + (n === 1 ? " sentence)" : " sentences)"));
  return listed.join(", ") || "none found";
}

function techniqueRows(analysis) {
  const found = analysis.summary.techniques;
  if (analysis.techniques_available !== true || !found) return [["Persuasion techniques", NOT_AVAILABLE]];
  const names = techniqueNames(analysis);
  return [
    ["Persuasion techniques in the writer's voice", techniqueCounts(found.author_voice, names)],
    ["Persuasion techniques in quoted speech", techniqueCounts(found.quoted, names)],
  ];
}

function summaryRows(analysis) {
  const summary = analysis.summary;
  return [
    ["Sentences", String(summary.sentences)],
    ["Editorializing sentences", summary.editorializing_sentences + " (" + percent(summary.editorializing_share) + "; " + percent(summary.editorializing_share_by_length) + " of the text by length)"],
    ["In the writer's own voice", String(summary.author_voice_editorializing)],
    ["In quoted speech", String(summary.quoted_editorializing)],
    ["Mean probability of editorializing", percent(summary.mean_probability)],
    ...techniqueRows(analysis),
  ];
}

function renderSummary(list, analysis) {
  list.replaceChildren();
  for (const [term, value] of summaryRows(analysis)) { list.append(el("dt", {}, term), el("dd", {}, value)); }
}

// The article's text (the answer's `text`: for a news page, the extracted title and body)
// with each sentence marked, into `container`.
function renderArticle(container, analysis) {
  const text = analysis.text;
  const slice = codePointSlicer(text);
  hideTip();  // its sentence may be one about to go
  container.replaceChildren();
  let cursor = 0;
  for (const sentence of analysis.sentences) {
    container.append(slice(cursor, sentence.start));  // whitespace and line breaks between sentences
    container.append(renderSentence(slice, sentence, analysis.flag_label, analysis.techniques_available === true));
    cursor = sentence.end;
  }
  container.append(slice(cursor));
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error ? answer.error.message : response.statusText);
  return answer;
}

// Run `work` behind a button, with its status line saying what happens.
async function withStatus(button, line, work) {
  line.className = "";
  line.textContent = "Analyzing…";
  button.disabled = true;
  try {
    line.textContent = await work();
  } catch (error) {
    line.className = "error";
    line.textContent = "Error: " + error.message;
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  withStatus(button, statusLine, async () => {
    const analysis = await post("/v1/analyze", { text: document.getElementById("article").value });
    renderArticle(view, analysis);
    renderSummary(summaryList, analysis);
    results.hidden = false;
    return "Done: " + analysis.summary.sentences + " sentences." + noWords(analysis);
  });
});

// Two reports side by side: the verdict, the figures in one table, both texts marked alike.
const contrastForm = document.getElementById("contrast-form");
const contrastButton = document.getElementById("contrast");
const contrastStatus = document.getElementById("contrast-status");

function renderFigures(table, articles) {
  table.replaceChildren();
  const head = el("tr", {}, undefined);
  head.append(el("th", { scope: "col" }, "Figure"));
  for (const article of articles) head.append(el("th", { scope: "col" }, "Article " + (article.index + 1) + ": " + article.title));
  table.append(head);
  const rows = articles.map((article) => summaryRows(article.analysis));
  rows[0].forEach(([term], i) => {
    const row = el("tr", {}, undefined);
    row.append(el("th", { scope: "row" }, term));
    for (const figures of rows) row.append(el("td", {}, figures[i][1]));
    table.append(row);
  });
  const words = el("tr", {}, undefined);
  words.append(el("th", { scope: "row" }, "Loaded words only this article uses"));
  for (const article of articles) {
    const only = article.loaded_words_only_here.map((w) => w.word).join(", ") || "none";
    const shown = article.analysis.marks_words === false ? "not marked by this model" : only;
    words.append(el("td", { class: "only-here" }, shown));
  }
  table.append(words);
}

function renderColumns(container, articles) {
  container.replaceChildren();
  for (const article of articles) {
    const column = el("section", { class: "column", "aria-label": "Article " + (article.index + 1) }, undefined);
    column.append(el("h3", {}, "Article " + (article.index + 1) + ": " + article.title));
    const body = el("div", { class: "article-view" }, undefined);
    renderArticle(body, article.analysis);
    column.append(body);
    container.append(column);
  }
}

contrastForm.addEventListener("submit", (event) => {
  event.preventDefault();
  withStatus(contrastButton, contrastStatus, async () => {
    const texts = ["article-a", "article-b"].map((id) => document.getElementById(id).value);
    const comparison = await post("/v1/contrast", { articles: texts });
    document.getElementById("verdict").textContent = comparison.verdict;
    document.getElementById("verdict-note").textContent = comparison.note;
    renderFigures(document.getElementById("contrast-figures"), comparison.articles);
    renderColumns(document.getElementById("contrast-columns"), comparison.articles);
    document.getElementById("contrast-results").hidden = false;
    return "Done: " + comparison.articles.length + " articles." + noWords(comparison);
  });
});

// The tooltip of a sentence, on hover and on keyboard focus (a model with a technique head):
// its label, the persuasion techniques found with their probabilities, and the explanation.
// One element for the page, filled with textContent and placed under the sentence.
const tip = document.getElementById("sentence-tip");
let tipAnchor = null;

function fillTip(info) {
  const { sentence, flag } = info;
  const flagged = sentence.label === flag;
  const label = flagged ? (sentence.quoted ? "quoted opinion" : "editorializing") : sentence.label;
  const parts = [el("p", { class: "tip-label" }, label + " " + percent(flagged ? sentence.scores[flag] : sentence.score))];
  const found = sentence.techniques || [];
  if (found.length) {
    const list = el("ul", { class: "tip-techniques", "aria-label": "persuasion techniques" }, undefined);
    for (const t of found) {
      const item = el("li", {}, undefined);
      item.append(el("span", { class: "tip-name" }, t.name), " ", el("span", { class: "tip-score" }, percent(t.score)));
      list.append(item);
    }
    parts.push(list);
  } else {
    parts.push(el("p", { class: "tip-none" }, "no persuasion technique found"));
  }
  if (sentence.explanation) parts.push(el("p", { class: "tip-explanation" }, sentence.explanation));
  tip.replaceChildren(...parts);
}

function showTip(span, pointer) {
  const info = sentenceInfo.get(span);
  if (!info || !info.techniques) return;  // no technique head: the summary says so, once
  if (tipAnchor === span && !tip.hidden) return;  // moving within the sentence: it stays put
  if (tipAnchor) hideTip();
  fillTip(info);
  tipAnchor = span;
  span.setAttribute("aria-describedby", tip.id);
  tip.hidden = false;
  // under the line hovered (a sentence may wrap), else under the sentence; kept on screen
  const rects = Array.from(span.getClientRects());
  const line = (pointer && rects.find((r) => pointer.clientY >= r.top && pointer.clientY <= r.bottom)) || rects[0] || span.getBoundingClientRect();
  const width = tip.offsetWidth;
  const left = Math.max(4, Math.min((pointer ? pointer.clientX - 16 : line.left), document.documentElement.clientWidth - width - 4));
  tip.style.left = left + window.scrollX + "px";
  tip.style.top = line.bottom + window.scrollY + 6 + "px";
}

function hideTip() {
  if (tipAnchor) tipAnchor.removeAttribute("aria-describedby");
  tipAnchor = null;
  tip.hidden = true;
}

function sentenceOf(node) { return node instanceof Element ? node.closest(".sentence") : null; }

document.addEventListener("mouseover", (event) => {
  const span = sentenceOf(event.target);
  if (span && sentenceInfo.has(span)) showTip(span, event);
});
document.addEventListener("mouseout", (event) => {
  // leaving the sentence for its tooltip (or the tooltip for its sentence) keeps it open
  if (!tipAnchor || tipAnchor.contains(event.relatedTarget) || tip.contains(event.relatedTarget)) return;
  if (tipAnchor.contains(event.target) || tip.contains(event.target)) hideTip();
});
document.addEventListener("focusin", (event) => {
  const span = sentenceOf(event.target);
  if (span && sentenceInfo.has(span)) showTip(span, null);
  else hideTip();
});
document.addEventListener("focusout", (event) => { if (event.target === tipAnchor) hideTip(); });
document.addEventListener("keydown", (event) => { if (event.key === "Escape") hideTip(); });
