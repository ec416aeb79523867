// Runs the query from ?q=… with Pagefind and lists the results as links.
// Only this page loads Pagefind; every other page works without JavaScript.
//
// Chinese needs two lookups. Pagefind cuts page text into words with its own dictionary (刘玉亮 → 刘 玉 亮,
// 王子波 → 王子 波) but cuts the query with the browser's, which cuts differently, and it ranks pages by
// word counts, not by whether the characters stand together. So besides the plain search, a query with
// Chinese in it is also looked up as a phrase, character by character ("刘 玉 亮"), against the search-only
// words the templates add for names, places and numbers (the `search` metadata, one character a word,
// see generator/searchwords.py). Pages where the query's characters stand together come first, those whose
// title starts with the query's first word leading, then in the plain search's order; then the rest.
// Among the results fetched, a page whose title is the query, or starts with it, or whose text holds it
// (ignoring spaces and hyphens) moves up.
//
// Traditional and Simplified: the search-only words are written in Simplified (generator/searchwords.py,
// OpenCC tw2s), and a query with Chinese in it is turned into Simplified here with the same conversion
// (opencc-js, vendored in assets/vendor/, loaded only by this page and only for a query with Chinese in it,
// while Pagefind loads). 網格員 then finds 网格员, and 乌塘村3组 finds a group a clerk typed as 烏塘村3組.
// A query that changed is also searched as typed, for text outside the search-only words.
//
// Segments (generator/segments.py): the index is a base bundle (pagefind/) and, between folds, a small delta
// bundle of the search documents changed since (pagefind-delta/). The manifest (pagefind-segments.json) says
// which bundles to merge, which base ids are stale (edited or deleted since the fold) and which ids are the
// delta's. Each bundle scores with its own statistics and, lacking a query word, falls back on its own to its
// longest indexed prefix, so three rules keep merged results close to a full build's: results only the delta's
// plain search found rank after the base's; a query holding a character only the delta holds keeps only the
// delta's plain results (the base, lacking it, would answer junk); a document number typed with Chinese
// around it is matched strictly, as a bare number is. If the merge fails the base is searched alone.
//
// A Pagefind result is a town page or a day group of notices (see sections() below); a group shows as
// the notices in it where the query was found, each a result of its own linking to its own page.
// Results are cards that answer (see "result cards" below): a town page shows the part the query was found
// in (a person, a grid, a village, a building: townParts(), by the anchors of generator/anchors.py) with
// role, grid and call buttons; a notice its kind, holder, date and state.
const script = document.querySelector("script[data-pagefind]");
const status = document.getElementById("pt-search-status");
const list = document.getElementById("pt-results");
const input = document.getElementById("pt-q");
const more = document.getElementById("pt-more");
const query = (new URLSearchParams(location.search).get("q") || "").trim();
// Each Pagefind result read costs its fragment, the document's whole text: ~2 KB for a day group of
// notices but up to ~20 KB for a town page listing 600 people. So three are read at first, ten more per
// tap on 显示更多结果 (tests/test_search_province.py holds each later query to 100 KB).
const FIRST = 3;
const MORE = 10;
const HAN = /\p{Script=Han}/u;

// The Traditional → Simplified converter, or null when the query needs none (no Chinese in it).
async function converter() {
  if (!HAN.test(query) || !script.dataset.opencc) return null;
  const OpenCC = await import(new URL(script.dataset.opencc, location.href).href);
  return OpenCC.Converter({ from: "tw", to: "cn" });
}

// Text compared without spaces, hyphens or case: 0734-5297228 = 07345297228, 乌塘村 3组 = 乌塘村3组.
const IGNORED = /[\s\u200b\-‐‑‒–—―－_·・]/u;
function fold(text) {
  let out = "";
  for (const ch of text) if (!IGNORED.test(ch)) out += ch.toLowerCase();
  return out;
}

// The words of a text as the search-only words hold them: each Chinese character alone, a run of
// Latin letters and digits whole (兴业小区11栋 → 兴 业 小 区 11 栋), as in generator/searchwords.py.
function words(text) {
  return text.replace(/[\p{P}\p{S}]/gu, " ").match(/[A-Za-z0-9]+|[^\sA-Za-z0-9]/gu) || [];
}

// A group or block of a place, 乌塘村3组 or 兴业小区11栋: the search-only words hold the place once
// (generator/searchwords.py, NUMBERED), so its phrase is the place's; the number is found in the text.
const NUMBERED = /^(.*\D)\d+(?:组|栋|号楼|单元)$/u;

// The query as a Pagefind phrase of those words: "刘 玉 亮"; null without Chinese. A query longer than
// a name or a place (an organisation) is looked up by its first PHRASE_MAX characters: each word of a
// phrase costs Pagefind one more index file, a common character's up to 300 KB at province scale.
const PHRASE_MAX = 6;
function phrase(text) {
  if (!HAN.test(text)) return null;
  const place = text.trim().match(NUMBERED);
  const chars = words(place ? place[1] : text);
  return `"${chars.slice(0, PHRASE_MAX).join(" ")}"`;
}

// A document number typed with its Chinese (湘（2015）北福县不动产权第0439649号) is looked up by its long
// run of digits and letters alone, which names it: one small index file instead of one per character.
function code(text) {
  const runs = HAN.test(text) ? text.match(/[A-Za-z0-9]{6,}/g) : null;
  return runs ? runs.join(" ") : null;
}

// Where `want` (a folded query) stands in `text`: [start, end) in characters, or null.
function span(text, want) {
  if (!want) return null;
  let folded = "";
  const at = [];
  [...text].forEach((ch, i) => {
    if (IGNORED.test(ch)) return;
    for (const c of ch.toLowerCase()) { folded += c; at.push(i); }
  });
  const hit = folded.indexOf(want);
  return hit < 0 ? null : [at[hit], at[hit + want.length - 1] + 1];
}

// The text around [start, end) of a page's text, to show instead of Pagefind's excerpt.
function around(content, [start, end]) {
  const chars = [...content];
  const from = Math.max(0, start - 24);
  const to = Math.min(chars.length, end + 24);
  return {
    before: (from > 0 ? "…" : "") + chars.slice(from, start).join(""),
    match: chars.slice(start, end).join(""),
    after: chars.slice(end, to).join("") + (to < chars.length ? "…" : ""),
  };
}

// Where one of `wants` (folded queries) stands in a page's text: [start, end) in characters, or null. A page
// written in Traditional is also read in Simplified; the conversion keeps the length, so the place found is
// the place in the text as written.
function find(content, wants, toSimple) {
  for (const want of wants) {
    const found = span(content, want);
    if (found) return found;
  }
  if (!toSimple) return null;
  const converted = toSimple(content);
  if (converted === content || [...converted].length !== [...content].length) return null;
  for (const want of wants) {
    const found = span(converted, want);
    if (found) return found;
  }
  return null;
}

function locate(content, wants, toSimple) {
  const found = find(content, wants, toSimple);
  return found ? { ...around(content, found), at: found } : null;
}

// Pagefind ends the text of each block (a heading, a paragraph) with ". ": an excerpt shows a space there.
const BLOCK_END = /\. /g;

function focusedExcerpt(found) {
  const out = document.createElement("p");
  out.className = "pt-results__excerpt";
  const mark = document.createElement("mark");
  mark.textContent = found.match;
  out.append(document.createTextNode(found.before.replace(BLOCK_END, " ")), mark,
             document.createTextNode(found.after.replace(BLOCK_END, " ")));
  return out;
}

// Where Pagefind found the query on a page (a word number): the start of the longest run of neighbouring
// matched words, which is where the query's words stand together.
function bestLocation(data) {
  const locations = [...new Set(data.locations || [])].sort((a, b) => a - b);
  if (!locations.length) return null;
  let best = locations[0], bestLength = 1;
  for (let i = 0, start = 0; i < locations.length; i++) {
    if (i > 0 && locations[i] !== locations[i - 1] + 1) start = i;
    if (i - start + 1 > bestLength) { bestLength = i - start + 1; best = locations[start]; }
  }
  return best;
}

// A town page cut back into what it lists, by the ids of generator/anchors.py that Pagefind keeps as anchors
// (each with its word number): a section is a village (or the judges, the services), an article a grid, a div
// a person, a building, a WeChat group or a service. Each part's text runs to the next anchor.
function townParts(data) {
  const anchors = (data.anchors || []).filter((a) => a.id && !a.id.startsWith("~"))
    .map((a, order) => ({ ...a, order })).sort((a, b) => a.location - b.location || a.order - b.order);
  if (!anchors.some((a) => a.element === "article") || !data.raw_content) return null;
  const words = wordsOf(data.raw_content).map((w) => w.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
  const starts = [];
  let length = 0;
  for (const word of words) { starts.push(length); length += [...word].length; }
  const text = (from, to) => words.slice(from, to).join("").replace(/\s+/g, " ").replace(/[.\s]+$/u, "").trim();
  let village = null, grid = null;
  const parts = anchors.map((a, i) => {
    const next = anchors.find((b, k) => k > i && b.location > a.location);
    const part = { ...a, end: next ? next.location : words.length };
    if (a.element === "section") { village = a.id.startsWith("village-") ? part : null; grid = null; }
    if (a.element === "article") grid = part;
    part.village = village;
    part.grid = a.element === "section" ? null : grid;
    part.text = text(a.location, part.end);
    return part;
  });
  // The part at word number `w`: the last that starts at or before it.
  const at = (w) => parts.filter((p) => p.location <= w).pop() || null;
  // The word number of character `c` of the page's text (the words joined).
  const wordAt = (c) => { let w = 0; while (w + 1 < starts.length && starts[w + 1] <= c) w++; return w; };
  const charAt = (w) => (w < starts.length ? starts[w] : length);
  return { parts, at, wordAt, charAt, content: words.join("") };
}

// A person's line as the town page has it (its anchor's text): role, name, phone: "网格员 刘玉亮 ☎ 150…".
function personOf(part) {
  const line = (part.text || "").replace(BLOCK_END, " ").split("☎");
  const [role = "", name = "", ...more] = line[0].trim().split(/\s+/);
  // the phone as staff wrote it, spaces and all ("139 7340 0002"), up to the address or the block's end
  const phone = line[1] ? line[1].split(/地址|\. /)[0].replace(/[.\s]+$/, "").trim() : "";
  return { role, name, more: more.join(" "), phone };
}

// tel: link of a phone number as shown (0734-5297228转123 → tel:07345297228,123), as identifiers.tel_uri.
function telHref(text) {
  const [number, extension] = text.split("转");
  const digits = number.replace(/[^\d+]/g, "");
  return digits ? `tel:${digits}${extension ? "," + extension.replace(/\D/g, "") : ""}` : null;
}

// Notices are indexed in day groups, all the lost-document notices published on one day (and the rarer
// deregistrations of one week) in one Pagefind document (generator/searchindex.py): Pagefind's cost and
// the index every search loads first grow with the number of documents. Each notice is a section that starts at its heading, whose id is the notice's
// URL, and whose search-only words start at an element with the id "~" and the URL. Pagefind numbers a
// document's words as its text split at zero-width spaces, or at spaces when it has none (raw_content,
// which escapes < and >), so a section's text runs from its heading's word to its search-only words.
// A document's words as Pagefind numbers them, each with the separator after it, so that joined again
// they give the text back. (No look-behind in the pattern: iOS before 16.4, and WeChat on it, cannot
// parse one, and one unparsable pattern stops this whole script.)
function wordsOf(raw) {
  if (raw.includes("\u200b")) return raw.split("\u200b");
  const parts = raw.split(/([\r\n\s]+)/);  // word, space, word, space, …: the first word may be ""
  const words = [];
  for (let i = 0; i < parts.length; i += 2) words.push(parts[i] + (parts[i + 1] || ""));
  return words;
}

function sections(data, base) {
  const anchors = (data.anchors || []).filter((a) => a.id.endsWith("/"));
  const heads = anchors.filter((a) => !a.id.startsWith("~")).sort((a, b) => a.location - b.location);
  if (!heads.length || !data.raw_content) return null;
  const words = wordsOf(data.raw_content);
  const text = (from, to) => words.slice(from, to).join("").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  const wordsAt = new Map(anchors.filter((a) => a.id.startsWith("~")).map((a) => [a.id.slice(1), a.location]));
  return heads.map((head, i) => {
    const end = i + 1 < heads.length ? heads[i + 1].location : words.length;
    const card = ((data.meta || {})[`card-${head.id}`] || "").split("|");
    return {
      data, url: base + head.id, title: head.text, from: head.location, to: end,
      content: text(head.location, wordsAt.get(head.id) ?? end),
      card: card.length === 6 || card.length === 8 ? { kind: card[0], who: card[1], date: card[2], state: card[3],
                                  contact: card[4] ? { name: card[4], phone: card[5] } : null,
                                  after: card[6], deadline: card[7] } : null,
    };
  });
}

// What one Pagefind result holds: the page itself (a town: cut into its parts), or the notices of a day group
// where the query was found (`together`: where its characters stand together, from the phrase search).
function candidates(data, base, phraseLocations) {
  const parts = sections(data, base);
  if (!parts) {
    const town = townParts(data);
    return [{ data, url: data.url, title: (data.meta && data.meta.title) || "", town,
              content: town ? town.content : data.content || "" }];
  }
  const within = (locations, part) => (locations || []).some((l) => l >= part.from && l < part.to);
  return parts.filter((part) => within(data.locations, part) || within(phraseLocations, part))
    .map((part) => ({ ...part, together: within(phraseLocations, part) }));
}

// ------------------------------------------------------------------ result cards
// A result is the answer: a person with their role, grid and a call button; a place with the grid that
// covers it and its 网格长; a notice with its kind, holder, date and state. Every piece of text comes from
// the part of the page the match is in, never from the search-only words, never from a neighbouring grid.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

// The same call button as the town page's (templates/_macros.html, tel).
function callButton(phone) {
  const href = phone && telHref(phone);
  if (!href) return null;
  const link = el("a", "pt-tel");
  link.href = href;
  link.setAttribute("aria-label", `拨打 ${phone}`);
  const icon = el("span", "pt-tel__icon", "☎");
  icon.setAttribute("aria-hidden", "true");
  link.append(icon, ` ${phone}`);
  return link;
}

// One person line inside a card: role, name, call button.
function personLine(role, person) {
  const line = el("div", "pt-result__person");
  line.append(el("span", "pt-person__role", role), el("span", "pt-person__name", person.name));
  const call = callButton(person.phone);
  if (call) line.append(call);
  return line;
}

function gridName(grid) {
  return grid.text.split(/\s*网格编号/)[0].split(". ")[0].trim();
}

function villageName(village) {
  return village ? village.text.split(/[.\s]/)[0] : "";
}

// The 网格长 of a grid part, from its "-leader" anchor.
function leaderOf(town, grid) {
  const part = town.parts.find((p) => p.id === `${grid.id}-leader`);
  return part ? personOf(part) : null;
}

function gridLines(town, grid, townName) {
  const out = [el("p", "pt-result__where", [gridName(grid), villageName(grid.village), townName].filter(Boolean).join(" · "))];
  const leader = leaderOf(town, grid);
  if (leader) out.push(personLine("网格长", leader));
  return out;
}

// The text of a part around the match, the match marked: nothing outside the part (another grid's name).
function partExcerpt(town, part, found) {
  if (!found) return null;
  const start = town.charAt(part.location), end = town.charAt(part.end);
  const [a, b] = found.at;
  if (a < start || b > end) return null;
  const text = [...town.content].slice(start, end).join("").replace(/[.\s]+$/u, "");
  return focusedExcerpt(around(text, [a - start, Math.min(b, start + [...text].length) - start]));
}

// Whether the match on a town page is a village's or a building's whole name: the place itself, which ranks
// that page above pages merely mentioning it (a notice of 晨光社区养老服务协会 for 晨光社区).
function names(town, found, wants) {
  const part = town.at(town.wordAt(found.at[0]));
  if (!part) return false;
  const name = part.element === "section" ? villageName(part) : part.element === "div" ? personOf(part).role : "";
  return wants.includes(fold(name));
}

// What a town result shows: the part the match is in, as a card, and the link to it.
function townCard(item, found) {
  const { town, data, url } = item;
  const townName = (data.meta && data.meta.title) || "";
  const w = found ? town.wordAt(found.at[0]) : bestLocation(data);
  let part = w === null ? null : town.at(w);
  if (part && (part.id.endsWith("-wechat") || part.id.endsWith("-buildings"))) part = part.grid;
  if (!part) return null;
  const card = { href: `${url}#${part.id}`, title: "", role: "", lines: [], part };
  if (part.element === "section" && part.id.startsWith("village-")) {
    card.title = villageName(part);
    card.role = "村（社区）";
    const grids = town.parts.filter((p) => p.element === "article" && p.village === part);
    card.lines.push(el("p", "pt-result__where", `${townName} · ${grids.length} 个网格`));
    for (const grid of grids.slice(0, 3)) {
      const leader = leaderOf(town, grid);
      card.lines.push(el("p", "pt-result__grid", gridName(grid)));
      if (leader) card.lines.push(personLine("网格长", leader));
    }
  } else if (part.element === "article") {
    card.title = found && found.match.length < gridName(part).length ? found.match : gridName(part);
    card.role = "地点";
    card.lines.push(...gridLines(town, part, townName));
    // a block the grid covers has its own 楼栋长
    const block = found && town.parts.find((p) => p.grid === part && p.element === "div" && !p.id.endsWith("-leader")
      && fold(personOf(p).role) === fold(found.match));
    if (block) card.lines.push(personLine("楼栋长", personOf(block)));
  } else if (part.element === "div") {
    const person = personOf(part);
    const judge = part.id.startsWith("judge-"), service = part.id.startsWith("service-");
    const known = ["网格长", "网格员"].includes(person.role);
    card.title = person.name;
    if (judge) {
      card.role = "驻镇法官";
      card.lines.push(el("p", "pt-result__where", [person.role, person.more, townName]
        .filter(Boolean).join(" · ")));
    } else if (service) {
      card.role = person.role;
      card.lines.push(el("p", "pt-result__where", townName));
    } else if (known) {
      card.role = person.role;
      if (part.grid) card.lines.push(el("p", "pt-result__where", [gridName(part.grid), villageName(part.grid.village), townName].filter(Boolean).join(" · ")));
    } else {  // a building: its 楼栋长, and the grid that covers it with its 网格长
      card.title = person.role;
      card.role = "楼栋";
      card.lines.push(personLine("楼栋长", person));
      if (part.grid) card.lines.push(...gridLines(town, part.grid, townName));
      return card;
    }
    const call = callButton(person.phone);
    if (call) card.lines.push(call);
  } else {
    return null;  // the judges' or the services' heading: the page at that section, as a plain result
  }
  return card;
}

function cardItem(card, excerpt) {
  const item = el("li", "pt-results__item pt-result");
  const head = el("div", "pt-result__head");
  const link = el("a", "pt-results__link", card.marked ? "" : card.title);
  if (card.marked) link.append(el("mark", "", card.title));  // the title is what the query found
  link.href = card.href;
  head.append(link);
  if (card.role) head.append(el("span", "pt-result__role", card.role));
  item.append(head, ...card.lines);
  if (excerpt) item.append(excerpt);
  return item;
}

// A notice: kind, holder or organisation, date and state (render.notice_card), then where the query stands.
function noticeLines(card) {
  const line = el("p", "pt-result__where");
  line.append(el("span", "pt-person__role", card.kind === "遗失声明" ? "声明人" : "注销单位"), `${card.who} · `,
              el("span", "pt-date", card.date), " ");
  if (card.deadline) {  // still open when the index was built: claim.js closes it once the deadline is past
    const claim = el("span", "pt-claim");
    claim.dataset.deadline = card.deadline;
    const open = el("span", "pt-badge pt-badge--open", card.state);
    const closed = el("span", "pt-badge pt-badge--closed", card.after);
    open.dataset.claim = "open";
    closed.dataset.claim = "closed";
    closed.hidden = true;
    claim.append(open, closed);
    line.append(claim);
    if (window.ptClaims) window.ptClaims(line);
  } else {
    line.append(el("span", card.state === "已撤回" ? "pt-badge pt-badge--withdrawn" : "pt-badge pt-badge--declared", card.state));
  }
  return card.contact ? [line, personLine("清算联系人", card.contact)] : [line];
}

// The start of a text, as the excerpt of a result the query was not found in word for word.
function plainExcerpt(text, skip) {
  const chars = [...text.replace(BLOCK_END, " ").replace(/\s+/g, " ")];
  const start = skip && text.startsWith(skip) ? [...skip].length : 0;
  const body = chars.slice(start, start + 60).join("").replace(/^[.\s]+/, "");
  return body ? el("p", "pt-results__excerpt", body + (chars.length > start + 60 ? "…" : "")) : null;
}

// One result as shown: a card where the page says who or where (a town's part, a notice), else a link and
// the text around the match.
function resultItem(item) {
  const { url, title, found, tier, town, card } = item;
  if (town && tier > 1) {  // a town page whose name is not the query: the part the match is in
    const answer = townCard(item, found);
    if (answer) {
      answer.marked = Boolean(found) && fold(answer.title) === fold(found.match);
      return cardItem(answer, answer.marked ? null : partExcerpt(town, answer.part, found));
    }
  }
  const excerpt = found ? focusedExcerpt(found) : plainExcerpt(item.content, title);
  if (card) return cardItem({ href: url, title, role: card.kind, lines: noticeLines(card) }, excerpt);
  return cardItem({ href: url, title: title || url, role: "", lines: [] }, excerpt);
}

// The manifest of the index's segments; an empty one (the base alone) when there is none.
const NO_SEGMENTS = { bundles: [], drop: [], added: [], only: "" };
async function manifest(base) {
  try {
    const response = await fetch(new URL("pagefind-segments.json", base), { cache: "no-cache" });
    return response.ok ? { ...NO_SEGMENTS, ...(await response.json()) } : NO_SEGMENTS;
  } catch (error) {
    console.warn(error);
    return NO_SEGMENTS;
  }
}

// Pagefind with the manifest's bundles merged into it (each with the same options as the base), or, if a
// merge fails, a fresh copy of Pagefind with the base alone (a failed merge leaves Pagefind waiting on it).
async function merged(base, segments, options) {
  const url = new URL(script.dataset.pagefind, location.href).href;
  const pagefind = await import(url);
  await pagefind.options(options);
  if (!segments.bundles.length) return { pagefind, segments };
  try {
    for (const bundle of segments.bundles) await pagefind.mergeIndex(new URL(bundle, base).pathname, { ...options });
    return { pagefind, segments };
  } catch (error) {
    console.warn(error);
    const alone = await import(`${url}?base`);
    await alone.options(options);
    return { pagefind: alone, segments: NO_SEGMENTS };
  }
}

async function run() {
  if (input) input.value = query;
  if (!query) {
    status.textContent = "请输入要查找的姓名、村组、电话或证件号码。";
    return;
  }
  status.textContent = `正在搜索“${query}”…`;
  const base = new URL(script.dataset.base, location.href);
  // The search-only words decide which pages match, not how high: they list every name on a town page.
  // Pagefind runs on this page, not in its web worker: the worker is one more script to download (41 KB
  // of the ~300 KB a first search may cost) and this page has nothing else to do meanwhile.
  const options = { baseUrl: base.pathname, ranking: { metaWeights: { search: 0 } }, noWorker: true };
  const [{ pagefind, segments }, toSimple] = await Promise.all([
    manifest(base).then((segments) => merged(base, segments, options)),
    converter(),
  ]);
  const simple = toSimple ? toSimple(query) : query;
  const number = code(simple);
  const together = number ? null : phrase(simple);
  const drop = new Set(segments.drop);
  const added = new Set(segments.added);
  const delta = (r) => added.has(r.id);
  // A character only the delta holds: the base's plain results would be its fallback's junk.
  const deltaOnly = segments.only && [...simple].some((ch) => segments.only.includes(ch));
  const current = async (search) => {
    const found = await search;
    if (!found) return null;
    const results = found.results.filter((r) => !drop.has(r.id));
    return { ...found, results };
  };
  const [plain, exact, asTyped] = await Promise.all([
    current(pagefind.search(number || simple)),
    together ? current(pagefind.search(together)) : null,
    simple !== query && !number ? current(pagefind.search(query)) : null,
  ]);
  const plainIds = new Set(plain.results.map((r) => r.id));
  const plainResults = plain.results.concat(asTyped ? asTyped.results.filter((r) => !plainIds.has(r.id)) : [])
    .filter((r) => !deltaOnly || delta(r))
    .sort((a, b) => delta(a) - delta(b));  // stable: the base's results, then those only the delta found

  // A page whose text starts with the query's first word (location 0: its title) comes first in each group,
  // known before any page's text is fetched; then the plain search's order.
  const order = new Map(plainResults.map((r, i) => [r.id, i]));
  const plainById = new Map(plainResults.map((r) => [r.id, r]));
  const top = (r) => ((r.words || []).includes(0) ? 0 : 1);
  const rank = (a, b) => top(a) - top(b) || (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity);
  const first = exact ? exact.results.map((r) => plainById.get(r.id) || r) : [];
  first.sort(rank);
  const seen = new Set(first.map((r) => r.id));
  const ordered = first.concat(plainResults.filter((r) => !seen.has(r.id)).sort(rank));

  // A number or code (one word, no Chinese) must appear on the page: Pagefind answers an unknown
  // number with pages holding its first digits (297228 → a page with “29”), which misleads.
  // So must a document number typed with Chinese around it (looked up by its digits alone, `code`).
  const strict = (!HAN.test(query) && !/\s/.test(query)) || Boolean(number);
  const wants = [...new Set([fold(simple), fold(query), ...(number ? number.split(" ").map(fold) : [])])];
  const phraseWords = new Map(exact ? exact.results.map((r) => [r.id, r.words || []]) : []);
  let next = 0;   // candidates read
  let kept = 0;   // results shown
  const queue = [];  // results read and ordered, not shown yet
  // Read the next `count` candidates (unless enough results are waiting) and order what they hold: a result
  // whose title is the query, or starts with it, or whose text holds it moves up among them.
  async function batch(count) {
    if (queue.length < count && next < ordered.length) {
      const from = next;
      const slice = ordered.slice(from, from + count);
      next += slice.length;
      const read = await Promise.all(slice.map(async (result, k) => {
        const data = await result.data();
        return candidates(data, base.pathname, phraseWords.get(result.id)).map((item, j) => {
          const rawTitle = fold(item.title);
          const title = toSimple ? fold(toSimple(rawTitle)) : rawTitle;
          const found = locate(item.content, wants, toSimple);
          const tier = wants.includes(title) ? 0 : wants.some((w) => title.startsWith(w)) ? 1
            : found && item.town && names(item.town, found, wants) ? 1.5 : found ? 2 : 3;
          const group = (item.together ?? from + k < first.length) ? 0 : 1;
          return { ...item, found, tier, group, i: from + k, j };
        });
      }));
      const items = read.flat().sort((a, b) => a.group - b.group || a.tier - b.tier || a.i - b.i || a.j - b.j);
      queue.push(...(strict ? items.filter((r) => r.tier < 3) : items));
    }
    const results = queue.splice(0, count);
    kept += results.length;
    return results;
  }

  function show(results) {
    for (const item of results) list.append(resultItem(item));
    const done = next >= ordered.length && !queue.length;
    status.textContent = kept
      ? `找到 ${kept} 个结果（“${query}”）${done ? "" : "，可能还有更多"}`
      : `没有找到“${query}”。请检查错别字，或只输入姓名中的两个字。`;
    more.hidden = !kept || done;
  }

  // Where the query's characters stand together, those pages first (up to FIRST); else the plain search's.
  let results = await batch(first.length ? Math.min(FIRST, first.length) : FIRST);
  while (strict && !kept && next < ordered.length && next < FIRST + MORE) results = await batch(FIRST);
  list.replaceChildren();
  more.onclick = async () => {
    more.disabled = true;
    show(await batch(MORE));
    more.disabled = false;
  };
  show(results);
  performance.mark("pt-results-shown");  // read by the tests: time to first result
}

run().catch((error) => {
  status.textContent = "搜索暂时不可用，请稍后再试。";
  console.warn(error);
});
