// The web page: send the article to POST /v1/analyze and render the answer.
// Everything is built with DOM calls and textContent (never innerHTML), so article text is inert.
"use strict";

const form = document.getElementById("form");
const statusLine = document.getElementById("status");
const button = document.getElementById("analyze");
const results = document.getElementById("results");
const view = document.getElementById("article-view");
const summaryList = document.getElementById("summary");

function percent(p) { return Math.round(p * 100) + "%"; }

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

// One sentence: its text with highlighted words as <mark>, then a text tag with label and score.
function renderSentence(slice, sentence, flag) {
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
  const tag = flagged ? (sentence.quoted ? "❝ quoted opinion " : "▌ editorializing ") + percent(p) : "neutral";
  span.append(el("span", { class: "tag", "aria-hidden": "true" }, "[" + tag + "]"));
  return span;
}

function renderSummary(summary) {
  summaryList.replaceChildren();
  const rows = [
    ["Sentences", String(summary.sentences)],
    ["Editorializing sentences", summary.editorializing_sentences + " (" + percent(summary.editorializing_share) + "; " + percent(summary.editorializing_share_by_length) + " of the text by length)"],
    ["In the writer's own voice", String(summary.author_voice_editorializing)],
    ["In quoted speech", String(summary.quoted_editorializing)],
    ["Mean probability of editorializing", percent(summary.mean_probability)],
  ];
  for (const [term, value] of rows) { summaryList.append(el("dt", {}, term), el("dd", {}, value)); }
}

function render(text, analysis) {
  const slice = codePointSlicer(text);
  view.replaceChildren();
  let cursor = 0;
  for (const sentence of analysis.sentences) {
    view.append(slice(cursor, sentence.start));  // whitespace and line breaks between sentences
    view.append(renderSentence(slice, sentence, analysis.flag_label));
    cursor = sentence.end;
  }
  view.append(slice(cursor));
  renderSummary(analysis.summary);
  results.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = document.getElementById("article").value;
  statusLine.className = "";
  statusLine.textContent = "Analyzing…";
  button.disabled = true;
  try {
    const response = await fetch("/v1/analyze", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
    render(text, body);
    statusLine.textContent = "Done: " + body.summary.sentences + " sentences.";
  } catch (error) {
    statusLine.className = "error";
    statusLine.textContent = "Error: " + error.message;
  } finally {
    button.disabled = false;
  }
});
