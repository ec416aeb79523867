// Runs the query from ?q=… with Pagefind and lists the results as links.
// Only this page loads Pagefind; every other page works without JavaScript.
const script = document.querySelector("script[data-pagefind]");
const status = document.getElementById("pt-search-status");
const list = document.getElementById("pt-results");
const input = document.getElementById("pt-q");
const query = (new URLSearchParams(location.search).get("q") || "").trim();

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

async function run() {
  if (input) input.value = query;
  if (!query) {
    status.textContent = "请输入要查找的姓名、村组、电话或证件号码。";
    return;
  }
  status.textContent = `正在搜索“${query}”…`;
  const base = new URL(script.dataset.base, location.href);
  const pagefind = await import(new URL(script.dataset.pagefind, location.href).href);
  await pagefind.options({ baseUrl: base.pathname });
  const search = await pagefind.search(query);
  const results = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
  list.replaceChildren();
  for (const result of results) {
    const item = document.createElement("li");
    item.className = "pt-results__item";
    const link = document.createElement("a");
    link.className = "pt-results__link";
    link.href = result.url;
    link.textContent = result.meta && result.meta.title ? result.meta.title : result.url;
    item.append(link, safeExcerpt(result.excerpt || ""));
    list.append(item);
  }
  status.textContent = results.length
    ? `找到 ${search.results.length} 个结果（“${query}”）`
    : `没有找到“${query}”。请检查错别字，或只输入姓名中的两个字。`;
}

run().catch((error) => {
  status.textContent = "搜索暂时不可用，请稍后再试。";
  console.warn(error);
});
