// kaohe 考核 — earlier periods on the page (历次): the order of earlier results by their file
// names, a unit's trend (its total, rank and grade period by period, this period last) and the
// two charts that draw it — the one in a unit's panel (计分明细) and the sparkline of the
// overview (历次趋势总览). Functions of their arguments only: main.js hands them the units, the
// periods and how to colour a grade.

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const basename = (p) => String(p).split(/[\\/]/).pop();

// ───────────── which period comes first: by file name ─────────────

const DIGITS = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
/** Chinese numerals as a number: 三 → 3, 十二 → 12, 二十三 → 23, 二〇二四 → 2024. */
function chineseNumber(m) {
  const digit = (c) => DIGITS[c] ?? 0;
  const at = m.indexOf("十");
  if (at < 0) return Number([...m].map(digit).join(""));
  const tens = at === 0 ? 1 : digit(m[at - 1]);
  const ones = at === m.length - 1 ? 0 : digit(m[at + 1]);
  return tens * 10 + ones;
}

/**
 * A period's name as it sorts: the file name without `.json`, Chinese numerals as digits
 * (第三季度 → 第3季度, 十二月 → 12月) and 上/中/下 of a half-year or of a month's thirds (上半年,
 * 中旬 …) as 1, 2, 3 — so that numbers compare as numbers (2024年9月 before 2024年10月).
 */
export function periodKey(fileName) {
  return basename(fileName)
    .replace(/\.json$/i, "")
    .replace(/[零〇一二两三四五六七八九十]+/g, chineseNumber)
    .replace(/[上中下](?=半年|旬)/g, (c) => ({ 上: "1", 中: "2", 下: "3" })[c]);
}
let numericCollator;
/** Earlier results oldest first, by their file names (periodKey); equal names keep their order. */
export function comparePeriods(a, b) {
  numericCollator ??= new Intl.Collator("zh-CN", { numeric: true });
  return numericCollator.compare(periodKey(a.fileName), periodKey(b.fileName));
}
/** What a period is called on the page: its file name without `.json` (2024年上半年). */
export const periodLabel = (fileName) => basename(fileName).replace(/\.json$/i, "") || "往期";

/**
 * An earlier result read for the page: each unit's total as published, rank and grade by
 * unit code (the engine reads the same text; this is for the page's own use: a batch result's
 * rank change and trends, and the number of units). Throws an Error with a message in Chinese
 * when the text is not a kaohe result.
 */
export function readPeriod(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("不是有效的 JSON 文件");
  }
  if (json?.schema !== "kaohe-result" || !Array.isArray(json.units)) {
    throw new Error("不是考核结果文件（应为本工具“导出 JSON”或 kaohe assess --format json 的结果）");
  }
  const units = new Map();
  for (const u of json.units) {
    if (u?.id == null) continue;
    units.set(String(u.id), { total: u.total_display ?? u.total ?? null, rank: u.rank ?? null, grade: u.grade ?? null });
  }
  return { units, title: json.rule_set?.title ?? "" };
}

// ───────────── a unit's trend ─────────────

/**
 * A unit's points, oldest first, this period last: [{ label, total, rank, grade, now }]. The
 * engine's `trend` when the result has one for every period (several earlier results), else
 * the periods' own results read by the page (one earlier result, or a batch result).
 */
export function trendPoints(u, periods) {
  if (!periods?.length) return [];
  const engine = Array.isArray(u.trend) && u.trend.length === periods.length;
  const earlier = periods.map((p, i) => {
    const x = engine ? u.trend[i] : p.units.get(String(u.id));
    return { label: p.label, total: x?.total ?? null, rank: x?.rank ?? null, grade: x?.grade ?? null, now: false };
  });
  return [...earlier, { label: "本期", total: u.total_display ?? null, rank: u.rank ?? null, grade: u.grade ?? null, now: true }];
}

/** The rank from the first period that has one to this period: { from, to, change } (change > 0: up). */
export function rankSpan(points) {
  const ranked = points.filter((p) => p.rank != null);
  if (ranked.length < 2 || !points.at(-1).now || points.at(-1).rank == null) return null;
  const from = ranked[0].rank;
  const to = ranked.at(-1).rank;
  return { from, to, change: from - to };
}

/** The trend in words: 名次 第 4 名 → 第 2 名 → 第 1 名. */
export function trendWords(points) {
  const r = points.map((p) => (p.rank == null ? "未排名" : `第 ${p.rank} 名`)).join(" → ");
  return `名次 ${r}`;
}

const fmt = (x, fixed) => (x == null ? "—" : fixed ? fixed(x) : String(x));
const short = (s, n) => ([...s].length > n ? `${[...s].slice(0, Math.max(n - 1, 1)).join("")}…` : s);

/**
 * The chart in a unit's panel: its total over the periods (above) and its rank (below, first
 * at the top), each point in its grade's colour with the total, rank and grade written by it.
 * `colour(grade)` gives a grade's colour; `ranks`: how many places the rank scale shows at
 * least (the units ranked in the unit's cohort); `fixed` writes a total.
 */
export function trendChart(points, { colour, ranks = 0, fixed } = {}) {
  const n = points.length;
  const W = 360, L = 62, R = 28;
  const step = n > 1 ? (W - L - R) / (n - 1) : 0;
  const x = (i) => (n > 1 ? L + i * step : (L + W - R) / 2);
  // Totals: the unit's own range, with room for the figures written above the points.
  const totals = points.map((p) => (p.total == null ? null : Number(p.total)));
  const shown = totals.filter((t) => t != null && Number.isFinite(t));
  let lo = Math.min(...shown), hi = Math.max(...shown);
  if (!shown.length) [lo, hi] = [0, 1];
  if (hi - lo < 1) [lo, hi] = [lo - 1, hi + 1];
  const T0 = 30, T1 = 92; // the totals' band
  const yt = (t) => T1 - ((t - lo) / (hi - lo)) * (T1 - T0);
  // Ranks: 1 at the top of their band.
  const most = Math.max(ranks, ...points.map((p) => p.rank ?? 1), 2);
  const R0 = 128, R1 = 176;
  const yr = (r) => R0 + ((r - 1) / (most - 1)) * (R1 - R0);
  const line = (ys) => {
    let d = "";
    let pen = false;
    ys.forEach((y, i) => {
      if (y == null) return void (pen = false);
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y.toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const chars = Math.max(2, Math.floor((n > 1 ? step : W) / 12.5)); // a label's width in characters
  let svg = `<svg viewBox="0 0 ${W} 236" class="chart trend-chart" role="img" aria-label="历次趋势：${esc(trendWords(points))}">`;
  // The bands' names at the left; the rank scale's ends under 名次 (1–8: first place at the top).
  svg += `<text x="4" y="${(T0 + T1) / 2 + 4}" class="axis">总分</text><text x="4" y="${(R0 + R1) / 2 - 2}" class="axis">名次</text><text x="4" y="${(R0 + R1) / 2 + 11}" class="axis">1–${most}</text>`;
  svg += `<line x1="${L - 8}" x2="${W - 6}" y1="${T1 + 10}" y2="${T1 + 10}" class="grid"/><line x1="${L - 8}" x2="${W - 6}" y1="${R1 + 12}" y2="${R1 + 12}" class="baseline"/>`;
  svg += `<line x1="${L - 8}" x2="${W - 6}" y1="${R0}" y2="${R0}" class="grid"/>`;
  svg += `<path d="${line(totals.map((t) => (t == null ? null : yt(t))))}" class="trend-line"/>`;
  svg += `<path d="${line(points.map((p) => (p.rank == null ? null : yr(p.rank))))}" class="trend-line rank"/>`;
  points.forEach((p, i) => {
    const cx = x(i).toFixed(1);
    const fill = colour(p.grade);
    const tip = `${p.label}：${p.total == null ? "无总分" : `${fmt(p.total, fixed)} 分`}，${p.rank == null ? "未排名" : `第 ${p.rank} 名`}${p.grade ? `，${p.grade}` : ""}`;
    svg += `<g class="trend-point${p.now ? " now" : ""}"><title>${esc(tip)}</title>`;
    if (totals[i] != null) {
      svg += `<circle cx="${cx}" cy="${yt(totals[i]).toFixed(1)}" r="${p.now ? 5 : 4}" fill="${fill}"/>`;
      svg += `<text x="${cx}" y="${(yt(totals[i]) - 9).toFixed(1)}" text-anchor="middle" class="value trend-total">${esc(fmt(p.total, fixed))}</text>`;
    }
    if (p.rank != null) {
      svg += `<circle cx="${cx}" cy="${yr(p.rank).toFixed(1)}" r="3.5" class="rank-dot"/>`;
      svg += `<text x="${cx}" y="${(yr(p.rank) - 7).toFixed(1)}" text-anchor="middle" class="value trend-rank">第 ${p.rank} 名</text>`;
    }
    svg += `<text x="${cx}" y="${R1 + 28}" text-anchor="middle" class="label trend-period">${esc(short(p.label, chars))}</text>`;
    svg += `<text x="${cx}" y="${R1 + 44}" text-anchor="middle" class="trend-grade" fill="${p.grade ? fill : "currentColor"}">${esc(p.grade ? short(p.grade, chars) : "—")}</text></g>`;
  });
  return `${svg}</svg>`;
}

/**
 * A sparkline of the rank over the periods (higher is better: first place at the top), on a
 * scale of `most` places shared by every unit of the overview so that moves compare; the last
 * point (this period) in its grade's colour.
 */
export function sparkline(points, { colour, most }) {
  const n = points.length;
  const W = 120, H = 40, P = 5;
  const x = (i) => (n > 1 ? P + (i * (W - 2 * P)) / (n - 1) : W / 2);
  const y = (r) => P + ((r - 1) / Math.max(most - 1, 1)) * (H - 2 * P);
  let d = "";
  let pen = false;
  points.forEach((p, i) => {
    if (p.rank == null) return void (pen = false);
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(p.rank).toFixed(1)}`;
    pen = true;
  });
  const span = rankSpan(points);
  const way = span == null || span.change === 0 ? "flat" : span.change > 0 ? "up" : "down";
  const last = points.at(-1);
  const dots = points.map((p, i) => (p.rank == null ? "" : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.rank).toFixed(1)}" r="${i === n - 1 ? 3.2 : 1.8}"${i === n - 1 ? ` fill="${colour(last.grade)}"` : ""}/>`)).join("");
  return `<svg viewBox="0 0 ${W} ${H}" class="spark ${way}" role="img" aria-label="${esc(trendWords(points))}"><line x1="0" x2="${W}" y1="${y(1).toFixed(1)}" y2="${y(1).toFixed(1)}" class="grid"/><path d="${d}"/>${dots}</svg>`;
}
