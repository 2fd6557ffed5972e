// kaohe 考核 — what the page keeps in the browser (localStorage), so that nothing typed is lost:
// rule drafts per rule set (restored on reload), the 通报's heading per rule set, the rule set
// last used. Data files are never stored. Every access is guarded: a browser that refuses
// storage (private mode, a full quota, file:// in some browsers) only loses the keeping.
// Also the line diff of a draft against its original.

const PREFIX = "kaohe.v1.";

/** The stored value of `key` (JSON), or `fallback`. */
export function stored(key, fallback = null) {
  try {
    const text = localStorage.getItem(PREFIX + key);
    return text == null ? fallback : JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** Stores `value` (JSON) under `key`, or removes it for null; false when the browser refused. */
export function store(key, value) {
  try {
    if (value == null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

/** The keys stored under `prefix` (without it). */
export function storedKeys(prefix) {
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k?.startsWith(PREFIX + prefix)) out.push(k.slice(PREFIX.length + prefix.length));
    }
  } catch { /* no storage: no keys */ }
  return out;
}

/** A short fingerprint of a text (FNV-1a, 32 bits), to tell whether a draft's original changed. */
export function fingerprint(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * The lines of `after` against `before`: [{ op: " " | "-" | "+", text, a, b }] (`a`, `b`: 1-based
 * line numbers in before / after, null where the line is not there). A longest common
 * subsequence over the lines between the common head and tail; beyond MAX_CELLS of table the
 * middle is shown as all removed then all added (still correct, only coarser).
 */
export function lineDiff(before, after) {
  const A = before.split("\n");
  const B = after.split("\n");
  let head = 0;
  while (head < A.length && head < B.length && A[head] === B[head]) head++;
  let tail = 0;
  while (tail < A.length - head && tail < B.length - head && A[A.length - 1 - tail] === B[B.length - 1 - tail]) tail++;
  const a = A.slice(head, A.length - tail);
  const b = B.slice(head, B.length - tail);
  const out = [];
  for (let i = 0; i < head; i++) out.push({ op: " ", text: A[i], a: i + 1, b: i + 1 });
  const MAX_CELLS = 4_000_000;
  if (a.length * b.length > MAX_CELLS) {
    a.forEach((text, i) => out.push({ op: "-", text, a: head + i + 1, b: null }));
    b.forEach((text, j) => out.push({ op: "+", text, a: null, b: head + j + 1 }));
  } else {
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..], in one flat array.
    const w = b.length + 1;
    const lcs = new Uint32Array((a.length + 1) * w);
    for (let i = a.length - 1; i >= 0; i--) {
      for (let j = b.length - 1; j >= 0; j--) {
        lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) {
        out.push({ op: " ", text: a[i], a: head + i + 1, b: head + j + 1 });
        i++;
        j++;
      } else if (j < b.length && (i === a.length || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) {
        out.push({ op: "+", text: b[j], a: null, b: head + j + 1 });
        j++;
      } else {
        out.push({ op: "-", text: a[i], a: head + i + 1, b: null });
        i++;
      }
    }
  }
  for (let k = 0; k < tail; k++) {
    const ai = A.length - tail + k;
    const bi = B.length - tail + k;
    out.push({ op: " ", text: A[ai], a: ai + 1, b: bi + 1 });
  }
  return out;
}

/** The changed lines with `context` lines around them, in hunks: [[line, …], …]. */
export function hunks(lines, context = 3) {
  const keep = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.op === " ") return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = 1;
  });
  const out = [];
  let cur = null;
  lines.forEach((l, i) => {
    if (!keep[i]) {
      cur = null;
      return;
    }
    if (!cur) out.push((cur = []));
    cur.push(l);
  });
  return out;
}
