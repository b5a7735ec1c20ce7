/*
 * Search worker of the served handbook: answers Material for MkDocs' search
 * box from the Pagefind index in <site>/pagefind/, so the browser loads only
 * the index chunks a query needs instead of the whole handbook.
 *
 * It speaks Material's worker protocol (message types SETUP 0, READY 1,
 * QUERY 2, RESULT 3; a result is a list of pages, each a list of documents:
 * the page first, then its sections) and replaces Material's worker file in
 * the built site (generator/site/search.py), which puts the handbook's
 * language and the folders of the index's further parts in front of it
 * (`const LANGUAGE = "zh"; const PARTS = ["part-2/", …];`). Everything it
 * loads comes from the handbook's own server.
 *
 * Material starts this worker with every page. Pagefind (its runtime and every
 * part's metadata) is loaded only when the reader turns to search: when the
 * search box gets focus (search-prepare.js says so on the PREPARE channel),
 * or with the first query (a link with ?q=).
 */
"use strict";

const READY = 1, QUERY = 2, RESULT = 3;  // SETUP (0) carries Material's index: unused
const PREPARE = "handbook-search-prepare";  // a BroadcastChannel (see search-prepare.js)

/* Result pages of a query: the first five (about what the result list shows
 * before it is scrolled) are shown as soon as their excerpts are in, each a
 * fetch of its own, so the first answer waits for five, not ten; the rest
 * follow in a second answer (Material renders them on scrolling). */
const FIRST = 5, MORE = 30;

/* Page length does not count against a page (role pages are long by nature); a
 * match in the keywords of a page (a role overview: the role title) counts most. */
const OPTIONS = { excerptLength: 32, ranking: { pageLength: 0, metaWeights: { keywords: 10 } } };

/*
 * Chromium splits Chinese words its dictionary lacks (回访, 入职, 排查) into single
 * characters, and Pagefind matches each as the start of any word (回 finds 回款).
 * Runs of single Chinese characters in a query are searched as one word instead,
 * as jieba and Pagefind index them.
 */
function joinSingleHanRuns(BrowserSegmenter) {
  const singleHan = /^\p{Script=Han}$/u;
  return class extends BrowserSegmenter {
    segment(text) {
      const parts = [...super.segment(text)];
      if (this.resolvedOptions().granularity !== "word") return parts;
      const words = [];
      for (const { segment, index, isWordLike } of parts) {
        const single = singleHan.test(segment);
        const last = words[words.length - 1];
        if (single && last && last.single) last.segment += segment;
        else words.push({ segment, index, isWordLike, single });
      }
      return words;
    }
  };
}

Intl.Segmenter = joinSingleHanRuns(Intl.Segmenter);

let engine = null;
let latest = 0;

function load() {
  if (engine === null) {
    // Pagefind reads the language (and with it how to segment a query) from the
    // page's <html lang>, which a worker cannot see: lend it the handbook's.
    self.document = { querySelector: () => ({ getAttribute: () => LANGUAGE }) };
    const bundle = new URL("../../../pagefind/", self.location.href);
    engine = import(new URL("pagefind.js", bundle).href).then(async pagefind => {
      await pagefind.options({ ...OPTIONS, baseUrl: "/" });
      await pagefind.init();
      // A large handbook's index comes in parts, searched together.
      await Promise.all(PARTS.map(part =>
        pagefind.mergeIndex(new URL(part, bundle).href, { ...OPTIONS, baseUrl: "/" })));
      return pagefind;
    }).catch(error => {
      engine = null;  // (a later query tries again)
      throw error;
    });
  }
  return engine;
}

function escapeHTML(text) {
  return String(text)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/* Pagefind's URLs start at the site root ("/roles/x/"); Material resolves locations against the site's base. */
function sitePath(url) {
  return url.replace(/^\//, "");
}

/* The words Pagefind marked, for Material's highlighting of the opened page. */
function markedTerms(...excerpts) {
  const terms = {};
  for (const excerpt of excerpts)
    for (const match of excerpt.matchAll(/<mark>([^<]*)<\/mark>/g))
      if (match[1].trim()) terms[match[1].trim()] = true;
  return terms;
}

function documents(page, score) {
  // Sections under the page's headings; the page title's own section is the page.
  const sections = page.sub_results
    .filter(section => section.url.includes("#") && section.anchor?.element !== "h1")
    .sort((a, b) => (b.locations || []).length - (a.locations || []).length);
  const terms = markedTerms(page.excerpt, ...sections.map(section => section.excerpt));
  const docs = [{
    location: sitePath(page.url),
    title: escapeHTML(page.meta.title || page.url),
    text: page.excerpt,
    score: score,
    terms: terms
  }];
  sections.forEach((section, index) => docs.push({
    location: sitePath(section.url),
    title: escapeHTML(section.title),
    text: section.excerpt,
    // The best section is shown under the page title; the others fold into "more".
    score: index === 0 ? score : score / 2,
    terms: terms
  }));
  return docs;
}

/* Answers a query, unless a newer one came in meanwhile. */
async function answer(query, ticket) {
  const reply = items => {
    if (ticket === latest) self.postMessage({ type: RESULT, data: { items } });
    return ticket === latest;
  };
  if (!query.trim()) return reply([]);
  const found = (await (await load()).search(query)).results;
  const items = [];
  for (const end of [FIRST, MORE]) {
    const batch = found.slice(items.length, end);
    if (items.length > 0 && batch.length === 0) return;
    const pages = await Promise.all(batch.map(result => result.data()));
    pages.forEach((page, i) => items.push(documents(page, batch[i].score)));
    if (!reply([...items])) return;
  }
}

self.addEventListener("message", async event => {
  const message = event.data;
  if (message.type === QUERY) {
    const ticket = ++latest;
    try {
      await answer(message.data, ticket);
    } catch (error) {
      console.error("handbook search:", error);
      if (ticket === latest) self.postMessage({ type: RESULT, data: { items: [] } });
    }
  }
});

/*
 * Ready at once: the search box need not wait for the page to send Material's
 * index (SETUP), which this worker does not use, nor for Pagefind, which the first
 * query waits for. Material listens to the worker from the moment it creates it,
 * so this message is not missed.
 */
self.postMessage({ type: READY });

/* The box got focus, or the page was opened with a query (search-prepare.js says
 * "prepare", also in answer to this worker's "hello" if the page's script ran before
 * the worker listened): Pagefind loads while the query is typed or sent. (The channel
 * is the origin's, so a page in another tab of the handbook may load it here too, from
 * the browser's cache by then; a worker loads it once.) */
if (typeof BroadcastChannel === "function") {
  const prepare = new BroadcastChannel(PREPARE);
  prepare.onmessage = event => {
    if (event.data === "prepare")
      load().catch(error => console.error("handbook search:", error));  // (a query tries again)
  };
  prepare.postMessage("hello");
}
