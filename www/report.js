// kaohe 考核 — the printed 通报: a document to hand to a leader. Its heading names the issuing
// body (发文单位), the document number (文号) and the period (考核期间); the ranking gives each
// unit's 备注 (why its grade or rank is what it is: a veto, a prerequisite not met, a quota),
// last period's total and the difference when last period is loaded, and optionally the points
// per category; the units left out for data errors are listed, never dropped in silence. Page
// numbers come from the print style sheet (@page margin boxes, style.css).

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
const numeral = (n) => NUMERALS[n - 1] ?? String(n);

// ───────────── exact decimals, for points added up or subtracted in the page ─────────────

const SCALE = 10;
/** A decimal (number or text) as an integer of 10⁻¹⁰ units; null when it is not one. */
function scaled(x) {
  if (x == null || x === "") return null;
  let s = typeof x === "number" ? (Number.isFinite(x) ? (/e/i.test(String(x)) ? x.toFixed(SCALE) : String(x)) : "") : String(x).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === "" && !m[3])) return null;
  const frac = (m[3] ?? "").slice(0, SCALE).padEnd(SCALE, "0");
  const v = BigInt(m[2] || "0") * 10n ** BigInt(SCALE) + BigInt(frac || "0");
  return m[1] === "-" ? -v : v;
}
/** An integer of 10⁻¹⁰ units as decimal text, without trailing zeros. */
function unscaled(v) {
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const whole = abs / 10n ** BigInt(SCALE);
  const frac = String(abs % 10n ** BigInt(SCALE)).padStart(SCALE, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}
/** The sum of decimals (numbers or text), exact; null when none is a number. */
export function decimalSum(values) {
  let sum = null;
  for (const x of values) {
    const v = scaled(x);
    if (v != null) sum = (sum ?? 0n) + v;
  }
  return sum == null ? null : unscaled(sum);
}
/** a − b, exact, as text; null when either is not a number. */
export function decimalDiff(a, b) {
  const [x, y] = [scaled(a), scaled(b)];
  return x == null || y == null ? null : unscaled(x - y);
}

// ───────────── what the 通报 says ─────────────

/** Units left out of scoring for data errors, by row: [{ row, unit, unit_name, problems }], and the file's own problems. */
export function excludedUnits(dataErrors) {
  const byRow = new Map();
  const file = [];
  for (const e of dataErrors ?? []) {
    if (!(e.row > 0)) {
      file.push(e);
      continue;
    }
    let x = byRow.get(e.row);
    if (!x) byRow.set(e.row, (x = { row: e.row, unit: e.unit ?? null, unit_name: e.unit_name ?? null, problems: [] }));
    x.unit ??= e.unit ?? null;
    x.unit_name ??= e.unit_name ?? null;
    x.problems.push(e);
  }
  return { rows: [...byRow.values()].sort((a, b) => a.row - b.row), file };
}

/** The name of a unit left out: its name and code, else its code, else its row. */
export function excludedName(x) {
  if (x.unit_name && x.unit) return `${x.unit_name}（${x.unit}）`;
  return x.unit_name ?? x.unit ?? `数据第 ${x.row} 行（单位未能识别）`;
}

/** Where a data error is, in words: the engine's own `place`, else made from row, column and unit. */
export function placeOf(e) {
  if (e.place) return e.place;
  const parts = [];
  if (e.row > 0) parts.push(`第 ${e.row} 行`);
  const letter = e.column_letter ?? (e.column > 0 ? columnLetter(e.column) : "");
  if (letter && e.header) parts.push(`${letter} 列“${e.header}”`);
  else if (letter) parts.push(`${letter} 列`);
  else if (e.header) parts.push(`“${e.header}”列`);
  if (e.unit_name && e.unit) parts.push(`单位“${e.unit_name}”（${e.unit}）`);
  else if (e.unit) parts.push(`单位 ${e.unit}`);
  return parts.join("，") || "整个文件";
}

/** A spreadsheet column's letters: 1 → A, 27 → AA. */
export function columnLetter(n) {
  let s = "";
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/** A signed difference: +1.20, −0.50, 0.00 (padded by `fixed`). */
export function signed(d, fixed) {
  if (d == null) return "—";
  const text = fixed(d);
  return text.startsWith("-") ? `−${text.slice(1)}` : /^0(\.0*)?$/.test(text) ? text : `+${text}`;
}

function rankChangeText(u) {
  if (u.rank_change == null) return u.rank != null && u.previous_rank == null ? "新" : "—";
  if (u.rank_change > 0) return `↑${u.rank_change}`;
  if (u.rank_change < 0) return `↓${-u.rank_change}`;
  return "持平";
}

/**
 * The 通报 as HTML. `m`: { report, publication: {issuer, period, document, date}, categories:
 * [{name, points(u)}] or null, previous (last period loaded), dataErrors, printMax, fixed,
 * stateStatus(u), periods (the earlier periods' names, oldest first; optional) }.
 */
export function reportHtml(m) {
  const { report: r, publication: p, categories, previous, fixed, printMax } = m;
  const title = r.rule_set.title;
  const excluded = excludedUnits(m.dataErrors);
  const ranked = r.units.filter((u) => u.rank != null).length;
  const vetoed = r.units.filter((u) => u.vetoed || u.vetoes?.length).length;
  let html = "";
  if (p.issuer || p.document) {
    html += `<header class="doc-head">${p.issuer ? `<div class="issuer">${esc(p.issuer)}</div>` : ""}${p.document ? `<div class="docno">${esc(p.document)}</div>` : ""}</header>`;
  }
  html += `<h1>${esc(p.period ?? "")}${esc(title)}结果通报</h1>`;
  const left = excluded.rows.length;
  const counts = `本期共考核 ${r.units.length + left} 个单位，${left ? `其中 ${r.units.length} 个单位参与计分` : "全部参与计分"}${ranked !== r.units.length ? `、${ranked} 个单位参与排名` : ""}${vetoed ? `（一票否决 ${vetoed} 个）` : ""}`;
  let section = 0;
  const sections = [];
  const next = (name) => {
    section += 1;
    sections.push(name);
    return `<h2>${numeral(section)}、${esc(name)}</h2>`;
  };
  // Number the sections first, so that the lead can refer to the list of units left out.
  const hasVetoes = r.units.some((u) => u.vetoes?.length);
  const hasGroups = r.units.some((u) => u.consequences?.length);
  const leftOutNo = 1 + (hasVetoes ? 1 : 0) + (hasGroups ? 1 : 0) + 1;
  html += `<p class="lead">现将${esc(p.period ?? "本期")}${esc(title)}结果通报如下。${counts}${left ? `；另有 ${left} 个单位因数据有错误未参与计分和排名，名单见“${numeral(leftOutNo)}、未参与计分的单位”` : ""}${excluded.file.length ? `；数据文件另有 ${excluded.file.length} 处问题，见“${numeral(leftOutNo)}、未参与计分的单位”` : ""}。</p>`;

  html += next("考核结果");
  const many = r.units.length > printMax;
  if (many) html += `<p class="meta">单位较多，下表按名次列出前 ${printMax} 个单位；完整名单请导出 Excel。</p>`;
  const showState = r.units.some((u) => m.stateStatus(u));
  const cats = categories ?? [];
  const head = `<tr><th>名次</th><th>单位</th><th>总分</th>${cats.map((c) => `<th class="cat">${esc(c.name)}</th>`).join("")}<th>等次</th>${previous ? "<th>上期得分</th><th>分差</th><th>名次变化</th>" : ""}${showState ? "<th>状态</th>" : ""}<th>备注</th></tr>`;
  r.cohorts.forEach((c, k) => {
    const units = (many ? r.units.slice(0, printMax) : r.units).filter((u) => u.cohort === c.name);
    if (r.cohorts.length > 1) html += `<h3>（${numeral(k + 1)}）${esc(c.name)}</h3>`;
    html += `<table class="doc-table"><thead>${head}</thead><tbody>${units.map((u) => `<tr${u.vetoes?.length ? ' class="vetoed"' : ""}>
      <td class="num">${u.rank ?? "—"}</td><td class="unit">${esc(u.name)}</td><td class="num">${esc(u.total_display ?? "—")}</td>
      ${cats.map((cat) => `<td class="num">${esc(cat.points(u) ?? "—")}</td>`).join("")}
      <td>${esc(u.grade ?? "—")}</td>
      ${previous ? `<td class="num">${u.previous_total == null ? "—" : esc(fixed(u.previous_total))}</td><td class="num">${signed(u.total_change, fixed)}</td><td>${rankChangeText(u)}</td>` : ""}
      ${showState ? `<td>${esc(m.stateStatus(u) ?? "")}</td>` : ""}
      <td class="remarks">${(u.remarks ?? []).map(esc).join("；")}</td></tr>`).join("")}</tbody></table>
      <p class="summary-line">平均分 ${fixed(c.mean)}，中位数 ${fixed(c.median)}，最高 ${fixed(c.max)}，最低 ${fixed(c.min)}；${c.grades.map((g) => `${esc(g.grade)} ${g.count} 个`).join("，")}${c.vetoed ? `；一票否决 ${c.vetoed} 个` : ""}。</p>`;
  });
  const notes = [];
  if (r.units.some((u) => u.remarks?.length)) notes.push("名次按总分排列；等次或名次与总分高低不一致的，备注栏写明原因（一票否决、未满足必备条件、等次名额）");
  if (cats.length) notes.push(`${cats.map((c) => c.name).join("、")}为各类指标得分之和`);
  if (previous) notes.push("分差为本期总分减上期得分；“新”为上期未参加排名的单位");
  // Several earlier periods (历次): which they were, and which one is 上期.
  const periods = m.periods ?? [];
  if (previous && periods.length > 1) notes.push(`往期结果 ${periods.length} 期（由早到晚）：${periods.join("、")}，上期为${periods.at(-1)}`);
  if (notes.length) html += `<p class="notes">说明：${notes.map(esc).join("；")}。</p>`;

  if (hasVetoes) {
    html += next("一票否决");
    const list = r.units.filter((u) => u.vetoes?.length);
    html += list.length > printMax
      ? `<p>共 ${list.length} 个单位，名单请导出 Excel。</p>`
      : `<ul>${list.map((u) => u.vetoes.map((v) => `<li>${esc(u.name)}：${esc(v.label)}。${esc(v.reason)}</li>`).join("")).join("")}</ul>`;
  }
  if (hasGroups) {
    html += next("结果运用");
    // Consequences grouped by name and reason: 黄牌 — 综合排名后三位：A、B、C
    const groups = new Map();
    for (const u of r.units) for (const c of u.consequences) {
      const key = `${c.name}\u0000${c.reason}`;
      const names = groups.get(key);
      if (names) names.push(u.name);
      else groups.set(key, [u.name]);
    }
    html += `<ul>${[...groups].map(([k, names]) => {
      const [name, reason] = k.split("\u0000");
      return `<li><strong>${esc(name)}</strong>${reason ? `（${esc(reason)}）` : ""}：${names.length > 200 ? `共 ${names.length} 个单位（名单请导出 Excel）` : names.map(esc).join("、")}</li>`;
    }).join("")}</ul>`;
  }
  if (left || excluded.file.length) {
    html += next("未参与计分的单位");
    if (left) {
      html += `<p>以下 ${left} 个单位的数据有错误，未参与本期计分和排名，请核实更正后另行核定：</p>
        <table class="doc-table excluded"><thead><tr><th>单位</th><th>数据位置</th><th>问题</th></tr></thead><tbody>
        ${excluded.rows.slice(0, printMax).map((x) => x.problems.map((e, i) => `<tr>${i === 0 ? `<td rowspan="${x.problems.length}" class="unit">${esc(excludedName(x))}</td>` : ""}<td>${esc(placeOf(e))}</td><td>${esc(e.message)}${e.code && e.code !== "K0000" ? ` <span class="code">${esc(e.code)}</span>` : ""}</td></tr>`).join("")).join("")}
        </tbody></table>${left > printMax ? `<p class="meta">另有 ${left - printMax} 个单位，请导出数据错误清单。</p>` : ""}`;
    }
    if (excluded.file.length) {
      html += `<p>数据文件的问题：</p><ul>${excluded.file.map((e) => `<li>${esc(e.message)}</li>`).join("")}</ul>`;
    }
  }
  if (p.issuer || p.date) {
    html += `<div class="sign">${p.issuer ? `<div>${esc(p.issuer)}</div>` : ""}${p.date ? `<div>${esc(p.date)}</div>` : ""}</div>`;
  }
  const source = provenanceLine(r.provenance);
  if (source) html += `<p class="provenance">${esc(source)}</p>`;
  return html;
}

/**
 * What produced a result, in the line the CLI's table ends with (来源：kaohe 0.1.0 · 规则
 * 637e053a397d · 数据 a1dae43ecea6): a printed 通报 can be traced to the rules and data that made
 * it, and the result file re-checked with `kaohe verify`. "" without one.
 */
export function provenanceLine(p) {
  if (!p?.rules_sha256) return "";
  const short = (h) => String(h).slice(0, 12);
  let line = `来源：kaohe ${p.kaohe} · 规则 ${short(p.rules_sha256)}`;
  for (const d of p.data_sha256 ?? []) line += ` · 数据 ${short(d)}`;
  if (p.previous_sha256) line += ` · 上期 ${short(p.previous_sha256)}`;
  return line;
}

/**
 * `source` with the 通报's heading in its `ruleset(#{ … })` map: each key's string replaced, or
 * added at the end of the map. null when no such map is found.
 */
export function withPublication(source, values) {
  const m = /\bruleset\s*\(\s*#\{/.exec(source);
  if (!m) return null;
  const start = m.index + m[0].length;
  let end = -1;
  for (let i = start, depth = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"') {
      for (i++; i < source.length && source[i] !== '"' && source[i] !== "\n"; i++) if (source[i] === "\\") i++;
    } else if (ch === "/" && source[i + 1] === "/") {
      i = source.indexOf("\n", i);
      if (i < 0) break;
    } else if ("{[(".includes(ch)) depth++;
    else if ("}])".includes(ch)) {
      if (depth === 0) { end = i; break; }
      depth--;
    }
  }
  if (end < 0) return null;
  let body = source.slice(start, end);
  for (const [k, v] of Object.entries(values)) {
    const lit = JSON.stringify(v);
    const re = new RegExp(`(\\b${k}\\s*:\\s*)"(?:[^"\\\\\\n]|\\\\.)*"`);
    if (re.test(body)) {
      body = body.replace(re, (_, lead) => lead + lit);
      continue;
    }
    if (!v) continue;
    // Added after the last entry, with a comma where the entry has none (a comment after it aside).
    const tail = /\s*$/.exec(body)[0];
    let head = body.slice(0, body.length - tail.length);
    const lines = head.split("\n");
    const last = lines[lines.length - 1];
    const code = last.replace(/\/\/.*$/, "").trimEnd();
    if (code && !/[,{]$/.test(code)) lines[lines.length - 1] = `${code},${last.slice(code.length)}`;
    head = lines.join("\n");
    const indent = /^\s*/.exec(lines.find((l) => l.trim()) ?? "    ")[0] || "    ";
    body = `${head}\n${indent.replace(/\n/g, "")}${k}: ${lit},${tail.includes("\n") ? tail : `\n${tail}`}`;
  }
  return source.slice(0, start) + body + source.slice(end);
}
