// Runs the query from ?q=… with Pagefind and lists the results as links.
// Only this page loads Pagefind; every other page works without JavaScript.
//
// Chinese needs two lookups. Pagefind cuts page text into words with its own dictionary (刘玉亮 → 刘 玉 亮,
// 王子波 → 王子 波) but cuts the query with the browser's, which cuts differently, and it ranks pages by
// word counts, not by whether the characters stand together. So besides the plain search, a query with
// Chinese in it is also looked up as a phrase, character by character ("刘 玉 亮"), against the search-only
// words the templates add for names, places and phone numbers (the `search` metadata, one character a
// word, see templates/_macros.html). Pages where the query's characters stand together come first, in the
// plain search's order; then the rest. Among the results shown, a page whose title is the query, or starts
// with it, or whose text holds it (ignoring spaces and hyphens) moves up.
const script = document.querySelector("script[data-pagefind]");
const status = document.getElementById("pt-search-status");
const list = document.getElementById("pt-results");
const input = document.getElementById("pt-q");
const query = (new URLSearchParams(location.search).get("q") || "").trim();
const SHOWN = 20;
const HAN = /\p{Script=Han}/u;

function safeExcerpt(html) {
  // Pagefind's excerpt marks hits with <mark>; keep only those, as real elements.
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const out = document.createElement("p");
  out.className = "pt-results__excerpt";
  for (const node of doc.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(document.createTextNode(node.textContent));
    }
  }
  return out;
}

// Text compared without spaces, hyphens or case: 0734-5297228 = 07345297228, 乌塘村 3组 = 乌塘村3组.
const IGNORED = /[\s\u200b\-‐‑‒–—―－_·・]/u;
function fold(text) {
  let out = "";
  for (const ch of text) if (!IGNORED.test(ch)) out += ch.toLowerCase();
  return out;
}

// The query as a Pagefind phrase, Chinese one character a word: "刘 玉 亮"; null without Chinese.
function phrase(text) {
  const tokens = text.replace(/[\p{P}\p{S}]/gu, " ").split(/\s+/).filter(Boolean);
  if (!tokens.some((t) => HAN.test(t))) return null;
  return `"${tokens.map((t) => (HAN.test(t) ? [...t].join(" ") : t)).join(" ")}"`;
}

// Where the query stands in a page's text: the text around it, to show instead of Pagefind's excerpt.
function locate(content, want) {
  if (!want) return null;
  const chars = [...content];
  let folded = "";
  const at = [];
  chars.forEach((ch, i) => {
    if (IGNORED.test(ch)) return;
    for (const c of ch.toLowerCase()) { folded += c; at.push(i); }
  });
  const hit = folded.indexOf(want);
  if (hit < 0) return null;
  const start = at[hit];
  const end = at[hit + want.length - 1] + 1;
  const from = Math.max(0, start - 24);
  const to = Math.min(chars.length, end + 24);
  return {
    before: (from > 0 ? "…" : "") + chars.slice(from, start).join(""),
    match: chars.slice(start, end).join(""),
    after: chars.slice(end, to).join("") + (to < chars.length ? "…" : ""),
  };
}

function focusedExcerpt(found) {
  const out = document.createElement("p");
  out.className = "pt-results__excerpt";
  const mark = document.createElement("mark");
  mark.textContent = found.match;
  out.append(document.createTextNode(found.before), mark, document.createTextNode(found.after));
  return out;
}

// The link: the page, or on a long page (a town) the part of it (a grid, the judges) holding the hit:
// the anchor before the longest run of neighbouring matched words, which is where the query's words
// stand together.
function target(data, found) {
  const locations = [...new Set(data.locations || [])].sort((a, b) => a - b);
  if (!found || !data.anchors || !data.anchors.length || !locations.length) return data.url;
  let best = locations[0], bestLength = 1;
  for (let i = 0, start = 0; i < locations.length; i++) {
    if (i > 0 && locations[i] !== locations[i - 1] + 1) start = i;
    if (i - start + 1 > bestLength) { bestLength = i - start + 1; best = locations[start]; }
  }
  let anchor = null;
  for (const a of data.anchors) if (a.location <= best && (!anchor || a.location >= anchor.location)) anchor = a;
  return anchor ? `${data.url}#${anchor.id}` : data.url;
}

async function run() {
  if (input) input.value = query;
  if (!query) {
    status.textContent = "请输入要查找的姓名、村组、电话或证件号码。";
    return;
  }
  status.textContent = `正在搜索“${query}”…`;
  const base = new URL(script.dataset.base, location.href);
  const pagefind = await import(new URL(script.dataset.pagefind, location.href).href);
  // The search-only words decide which pages match, not how high: they list every name on a town page.
  await pagefind.options({ baseUrl: base.pathname, ranking: { metaWeights: { search: 0 } } });
  const plain = await pagefind.search(query);
  const together = phrase(query);
  const exact = together ? await pagefind.search(together) : null;

  const order = new Map(plain.results.map((r, i) => [r.id, i]));
  const plainById = new Map(plain.results.map((r) => [r.id, r]));
  const first = exact ? exact.results.map((r) => plainById.get(r.id) || r) : [];
  first.sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity));
  const seen = new Set(first.map((r) => r.id));
  const ordered = first.concat(plain.results.filter((r) => !seen.has(r.id)));

  const want = fold(query);
  const shown = await Promise.all(ordered.slice(0, SHOWN).map(async (result, i) => {
    const data = await result.data();
    const title = fold((data.meta && data.meta.title) || "");
    const found = locate(data.content || "", want);
    const tier = title === want ? 0 : title.startsWith(want) ? 1 : found ? 2 : 3;
    return { data, found, tier, group: i < first.length ? 0 : 1, i };
  }));
  shown.sort((a, b) => a.group - b.group || a.tier - b.tier || a.i - b.i);
  // A number or code (one word, no Chinese) must appear on the page: Pagefind answers an unknown
  // number with pages holding its first digits (297228 → a page with “29”), which misleads.
  const strict = !HAN.test(query) && !/\s/.test(query);
  const results = strict ? shown.filter((r) => r.tier < 3) : shown;

  list.replaceChildren();
  for (const { data, found, tier } of results) {
    const item = document.createElement("li");
    item.className = "pt-results__item";
    const link = document.createElement("a");
    link.className = "pt-results__link";
    link.href = tier <= 1 ? data.url : target(data, found);  // the query names the page: open it at the top
    link.textContent = data.meta && data.meta.title ? data.meta.title : data.url;
    item.append(link, found ? focusedExcerpt(found) : safeExcerpt(data.excerpt || ""));
    list.append(item);
  }
  status.textContent = results.length
    ? `找到 ${strict ? results.length : ordered.length} 个结果（“${query}”）`
    : `没有找到“${query}”。请检查错别字，或只输入姓名中的两个字。`;
}

run().catch((error) => {
  status.textContent = "搜索暂时不可用，请稍后再试。";
  console.warn(error);
});
