// kaohe 考核 — the page. It keeps what the person chose (rules, data, last period's result),
// asks the engine worker to score it, and shows the answer. No framework, no network but our files.
import { createEditor } from "./editor.js";

const TIMEOUT_MS = 5000; // a worker that has not answered by then is stopped and replaced
const DEBOUNCE_MS = 400;

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const basename = (p) => String(p).split(/[\\/]/).pop();

// ───────────────────────── state ─────────────────────────

const state = {
  bundled: [],
  rules: null, // { name, source, original, cases, casesName, bundled: index | null }
  data: null, // { fileName, bytes (Uint8Array or text), label }
  previous: null, // { fileName, text }
  result: null, // the last good result: { info, report, reportJson, dataErrors, encoding, ignoredColumns, request }
  failure: null, // the last attempt's failure: { stage, errors } or { stopped } — the table then shows the last good result
  view: { sort: null, dir: 1, text: "", grade: "", cohort: "" },
};

// ───────────────────────── the engine worker ─────────────────────────

const engine = {
  worker: null, ready: false, inflight: null, queue: [], seq: 0, onReady: null,
  start() {
    this.ready = false;
    this.worker = new Worker("worker.js", { type: "module" });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      setEngineStatus(`引擎加载失败：${e.message ?? ""}`, true);
    };
  },
  /** Sends a job; resolves with the worker's reply. A newer scoring job replaces a queued one. */
  send(msg) {
    return new Promise((resolve) => {
      if (msg.type === "assess") {
        this.queue = this.queue.filter((j) => j.msg.type !== "assess" || (j.resolve({ superseded: true }), false));
      }
      msg.id = ++this.seq;
      this.queue.push({ msg, resolve });
      this.pump();
    });
  },
  pump() {
    if (this.inflight || !this.ready || this.queue.length === 0) return;
    const job = (this.inflight = this.queue.shift());
    job.timer = setTimeout(() => this.stop("timeout"), TIMEOUT_MS);
    job.shown = setTimeout(() => ($("#busy").hidden = false), 300);
    this.worker.postMessage(job.msg);
  },
  receive(m) {
    if (m.type === "ready") {
      this.ready = true;
      this.onReady?.(m);
      this.pump();
    } else if (m.type === "fatal") {
      setEngineStatus(`引擎加载失败：${m.message}`, true);
    } else if (this.inflight && m.id === this.inflight.msg.id) {
      if (m.error) this.restart(); // an internal error may leave the module broken
      this.finish(m);
    }
  },
  finish(reply) {
    const job = this.inflight;
    clearTimeout(job.timer);
    clearTimeout(job.shown);
    $("#busy").hidden = true;
    this.inflight = null;
    job.resolve(reply);
    this.pump();
  },
  restart() {
    this.worker.terminate();
    this.start();
  },
  /** Ends a worker that does not answer (a runaway rule) and starts a fresh one. */
  stop(why) {
    if (!this.inflight) return;
    this.worker.terminate();
    this.start();
    this.finish({ stopped: why });
  },
};

function setEngineStatus(text, bad = false) {
  const el = $("#status-engine");
  el.textContent = text;
  el.classList.toggle("bad", bad);
}

// ───────────────────────── scoring ─────────────────────────

let debounce = 0;
function rescoreSoon() {
  clearTimeout(debounce);
  debounce = setTimeout(rescore, DEBOUNCE_MS);
}

async function rescore() {
  clearTimeout(debounce);
  if (!state.rules) return;
  const request = {
    type: "assess", name: state.rules.name, source: state.rules.source,
    data: state.data?.bytes ?? null, fileName: state.data?.fileName ?? "", previous: state.previous?.text ?? "",
  };
  const r = await engine.send(request);
  if (r.superseded) return;
  if (r.report) {
    state.result = { ...r, request };
    state.failure = null;
  } else if (r.stage === "nodata") {
    state.failure = null; // the rules compile; there is nothing to score yet
  } else {
    state.failure = r.stopped ? { stopped: r.stopped } : r.error ? { stage: "internal", errors: [{ message: r.error }] } : { stage: r.stage, errors: r.errors };
  }
  render();
}

// ───────────────────────── choosing rules, data and the previous period ─────────────────────────

function chooseBundled(i) {
  const b = state.bundled[i];
  state.rules = { name: b.rulesPath, source: b.rules, original: b.rules, cases: b.cases, casesName: b.rulesPath.replace(/\.rhai$/, ".cases.json"), bundled: i };
  state.data = b.data == null ? null : { fileName: b.dataPath, bytes: b.data, label: `样例数据 ${basename(b.dataPath)}` };
  state.previous = null;
  state.result = null;
  state.failure = null;
  state.view = { sort: null, dir: 1, text: "", grade: "", cohort: "" };
  $("#filter-text").value = "";
  $("#ruleset-select").value = String(i);
  editor.value = b.rules;
  $("#cases-result").innerHTML = "";
  render();
  rescore();
}

const readers = {
  async "rules-file"(file) {
    const source = await file.text();
    state.rules = { name: file.name, source, original: source, cases: null, casesName: null, bundled: null };
    state.result = null;
    state.failure = null;
    $("#ruleset-select").value = "custom";
    editor.value = source;
    $("#cases-result").innerHTML = "";
    render();
    rescore();
  },
  async "data-file"(file) {
    state.data = { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()), label: file.name };
    render();
    rescore();
  },
  async "previous-file"(file) {
    state.previous = { fileName: file.name, text: await file.text() };
    render();
    rescore();
  },
  async "cases-file"(file) {
    if (!state.rules) return;
    state.rules.cases = await file.text();
    state.rules.casesName = file.name;
    render();
  },
};

/** Which reader a dropped file goes to, by its name and (for JSON) its content. */
async function readerFor(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".rhai")) return "rules-file";
  if (name.endsWith(".json")) {
    const head = (await file.slice(0, 4096).text());
    if (/"schema"\s*:\s*"kaohe-result"/.test(head)) return "previous-file";
    if (/^\s*\{\s*"cases"\s*:/.test(head)) return "cases-file";
  }
  return "data-file";
}

// ───────────────────────── rendering ─────────────────────────

const GRADE_COLOURS = ["#2f7d4f", "#3a6ea5", "#b7862b", "#c4622d", "#a83232"];
function gradeIndex(grade) {
  const grades = state.result?.info.grades ?? [];
  const i = grades.indexOf(grade);
  if (i < 0) return null;
  return Math.round((i * (GRADE_COLOURS.length - 1)) / Math.max(grades.length - 1, 1));
}
/** A figure with the rule set's decimals, padded, never rounded here (the engine rounds). */
function fixed(n) {
  if (n == null) return "—";
  const d = state.result?.report.rule_set.decimals ?? 0;
  const [whole, frac = ""] = String(n).split(".");
  return d > 0 && frac.length <= d ? `${whole}.${frac.padEnd(d, "0")}` : String(n);
}
const gradeChip = (g) => (g ? `<span class="grade g${gradeIndex(g) ?? "x"}">${esc(g)}</span>` : "—");

function render() {
  renderStatus();
  renderNotices();
  renderDiagnostics();
  renderSummary();
  renderTable();
  renderCharts();
  renderPrint();
  const ok = !!state.result;
  for (const id of ["export-xlsx", "export-csv", "export-json", "print"]) $(`#${id}`).disabled = !ok;
  $("#editor-name").textContent = state.rules?.name ?? "";
  $("#cases-source").textContent = state.rules?.cases ? `用例：${basename(state.rules.casesName)}` : "此规则集没有测试用例，请打开 *.cases.json 用例文件";
  $("#run-cases").disabled = !state.rules?.cases;
}

function renderStatus() {
  $("#status-rules").textContent = state.rules ? `规则：${basename(state.rules.name)}${state.rules.source !== state.rules.original ? "（已修改）" : ""}` : "";
  const names = { spreadsheet: "电子表格", GB18030: "GBK/GB18030 编码", "UTF-8": "UTF-8 编码" };
  const e = state.result?.encoding;
  const enc = e && state.result.request.data === state.data?.bytes ? `，${names[e] ?? `${e} 编码`}` : "";
  $("#status-data").textContent = state.data ? `数据：${state.data.label}${enc}` : "数据：未载入";
  $("#status-previous").innerHTML = state.previous
    ? `上期：${esc(state.previous.fileName)} <button type="button" class="small" id="clear-previous">清除</button>` : "";
}

function problemText(e) {
  const loc = e.location ? `第 ${e.location.line} 行第 ${e.location.column} 列` : "";
  return { loc, message: e.message, help: e.help, rule: e.rule, unit: e.unit };
}

/** Rule-side problems (compile errors, run-time errors, a stopped worker) for the editor. */
function ruleProblems() {
  const f = state.failure;
  if (!f) return [];
  if (f.stopped) {
    return [{ message: f.stopped === "timeout"
      ? `规则运行超过 ${TIMEOUT_MS / 1000} 秒仍未结束，已强制停止（可能是死循环或运算量过大）`
      : "已停止计算", help: "修改规则后会自动重新计分" }];
  }
  if (f.stage === "rules" || f.stage === "eval" || f.stage === "internal") return f.errors;
  return [];
}

function renderNotices() {
  const f = state.failure;
  let html = "";
  if (f && state.result) {
    html += `<div class="notice warn">${f.stage === "data" || f.stage === "previous" ? "数据有错误" : "规则有错误或运行被停止"}，下表仍是上一次成功计算的结果。${ruleProblems().length ? ' <button type="button" class="link" data-goto-tab="editor">查看规则问题</button>' : ""}</div>`;
  } else if (f && ruleProblems().length) {
    html += `<div class="notice bad">规则有错误，无法计分。 <button type="button" class="link" data-goto-tab="editor">查看规则问题</button></div>`;
  }
  if (f?.stage === "previous") {
    html += `<div class="notice bad">上期结果文件无法使用：${esc(f.errors.map((e) => e.message).join("；"))}</div>`;
  }
  const dataErrors = f?.stage === "data" ? f.errors : state.result && !f ? state.result.dataErrors : [];
  if (dataErrors.length) {
    const skipped = new Set(dataErrors.filter((e) => e.row > 0).map((e) => e.row)).size;
    const lead = f?.stage === "data"
      ? `数据有 ${dataErrors.length} 处错误，无法计分。请按下表修改数据文件后重新载入：`
      : `数据有 ${dataErrors.length} 处错误，涉及 ${skipped} 行，这些行未参与计分，其余单位照常计分。请按下表修改数据后重新载入：`;
    html += `<div class="notice bad data-errors"><div class="notice-head"><span>${lead}</span>
      <button type="button" class="small" id="copy-data-errors">复制错误清单</button></div>
      <table class="errors"><thead><tr><th>行</th><th>列</th><th>单位</th><th>问题</th><th>处理建议</th></tr></thead><tbody>
      ${dataErrors.map((e) => `<tr><td class="num">${e.row || "—"}</td><td>${e.column ? `${e.column}${e.header ? ` ${esc(e.header)}` : ""}` : esc(e.header ?? "—")}</td>
        <td>${esc(e.unit ?? "—")}</td><td>${esc(e.message)}</td><td>${esc(e.help ?? "")}</td></tr>`).join("")}
      </tbody></table></div>`;
  }
  if (state.result && !f && state.result.ignoredColumns.length) {
    html += `<details class="notice quiet"><summary>数据中有 ${state.result.ignoredColumns.length} 列未被规则使用</summary>${esc(state.result.ignoredColumns.join("、"))}</details>`;
  }
  if (!state.data && state.rules) html += `<div class="notice">请载入数据文件（CSV、Excel 或 JSON），也可以把文件拖到页面上。</div>`;
  $("#notices").innerHTML = html;
}

function renderDiagnostics() {
  const probs = ruleProblems();
  const badge = $("#rule-badge");
  badge.hidden = probs.length === 0;
  badge.textContent = probs.length;
  editor.setErrors(probs.filter((e) => e.location && e.location.file === state.rules?.name)
    .map((e) => ({ line: e.location.line, column: e.location.column, message: e.message })));
  let html;
  if (probs.length) {
    html = `<p class="bad">${state.failure?.stage === "eval" ? "规则运行出错" : state.failure?.stopped ? "计算已停止" : "规则有错误"}（${probs.length} 处）：</p><ul class="problems">` +
      probs.map((e) => {
        const p = problemText(e);
        const at = e.location ? `data-line="${e.location.line}" data-column="${e.location.column}"` : "";
        return `<li><button type="button" class="problem" ${at}>${p.loc ? `<span class="loc">${p.loc}</span>` : ""}
          ${e.unit ? `<span class="who">单位 ${esc(e.unit)}${e.rule ? ` · 规则 ${esc(e.rule)}` : ""}</span>` : ""}
          <span class="msg">${esc(p.message)}</span>${p.help ? `<span class="help">${esc(p.help)}</span>` : ""}</button></li>`;
      }).join("") + "</ul>";
  } else if (state.result) {
    const r = state.result.report;
    const top = r.units.find((u) => u.rank === 1);
    html = `<p class="good">✓ 规则已编译并重新计分：${r.units.length} 个单位${top ? `，第 1 名 ${esc(top.name)} ${esc(top.total_display ?? "")}` : ""}。</p>`;
    const info = state.result.info;
    html += `<dl class="facts"><dt>规则集</dt><dd>${esc(info.title)}（${esc(info.id)}）</dd>
      <dt>字段</dt><dd>${info.fields.length} 个</dd><dt>指标</dt><dd>${info.items.length} 项</dd>
      <dt>一票否决</dt><dd>${info.vetoes.map((v) => esc(v.label)).join("、") || "无"}</dd>
      <dt>等次</dt><dd>${info.grades.map(esc).join("、") || "无"}</dd>
      <dt>结果运用</dt><dd>${info.consequences.map(esc).join("、") || "无"}</dd></dl>`;
  } else {
    html = `<p class="hint">尚未计分。</p>`;
  }
  $("#diagnostics").innerHTML = html;
}

function renderSummary() {
  const r = state.result?.report;
  if (!r) {
    $("#summary").innerHTML = state.data ? `<p class="hint">${state.failure ? "" : "正在计算…"}</p>` : "";
    return;
  }
  const rs = r.rule_set;
  const scale = rs.bonus_max ? `基础分 ${rs.max} 分，加分上限 ${rs.bonus_max} 分` : `满分 ${rs.max} 分`;
  let html = `<div class="title-row"><h1>${esc(rs.title)}</h1><span class="hint">${esc(scale)} · 共 ${r.units.length} 个单位</span></div><div class="cards">`;
  for (const c of r.cohorts) {
    html += `<div class="card">${r.cohorts.length > 1 ? `<h3>${esc(c.name)}</h3>` : ""}
      <dl class="stats">
        <div><dt>单位</dt><dd>${c.units}</dd></div><div><dt>参与排名</dt><dd>${c.ranked}</dd></div>
        <div><dt>一票否决</dt><dd class="${c.vetoed ? "bad" : ""}">${c.vetoed}</dd></div>
        <div><dt>平均分</dt><dd>${fixed(c.mean)}</dd></div><div><dt>中位数</dt><dd>${fixed(c.median)}</dd></div>
        <div><dt>最高</dt><dd>${fixed(c.max)}</dd></div><div><dt>最低</dt><dd>${fixed(c.min)}</dd></div>
      </dl>
      <div class="grade-counts">${c.grades.map((g) => `${gradeChip(g.grade)} ${g.count}`).join("　")}</div></div>`;
  }
  $("#summary").innerHTML = html + "</div>";
  // Filters: grades and cohorts of this rule set.
  const gradeSel = $("#filter-grade");
  const grades = state.result.info.grades;
  if (gradeSel.dataset.for !== grades.join("|")) {
    gradeSel.dataset.for = grades.join("|");
    gradeSel.innerHTML = `<option value="">全部等次</option>` + grades.map((g) => `<option>${esc(g)}</option>`).join("");
    state.view.grade = "";
  }
  const cohortSel = $("#filter-cohort");
  const cohorts = r.cohorts.map((c) => c.name);
  cohortSel.hidden = cohorts.length < 2;
  if (cohortSel.dataset.for !== cohorts.join("|")) {
    cohortSel.dataset.for = cohorts.join("|");
    cohortSel.innerHTML = `<option value="">全部组别</option>` + cohorts.map((c) => `<option>${esc(c)}</option>`).join("");
    state.view.cohort = "";
  }
}

// The ranked table's columns; `value` sorts, `cell` shows.
function columns(report, units) {
  const any = (f) => units.some(f);
  const cols = [{ key: "rank", label: "名次", num: true, value: (u) => u.rank, cell: (u) => u.rank ?? "—" }];
  if (report.cohorts.length > 1) cols.push({ key: "cohort", label: "组别", value: (u) => u.cohort, cell: (u) => esc(u.cohort) });
  cols.push(
    { key: "name", label: "单位", value: (u) => u.name, cell: (u) => `<button type="button" class="link unit-link" data-unit="${esc(u.id)}">${esc(u.name)}</button>` },
    { key: "total", label: "总分", num: true, value: (u) => u.total, cell: (u) => (u.total_display != null ? esc(u.total_display) : `<span class="muted">—</span>`) },
    { key: "grade", label: "等次", value: (u) => u.grade, cell: (u) => gradeChip(u.grade) },
  );
  if (withPrevious() || any((u) => u.previous_rank != null)) {
    cols.push({ key: "change", label: "名次变化", num: true, value: (u) => u.rank_change, cell: rankChange });
  }
  if (any((u) => u.state)) cols.push({ key: "state", label: "状态", value: (u) => stateStatus(u), cell: (u) => esc(stateStatus(u) ?? "—") });
  for (const m of state.result.info.metrics) {
    if (!any((u) => metricOf(u, m.id)?.value != null)) continue;
    cols.push({
      key: `m:${m.id}`, label: m.label, num: true, value: (u) => metricOf(u, m.id)?.value,
      cell: (u) => { const x = metricOf(u, m.id); return x?.display != null ? `${esc(x.display)}${x.rank != null ? ` <span class="muted">（${x.rank}）</span>` : ""}` : "—"; },
    });
  }
  cols.push(
    { key: "veto", label: "一票否决", value: (u) => u.vetoes.map((v) => v.label).join("、"), cell: (u) => (u.vetoes.length ? `<span class="veto">${u.vetoes.map((v) => esc(v.label)).join("、")}</span>` : "") },
    { key: "cons", label: "处理结果", value: (u) => u.consequences.map((c) => c.name).join("、"), cell: (u) => u.consequences.map((c) => `<span class="cons" title="${esc(c.reason)}">${esc(c.name)}</span>`).join(" ") },
  );
  return cols;
}
const metricOf = (u, id) => u.metrics?.find((m) => m.id === id);
/** Whether the result on screen was computed with last period's result — not whether one has
 * just been chosen: until the new result arrives, the old one must not show its units as 新. */
const withPrevious = () => Boolean(state.result?.request?.previous);
const stateStatus = (u) => (u.state && typeof u.state === "object" ? (u.state.status ?? null) : null);
function rankChange(u) {
  if (u.rank_change == null) return u.rank != null && u.previous_rank == null && withPrevious() ? `<span class="muted">新</span>` : "—";
  if (u.rank_change > 0) return `<span class="up" title="上期第 ${u.previous_rank} 名">↑${u.rank_change}</span>`;
  if (u.rank_change < 0) return `<span class="down" title="上期第 ${u.previous_rank} 名">↓${-u.rank_change}</span>`;
  return `<span class="muted" title="上期第 ${u.previous_rank} 名">持平</span>`;
}

function visibleUnits() {
  const r = state.result.report;
  const { text, grade, cohort, sort, dir } = state.view;
  const needle = text.trim().toLowerCase();
  let units = r.units.filter((u) =>
    (!grade || u.grade === grade) && (!cohort || u.cohort === cohort) &&
    (!needle || [u.name, u.id, u.grade, stateStatus(u), ...u.consequences.map((c) => c.name), ...u.vetoes.map((v) => v.label)]
      .some((s) => s && String(s).toLowerCase().includes(needle))));
  if (sort) {
    const col = columns(r, r.units).find((c) => c.key === sort);
    if (col) {
      units = units.map((u, i) => [u, i]).sort(([a, i], [b, j]) => {
        const x = col.value(a), y = col.value(b);
        if (x == null || x === "") return y == null || y === "" ? i - j : 1; // blanks last either way
        if (y == null || y === "") return -1;
        const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return c * dir || i - j;
      }).map(([u]) => u);
    }
  }
  return units;
}

function renderTable() {
  const table = $("#result-table");
  if (!state.result) {
    table.innerHTML = "";
    $("#filter-count").textContent = "";
    return;
  }
  const r = state.result.report;
  const units = visibleUnits();
  const cols = columns(r, units.length ? units : r.units);
  const { sort, dir } = state.view;
  table.innerHTML = `<thead><tr>${cols.map((c) => `<th scope="col" class="${c.num ? "num" : ""}${c.key.startsWith("m:") ? " metric" : ""}" aria-sort="${sort === c.key ? (dir > 0 ? "ascending" : "descending") : "none"}">
      <button type="button" class="sort" data-sort="${c.key}">${esc(c.label)}<span class="arrow">${sort === c.key ? (dir > 0 ? "▲" : "▼") : ""}</span></button></th>`).join("")}</tr></thead>
    <tbody>${units.map((u) => `<tr data-unit="${esc(u.id)}" class="${u.vetoed ? "vetoed" : ""}">${cols.map((c) => `<td class="${c.num ? "num" : ""} c-${c.key.replace(/:.*/, "")}">${c.cell(u)}</td>`).join("")}</tr>`).join("")}</tbody>`;
  // Many columns (metrics): the charts move below the table.
  $(".result-grid").classList.toggle("wide", cols.length > 9);
  $("#filter-count").textContent = units.length === r.units.length ? `共 ${units.length} 个单位` : `显示 ${units.length} / ${r.units.length} 个单位`;
}

// ───────────────────────── charts (SVG) ─────────────────────────

function renderCharts() {
  if (!state.result) {
    $("#bar-chart").innerHTML = $("#histogram").innerHTML = $("#rollups").innerHTML = "";
    return;
  }
  const r = state.result.report;
  const units = visibleUnits();
  const top = Math.max(r.rule_set.max + (r.rule_set.bonus_max ?? 0), ...units.map((u) => u.total ?? 0));
  // Bars of totals, one row per unit, in the table's order.
  const W = 360, L = 104, R = 46, H = 20;
  const x = (v) => L + ((W - L - R) * Math.max(v, 0)) / top;
  let svg = `<svg viewBox="0 0 ${W} ${units.length * H + 22}" role="img" aria-label="各单位总分条形图" class="chart">`;
  for (let v = 0; v <= top; v += top > 50 ? 20 : 10) {
    svg += `<line x1="${x(v)}" x2="${x(v)}" y1="0" y2="${units.length * H}" class="grid"/><text x="${x(v)}" y="${units.length * H + 14}" class="axis" text-anchor="middle">${v}</text>`;
  }
  units.forEach((u, i) => {
    const y = i * H;
    const name = u.name.length > 8 ? `${u.name.slice(0, 7)}…` : u.name;
    svg += `<text x="${L - 6}" y="${y + 14}" text-anchor="end" class="label">${esc(name)}<title>${esc(u.name)}</title></text>`;
    if (u.total == null) {
      svg += `<text x="${L + 4}" y="${y + 14}" class="veto-label">一票否决</text>`;
    } else {
      const fill = GRADE_COLOURS[gradeIndex(u.grade) ?? 2];
      svg += `<rect x="${L}" y="${y + 3}" width="${Math.max(x(u.total) - L, 1)}" height="${H - 6}" rx="2" fill="${fill}"><title>${esc(u.name)}：${esc(u.total_display)}（${esc(u.grade ?? "")}）</title></rect>`;
      svg += `<text x="${x(u.total) + 4}" y="${y + 14}" class="value">${esc(u.total_display)}</text>`;
    }
  });
  svg += "</svg>";
  const grades = state.result.info.grades;
  svg += `<div class="legend">${grades.map((g) => `${gradeChip(g)}`).join(" ")}</div>`;
  $("#bar-chart").innerHTML = units.length ? svg : `<p class="hint">没有符合筛选条件的单位</p>`;

  // Histogram of totals in 10-point bins.
  const totals = units.map((u) => u.total).filter((t) => t != null);
  if (totals.length) {
    const lo = Math.min(Math.floor(Math.min(...totals) / 10) * 10, 60);
    const hi = Math.max(Math.ceil(Math.max(...totals) / 10) * 10, lo + 10);
    const bins = [];
    for (let b = lo; b < hi; b += 10) {
      const last = b + 10 >= hi; // the last bin holds its upper end: 100 counts in 90–100
      bins.push({ from: b, to: b + 10, n: totals.filter((t) => t >= b && (t < b + 10 || (last && t === b + 10))).length });
    }
    const maxN = Math.max(...bins.map((b) => b.n));
    const HW = 360, HH = 150, bw = (HW - 20) / bins.length;
    let h = `<svg viewBox="0 0 ${HW} ${HH + 34}" role="img" aria-label="分数分布直方图" class="chart">`;
    bins.forEach((b, i) => {
      const bh = maxN ? (HH - 16) * (b.n / maxN) : 0;
      const bx = 10 + i * bw;
      h += `<rect x="${bx + 3}" y="${HH - bh}" width="${bw - 6}" height="${bh}" fill="#5b7fa6" rx="2"><title>${b.from}–${b.to}：${b.n} 个单位</title></rect>`;
      if (b.n) h += `<text x="${bx + bw / 2}" y="${HH - bh - 4}" text-anchor="middle" class="value">${b.n}</text>`;
      h += `<text x="${bx + bw / 2}" y="${HH + 16}" text-anchor="middle" class="axis">${b.from}–${b.to}</text>`;
    });
    h += `<line x1="10" x2="${HW - 10}" y1="${HH}" y2="${HH}" class="baseline"/><text x="${HW / 2}" y="${HH + 31}" text-anchor="middle" class="axis">总分区间（分），柱上为单位数</text></svg>`;
    $("#histogram").innerHTML = h;
  } else {
    $("#histogram").innerHTML = `<p class="hint">没有可统计的总分</p>`;
  }

  // Roll-ups.
  $("#rollups").innerHTML = r.rollups?.length
    ? `<h3>汇总</h3><table class="plain"><thead><tr><th>汇总项</th><th>分组</th><th class="num">数值</th><th class="num">单位数</th></tr></thead><tbody>${r.rollups.map((x) => `<tr><td>${esc(x.label)}</td><td>${esc(x.group)}</td><td class="num">${esc(x.display)}</td><td class="num">${x.units}</td></tr>`).join("")}</tbody></table>`
    : "";
}

// ───────────────────────── one unit's breakdown (计分明细) ─────────────────────────

const dataUses = (data) => (data?.length ? `<span class="uses">${data.map((d) => `<span class="use">${esc(d.label)} = ${esc(d.value)}</span>`).join("")}</span>` : "");
const pts = (p) => (p > 0 ? `+${p}` : `${p}`);

function openUnit(id) {
  const u = state.result?.report.units.find((x) => x.id === id);
  if (!u) return;
  $("#unit-title").innerHTML = `${esc(u.name)} <span class="muted">${esc(u.id)}</span>`;
  let html = `<div class="unit-head">
    <div><span class="big">${esc(u.total_display ?? "—")}</span> 分</div>
    <div>${u.rank != null ? `第 <strong>${u.rank}</strong> 名` : "不参与排名"}${u.cohort !== "全部" ? `（${esc(u.cohort)}）` : ""}</div>
    <div>${gradeChip(u.grade)}</div>
    <div class="muted">基础分 ${u.base}${u.bonus ? ` · 加分 ${u.bonus}` : ""}${u.previous_rank != null ? ` · 上期第 ${u.previous_rank} 名` : ""} · 数据第 ${u.row} 行${u.awards_eligible ? "" : " · <span class=\"bad\">不得参与评优</span>"}</div></div>`;
  if (u.vetoes.length) {
    html += `<h3 class="bad">一票否决</h3><ul class="facts-list">${u.vetoes.map((v) => `<li><strong>${esc(v.label)}</strong>：${esc(v.reason)} ${dataUses(v.data)}</li>`).join("")}</ul>`;
  }
  if (u.prerequisites_failed.length) {
    html += `<h3>未满足的必备条件</h3><ul class="facts-list">${u.prerequisites_failed.map((p) => `<li><strong>${esc(p.label)}</strong>（影响等次：${p.grades.map(esc).join("、")}）</li>`).join("")}</ul>`;
  }
  if (u.consequences.length) {
    html += `<h3>处理结果</h3><ul class="facts-list">${u.consequences.map((c) => `<li><strong>${esc(c.name)}</strong>：${esc(c.reason)}</li>`).join("")}</ul>`;
  }
  if (u.metrics?.some((m) => m.value != null)) {
    html += `<h3>公布指标</h3><table class="plain"><thead><tr><th>指标</th><th class="num">数值</th><th class="num">名次</th><th class="num">上期名次</th></tr></thead><tbody>${u.metrics.filter((m) => m.value != null).map((m) => `<tr><td>${esc(m.label)}</td><td class="num">${esc(m.display)}</td><td class="num">${m.rank ?? "—"}</td><td class="num">${m.previous_rank ?? "—"}</td></tr>`).join("")}</tbody></table>`;
  }
  if (u.state && typeof u.state === "object") {
    html += `<h3>状态</h3><dl class="facts">${Object.entries(u.state).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === "object" ? JSON.stringify(v) : v)}</dd>`).join("")}</dl>`;
  }
  html += `<h3>计分明细</h3><table class="breakdown"><thead><tr><th>考核项目</th><th class="num">得分 / 满分</th><th>评分细则与计分过程</th></tr></thead><tbody>`;
  let category;
  for (const it of u.items) {
    const cat = it.kind === "bonus" ? "加分项目" : it.category;
    if (cat && cat !== category) html += `<tr class="cat"><th colspan="3">${esc(cat)}</th></tr>`;
    category = cat;
    html += `<tr class="${it.points < it.max && it.kind !== "bonus" ? "lost" : ""}"><td>${esc(it.label)}</td>
      <td class="num"><strong>${it.not_applicable ? "不适用" : it.points}</strong> / ${it.max}</td>
      <td>${it.text ? `<div class="rule-text">${esc(it.text)}</div>` : ""}<ul class="reasons">${it.reasons.map((x) => `<li>${esc(x.detail)}${x.points ? ` <span class="${x.points < 0 ? "down" : "up"}">${pts(x.points)}</span>` : ""} ${dataUses(x.data)}</li>`).join("")}</ul></td></tr>`;
  }
  html += "</tbody></table>";
  if (u.adjustments.length) {
    html += `<h3>封顶与调整</h3><ul class="facts-list">${u.adjustments.map((a) => `<li>${esc(a.rule)}：${esc(a.detail)}${a.points ? ` <span class="down">${pts(a.points)}</span>` : ""}</li>`).join("")}</ul>`;
  }
  $("#unit-body").innerHTML = html;
  const dlg = $("#unit-dialog");
  if (!dlg.open) dlg.showModal();
  $("#unit-body").scrollTop = 0;
}

// ───────────────────────── print view (通报) ─────────────────────────

function renderPrint() {
  const el = $("#print-report");
  if (!state.result) return (el.innerHTML = "");
  const r = state.result.report;
  const date = new Intl.DateTimeFormat("zh-CN", { dateStyle: "long" }).format(new Date());
  const showChange = withPrevious() || r.units.some((u) => u.previous_rank != null);
  const showState = r.units.some((u) => stateStatus(u));
  let html = `<h1>${esc(r.rule_set.title)}结果通报</h1><p class="meta">${esc(date)} · 共 ${r.units.length} 个单位 · 依据 ${esc(basename(r.rule_set.source))}</p>`;
  for (const c of r.cohorts) {
    const units = r.units.filter((u) => u.cohort === c.name);
    if (r.cohorts.length > 1) html += `<h2>${esc(c.name)}</h2>`;
    html += `<table><thead><tr><th>名次</th><th>单位</th><th>总分</th><th>等次</th>${showChange ? "<th>名次变化</th>" : ""}${showState ? "<th>状态</th>" : ""}<th>一票否决</th><th>处理结果</th></tr></thead><tbody>
      ${units.map((u) => `<tr><td class="num">${u.rank ?? "—"}</td><td>${esc(u.name)}</td><td class="num">${esc(u.total_display ?? "—")}</td><td>${esc(u.grade ?? "—")}</td>${showChange ? `<td>${u.rank_change == null ? "—" : u.rank_change > 0 ? `↑${u.rank_change}` : u.rank_change < 0 ? `↓${-u.rank_change}` : "持平"}</td>` : ""}${showState ? `<td>${esc(stateStatus(u) ?? "")}</td>` : ""}<td class="wrap">${u.vetoes.map((v) => esc(v.label)).join("、")}</td><td class="wrap">${u.consequences.map((x) => esc(x.name)).join("、")}</td></tr>`).join("")}
      </tbody></table>
      <p class="summary-line">平均分 ${fixed(c.mean)}，中位数 ${fixed(c.median)}，最高 ${fixed(c.max)}，最低 ${fixed(c.min)}；${c.grades.map((g) => `${esc(g.grade)} ${g.count} 个`).join("，")}${c.vetoed ? `；一票否决 ${c.vetoed} 个` : ""}。</p>`;
  }
  const vetoed = r.units.filter((u) => u.vetoes.length);
  if (vetoed.length) {
    html += `<h2>一票否决</h2><ul>${vetoed.map((u) => u.vetoes.map((v) => `<li>${esc(u.name)}：${esc(v.label)}。${esc(v.reason)}</li>`).join("")).join("")}</ul>`;
  }
  // Consequences grouped by name and reason: 黄牌 — 综合排名后三位：A、B、C
  const groups = new Map();
  for (const u of r.units) for (const c of u.consequences) {
    const key = `${c.name}\u0000${c.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), u.name]);
  }
  if (groups.size) {
    html += `<h2>结果运用</h2><ul>${[...groups].map(([k, names]) => { const [name, reason] = k.split("\u0000"); return `<li><strong>${esc(name)}</strong>（${esc(reason)}）：${names.map(esc).join("、")}</li>`; }).join("")}</ul>`;
  }
  el.innerHTML = html;
}

// ───────────────────────── test cases ─────────────────────────

async function runCases() {
  if (!state.rules?.cases) return;
  $("#cases-result").innerHTML = `<p class="hint">正在运行…</p>`;
  const r = await engine.send({ type: "cases", name: state.rules.name, source: state.rules.source, cases: state.rules.cases });
  let html;
  if (r.stopped) html = `<p class="bad">运行超过 ${TIMEOUT_MS / 1000} 秒，已停止。</p>`;
  else if (r.error) html = `<p class="bad">${esc(r.error)}</p>`;
  else if (r.errors || Array.isArray(r.run)) html = `<p class="bad">规则有错误，无法运行用例，请先在“规则脚本”中修正。</p>`;
  else if (r.run.error) html = `<p class="bad">用例文件有问题：${esc(r.run.error)}</p>`;
  else {
    const run = r.run;
    html = `<p class="${run.failed ? "bad" : "good"} cases-total">${run.failed ? "✗" : "✓"} ${run.passed} 个通过，${run.failed} 个失败</p><ul class="cases">` +
      run.cases.map((c) => `<li class="${c.failures.length ? "fail" : "pass"}"><span class="mark">${c.failures.length ? "✗ 失败" : "✓ 通过"}</span> ${esc(c.name)}${c.failures.length ? `<pre>${esc(c.failures.join("\n"))}</pre>` : ""}</li>`).join("") +
      `</ul><h3>覆盖情况</h3><pre class="coverage">${esc(run.coverage_lines.join("\n"))}</pre>`;
  }
  $("#cases-result").innerHTML = html;
}

// ───────────────────────── export ─────────────────────────

function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
const exportName = (ext) => `${state.result.report.rule_set.id}-考核结果.${ext}`;

async function exportAs(format) {
  if (!state.result) return;
  if (format === "json") return download(exportName("json"), new Blob([state.result.reportJson + "\n"], { type: "application/json" }));
  const r = await engine.send({ type: "export", format, request: state.result.request });
  if (r.bytes) download(exportName("xlsx"), new Blob([r.bytes], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
  else if (r.text != null) download(exportName("csv"), new Blob([r.text], { type: "text/csv;charset=utf-8" }));
  else alert(r.error ?? "导出失败，请稍后重试");
}

// ───────────────────────── wiring ─────────────────────────

const editor = createEditor($("#editor"), {
  onInput(text) {
    if (!state.rules) return;
    state.rules.source = text;
    renderStatus();
    rescoreSoon();
  },
});

function showTab(name) {
  for (const t of ["result", "editor", "cases"]) {
    $(`#tab-${t}`).setAttribute("aria-selected", String(t === name));
    $(`#view-${t}`).hidden = t !== name;
  }
}

function wire() {
  for (const t of ["result", "editor", "cases"]) $(`#tab-${t}`).addEventListener("click", () => showTab(t));
  document.addEventListener("click", (e) => {
    const t = e.target.closest("button, tr[data-unit]");
    if (!t) return;
    if (t.dataset.pick) $(`#${t.dataset.pick}`).click();
    else if (t.dataset.gotoTab) showTab(t.dataset.gotoTab);
    else if (t.dataset.sort) {
      const v = state.view;
      if (v.sort === t.dataset.sort) v.dir = -v.dir;
      else Object.assign(v, { sort: t.dataset.sort, dir: ["total", "change", "veto", "cons"].includes(t.dataset.sort) || t.dataset.sort.startsWith("m:") ? -1 : 1 });
      renderTable();
      renderCharts();
    } else if (t.dataset.unit) openUnit(t.dataset.unit);
    else if (t.classList.contains("problem") && t.dataset.line) editor.goto(+t.dataset.line, +t.dataset.column);
    else if (t.id === "clear-previous") { state.previous = null; render(); rescore(); }
    else if (t.id === "copy-data-errors") copyDataErrors(t);
  });
  for (const id of Object.keys(readers)) {
    $(`#${id}`).addEventListener("change", async (e) => {
      const file = e.target.files[0];
      e.target.value = "";
      if (file) await readers[id](file);
    });
  }
  $("#ruleset-select").addEventListener("change", (e) => {
    if (e.target.value !== "custom") chooseBundled(+e.target.value);
  });
  $("#filter-text").addEventListener("input", (e) => { state.view.text = e.target.value; renderTable(); renderCharts(); });
  $("#filter-grade").addEventListener("change", (e) => { state.view.grade = e.target.value; renderTable(); renderCharts(); });
  $("#filter-cohort").addEventListener("change", (e) => { state.view.cohort = e.target.value; renderTable(); renderCharts(); });
  $("#export-xlsx").addEventListener("click", () => exportAs("xlsx"));
  $("#export-csv").addEventListener("click", () => exportAs("csv"));
  $("#export-json").addEventListener("click", () => exportAs("json"));
  $("#print").addEventListener("click", () => window.print());
  $("#run-cases").addEventListener("click", runCases);
  $("#stop").addEventListener("click", () => engine.stop("user"));
  $("#unit-close").addEventListener("click", () => $("#unit-dialog").close());
  $("#unit-dialog").addEventListener("click", (e) => { if (e.target.id === "unit-dialog") e.target.close(); });
  $("#save-rules").addEventListener("click", () => state.rules && download(basename(state.rules.name), new Blob([state.rules.source], { type: "text/plain;charset=utf-8" })));
  $("#revert-rules").addEventListener("click", () => {
    if (!state.rules || state.rules.source === state.rules.original) return;
    if (!confirm("放弃对规则的修改，恢复原始规则？")) return;
    state.rules.source = editor.value = state.rules.original;
    render();
    rescore();
  });
  // Drag and drop anywhere on the page.
  let depth = 0;
  const overlay = $("#drop-overlay");
  addEventListener("dragenter", (e) => { if (e.dataTransfer?.types.includes("Files")) { depth++; overlay.hidden = false; } });
  addEventListener("dragleave", () => { if (--depth <= 0) { depth = 0; overlay.hidden = true; } });
  addEventListener("dragover", (e) => e.preventDefault());
  addEventListener("drop", async (e) => {
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    for (const file of e.dataTransfer?.files ?? []) await readers[await readerFor(file)](file);
  });
}

async function copyDataErrors(button) {
  const errs = state.failure?.stage === "data" ? state.failure.errors : state.result?.dataErrors ?? [];
  const text = ["行\t列\t单位\t问题\t处理建议", ...errs.map((e) => [e.row || "", `${e.column || ""} ${e.header ?? ""}`.trim(), e.unit ?? "", e.message, e.help ?? ""].join("\t"))].join("\n");
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "已复制";
  } catch {
    button.textContent = "复制失败";
  }
}

engine.onReady = (m) => {
  setEngineStatus(`kaohe ${m.version}`);
  if (state.bundled.length) return; // a restarted worker: nothing to set up again
  state.bundled = m.bundled;
  $("#ruleset-select").innerHTML = m.bundled.map((b, i) => `<option value="${i}">${esc(b.title)}</option>`).join("") +
    `<option value="custom" disabled>（自定义规则文件）</option>`;
  if (m.bundled.length) chooseBundled(0);
};

wire();
render();
engine.start();
if ("serviceWorker" in navigator && location.protocol !== "file:") {
  navigator.serviceWorker.register("sw.js").catch(() => {});
}
