// Site search with Pagefind (issue 8). Loaded only by search/index.html, which works
// without it: the page then keeps its links to the browse pages. No inline script (CSP).
const root = new URL("../", document.baseURI);   // the search page is one folder deep
const box = document.getElementById("search");
const fallback = document.getElementById("search-unavailable");
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const selects = [...document.querySelectorAll("select[data-filter]")];
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
let pagefind = null;
let seq = 0;
let timer = 0;

function excerpt(html) {
  // Pagefind's excerpt is HTML with <mark>: copy text and marks only, never markup.
  const p = document.createElement("p");
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const node of doc.body.childNodes) {
    if (node.nodeName === "MARK") {
      const m = document.createElement("mark");
      m.textContent = node.textContent;
      p.append(m);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

function chosenFilters() {
  const filters = {};
  for (const sel of selects) if (sel.value) filters[sel.dataset.filter] = sel.value;
  return filters;
}

function remember(query, filters) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [k, v] of Object.entries(filters)) params.set(k, v);
  const qs = params.toString();
  history.replaceState(null, "", qs ? `?${qs}` : location.pathname);
}

async function run() {
  const query = input.value.trim();
  const filters = chosenFilters();
  remember(query, filters);
  const token = ++seq;
  if (!query && !Object.keys(filters).length) {
    list.replaceChildren();
    status.textContent = "";
    return;
  }
  const found = await pagefind.search(query || null, { filters });
  const data = await Promise.all(found.results.slice(0, 50).map((r) => r.data()));
  if (token !== seq) return;            // a newer search has started
  const n = found.results.length;
  const what = query ? ` for “${query}”` : "";
  status.textContent = n ? `${n} ${n === 1 ? "page" : "pages"} found${what}.`
    : `No pages found${what}. Try fewer words or another filter.`;
  list.replaceChildren(...data.map((d) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.meta.title || d.url;
    li.append(a);
    if (d.meta.facts) {
      const facts = document.createElement("p");
      facts.className = "meta";
      facts.textContent = d.meta.facts;
      li.append(facts);
    }
    li.append(excerpt(d.excerpt));
    return li;
  }));
}

function fillFilters(available) {
  const params = new URLSearchParams(location.search);
  for (const sel of selects) {
    const values = Object.entries(available[sel.dataset.filter] || {})
      .sort((a, b) => a[0].localeCompare(b[0]));
    for (const [value, count] of values) {
      const opt = document.createElement("option");
      opt.value = value;
      opt.textContent = `${value} (${count})`;
      sel.append(opt);
    }
    const wanted = params.get(sel.dataset.filter);
    if (wanted && values.some(([v]) => v === wanted)) sel.value = wanted;
  }
  input.value = params.get("q") || "";
}

async function start() {
  if (location.protocol === "file:") return;   // Pagefind needs http(s); keep the links
  try {
    pagefind = await import(new URL("pagefind/pagefind.js", root).href);
  } catch {
    fallback.querySelector("strong").textContent = "Search is not available on this copy of the site";
    return;
  }
  await pagefind.options({ baseUrl: root.pathname });
  fillFilters(await pagefind.filters());
  fallback.hidden = true;
  box.hidden = false;
  form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); run(); });
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  for (const sel of selects) sel.addEventListener("change", run);
  if (input.value || Object.keys(chosenFilters()).length) run();
}

start();
