// The popup: on a click, collect the tab's paragraphs (content.js), send them to the framing
// server on this machine, mark the page, and show the article summary; or contrast the tab
// with another one. Text goes only to the server address below (127.0.0.1 by default).
// Built with DOM calls and textContent only, so page text is inert here.
"use strict";

const DEFAULT_SERVER = "http://127.0.0.1:8000";
const $ = (id) => document.getElementById(id);

function percent(p) { return Math.round(p * 100) + "%"; }

// framing.techniques.NOT_AVAILABLE: what a model without a persuasion technique head says.
const NOT_AVAILABLE = "techniques: not available for this model";

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function say(line, text, isError) {
  line.textContent = text;
  line.className = isError ? "error" : "";
}

async function serverAddress() {
  const { server } = await chrome.storage.local.get("server");
  return (server || DEFAULT_SERVER).replace(/\/+$/, "");
}

// The tab to analyze: the one named by ?tab= (the popup opened as a page, as the tests do),
// else the active tab of this window.
async function targetTab() {
  const named = new URLSearchParams(location.search).get("tab");
  if (named) return chrome.tabs.get(Number(named));
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function collect(tab) {
  try {
    await chrome.scripting.insertCSS({ target: { tabId: tab.id }, files: ["content.css"] });
    await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ["content.js"] });
  } catch (error) {
    throw new Error("This page cannot be read by extensions (" + (tab.url || "a browser page") + ").");
  }
  const page = await chrome.tabs.sendMessage(tab.id, { type: "collect" });
  if (!page.paragraphs.length) throw new Error("No article paragraphs found on this page.");
  return page;
}

async function post(path, body) {
  const server = await serverAddress();
  let response;
  try {
    response = await fetch(server + path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
  } catch (error) {
    throw new Error("Cannot reach the framing server at " + server + ". Start it with: " + serveCommand());
  }
  const answer = await response.json().catch(() => ({}));
  if (response.status === 403) throw new Error("The server refused this extension. Restart it with: " + serveCommand());
  if (!response.ok) throw new Error(answer.error ? answer.error.message : "the server answered " + response.status);
  return answer;
}

function serveCommand() { return "framing serve --allow-origin " + location.origin; }

// {label: sentences} as "Loaded language (3), Doubt (1)", most first, with the names the
// API gives each technique on the sentences.
function techniqueCounts(found, analysis) {
  const names = {};
  for (const sentence of analysis.sentences) for (const t of sentence.techniques || []) names[t.technique] = t.name;
  const listed = Object.entries(found || {}).sort((a, b) => b[1] - a[1])
    .map(([label, n]) => (names[label] || label.replace(/_/g, " ")) + " (" + n + ")");
  return listed.join(", ") || "none found";
}

function techniqueRows(analysis) {
  const found = analysis.summary.techniques;
  if (analysis.techniques_available !== true || !found) return [["Techniques", NOT_AVAILABLE]];
  return [
    ["Techniques, writer's voice", techniqueCounts(found.author_voice, analysis)],
    ["Techniques, quoted", techniqueCounts(found.quoted, analysis)],
  ];
}

function showSummary(title, analysis) {
  const s = analysis.summary;
  $("page-title").textContent = title;
  const rows = [
    ["Sentences", String(s.sentences)],
    ["Editorializing", s.editorializing_sentences + " (" + percent(s.editorializing_share) + "; " + percent(s.editorializing_share_by_length) + " by length)"],
    ["In the writer's own voice", String(s.author_voice_editorializing)],
    ["In quoted speech", String(s.quoted_editorializing)],
    ...techniqueRows(analysis),
  ];
  $("figures").replaceChildren(...rows.flatMap(([term, value]) => [el("dt", term), el("dd", value)]));
  $("top").replaceChildren(...s.top_sentences.map((t) => el("li", t.text + " (" + percent(t.score) + ")")));
  $("summary").hidden = false;
}

async function analyzeTab() {
  const tab = await targetTab();
  const page = await collect(tab);
  const analysis = await post("/v1/analyze", { text: page.paragraphs.join("\n\n"), format: "text" });
  const marked = await chrome.tabs.sendMessage(tab.id, { type: "mark", analysis });
  showSummary(page.title, analysis);
  chrome.action.setBadgeText({ tabId: tab.id, text: percent(analysis.summary.editorializing_share) });
  return "Marked " + marked.editorializing + " editorializing of " + marked.sentences + " sentences and " + marked.words + " loaded words.";
}

async function contrastTabs() {
  const first = await targetTab();
  const second = await chrome.tabs.get(Number($("other").value));
  const pages = [await collect(first), await collect(second)];
  const comparison = await post("/v1/contrast", { articles: pages.map((p) => p.paragraphs.join("\n\n")), format: "text" });
  for (const [tab, article] of [[first, comparison.articles[0]], [second, comparison.articles[1]]]) {
    await chrome.tabs.sendMessage(tab.id, { type: "mark", analysis: article.analysis });
  }
  showSummary(pages[0].title, comparison.articles[0].analysis);
  $("note").textContent = comparison.note;
  return comparison.verdict;  // article 1 is this tab, article 2 the other
}

async function listOtherTabs() {
  const mine = await targetTab();
  const tabs = (await chrome.tabs.query({})).filter((t) => t.id !== mine.id && /^https?:/.test(t.url || ""));
  $("other").replaceChildren(...tabs.map((t) => Object.assign(el("option", t.title || t.url), { value: String(t.id) })));
  $("contrast").disabled = !tabs.length;
  if (!tabs.length) $("verdict").textContent = "Open the other report in a tab to contrast it with this one.";
}

function behind(button, line, work) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    say(line, "Analyzing…");
    try {
      say(line, await work());
    } catch (error) {
      say(line, error.message, true);
    } finally {
      button.disabled = false;
    }
  });
}

behind($("analyze"), $("status"), analyzeTab);
behind($("contrast"), $("verdict"), contrastTabs);
$("server").addEventListener("change", () => chrome.storage.local.set({ server: $("server").value.trim() }));
$("command").textContent = serveCommand();
serverAddress().then((address) => { $("server").value = address; });
listOtherTabs();
