// kaohe 考核 — a small code editor for rule scripts: a transparent <textarea> over a highlighted
// <pre>, both the size of the text inside one scrolling box, so they never drift apart. Line
// numbers on the left; errors are marked on their line number, on the line and at their column.

const API = "ruleset|field|unit|category|indicator|bonus|deduction|cohort_indicator|veto|veto_policy|" +
  "prerequisite|grades|ranking|consequence|metric|param|state|rollup|survey|question|todo";
const KEYWORDS = "let|const|if|else|while|loop|for|in|do|until|break|continue|return|fn|private|" +
  "import|export|as|switch|throw|try|catch|true|false|this|global";
const TOKEN = new RegExp([
  String.raw`(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))`, // 1 comment
  String.raw`("(?:[^"\\\n]|\\.)*"?|\x60[^\x60]*\x60?|'(?:[^'\\\n]|\\.)*'?)`, // 2 string
  String.raw`(\b\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?\b)`, // 3 number
  String.raw`\b(${KEYWORDS})\b`, // 4 keyword
  String.raw`\b(${API})\b(?=\s*\()`, // 5 API call
  String.raw`\b([A-Za-z_]\w*)(?=\s*:(?!:))`, // 6 map key
].join("|"), "g");
const CLASSES = [null, "t-comment", "t-string", "t-number", "t-keyword", "t-api", "t-key"];

const esc = (s) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);

/** The HTML of `text` highlighted, with `marks` ([start, end) offsets) wrapped in <mark>. */
export function highlight(text, marks = []) {
  let html = "";
  const emit = (start, end, cls) => {
    // Split the piece where marks begin and end, so a mark can sit inside or across tokens.
    const cuts = new Set([start, end]);
    for (const [s, e] of marks) for (const x of [s, e]) if (x > start && x < end) cuts.add(x);
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      let piece = esc(text.slice(a, b));
      if (cls) piece = `<span class="${cls}">${piece}</span>`;
      const m = marks.find(([s, e]) => a >= s && b <= e);
      if (m) piece = `<mark class="${m[2] ? "err-at warn" : "err-at"}">${piece}</mark>`;
      html += piece;
    }
  };
  let at = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > at) emit(at, m.index, null);
    emit(m.index, m.index + m[0].length, CLASSES[m.findIndex((g, i) => i > 0 && g !== undefined)]);
    at = m.index + m[0].length;
  }
  if (at < text.length) emit(at, text.length, null);
  return html + "\n";
}

/** Offset in `text` of 1-based line and column (columns count characters, as Rhai does). */
export function offsetOf(text, line, column) {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return text.length;
    start = nl + 1;
  }
  const end = text.indexOf("\n", start) < 0 ? text.length : text.indexOf("\n", start);
  const chars = Array.from(text.slice(start, end)).slice(0, Math.max(column - 1, 0));
  return Math.min(start + chars.join("").length, end);
}

export function createEditor(root, { onInput }) {
  root.classList.add("editor");
  root.innerHTML = `<div class="gutter" aria-hidden="true"></div>
    <div class="code"><div class="err-lines" aria-hidden="true"></div><pre aria-hidden="true"></pre>
    <textarea spellcheck="false" wrap="off" autocapitalize="off" autocomplete="off"
      aria-label="规则脚本"></textarea></div>`;
  const gutter = root.querySelector(".gutter");
  const pre = root.querySelector("pre");
  const area = root.querySelector("textarea");
  const errLines = root.querySelector(".err-lines");
  let errors = []; // [{ line, column, message }]

  function render() {
    const text = area.value;
    const marks = errors.map(({ line, column, warning }) => {
      let s = offsetOf(text, line, column);
      // At the end of a line (e.g. "unexpected end") mark the last character instead.
      if ((s === text.length || text[s] === "\n") && s > 0 && text[s - 1] !== "\n") s -= 1;
      const word = /^[\w\u4e00-\u9fff]+/.exec(text.slice(s))?.[0].length || 1;
      return [s, Math.min(s + word, text.length), warning === true];
    }).filter(([s, e]) => e > s);
    pre.innerHTML = highlight(text, marks);
    const lines = text.split("\n").length;
    const byLine = new Map();
    const onlyWarnings = new Map(); // line → whether all its marks are warnings
    for (const e of errors) {
      byLine.set(e.line, [...(byLine.get(e.line) ?? []), e.message]);
      onlyWarnings.set(e.line, (onlyWarnings.get(e.line) ?? true) && e.warning === true);
    }
    const cls = (l) => (onlyWarnings.get(l) ? "err warn" : "err");
    let g = "";
    for (let i = 1; i <= lines; i++) {
      const msgs = byLine.get(i);
      g += msgs ? `<div class="${cls(i)}" title="${esc(msgs.join("\n")).replace(/"/g, "&quot;")}">${i}</div>` : `<div>${i}</div>`;
    }
    gutter.innerHTML = g;
    errLines.innerHTML = [...byLine.keys()].map((l) => `<div data-line="${l}" class="${onlyWarnings.get(l) ? "warn" : ""}"></div>`).join("");
    for (const div of errLines.children) div.style.top = `calc(${div.dataset.line - 1} * var(--lh) + var(--pad))`;
  }

  area.addEventListener("input", () => { render(); onInput(area.value); });

  return {
    get value() { return area.value; },
    set value(text) { area.value = text; root.scrollTop = 0; root.scrollLeft = 0; render(); },
    /** Marks errors and warnings: [{ line, column, message, warning? }] (1-based), or [] to clear. */
    setErrors(list) { errors = list; render(); },
    /** Puts the caret at a line and column and scrolls it into view. */
    goto(line, column) {
      const at = offsetOf(area.value, line, column);
      area.focus({ preventScroll: true });
      area.setSelectionRange(at, at);
      const lh = parseFloat(getComputedStyle(root).getPropertyValue("--lh")) || 21;
      root.scrollTop = Math.max(0, (line - 1) * lh - root.clientHeight / 3);
    },
    textarea: area,
  };
}
