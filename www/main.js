// kaohe 考核 — the page. It keeps what the person chose (rules, data, last period's result),
// asks the engine worker to score it, and shows the answer. No framework, no network but our files.
import { createEditor } from "./editor.js";
import { fingerprint, hunks, lineDiff, store, stored, storedKeys } from "./drafts.js";
import { decimalDiff, decimalSum, excludedUnits, placeOf, reportHtml, signed, withPublication } from "./report.js";
import { comparePeriods, periodLabel, rankSpan, readPeriod, sparkline, trendChart, trendPoints, trendWords } from "./trend.js";

const TIMEOUT_MS = 5000; // a worker that has not answered (or reported progress) by then is stopped and replaced
const DEBOUNCE_MS = 400;
const VIRTUAL_MIN = 300; // tables of more units draw only the rows in view
const BARS_MAX = 60; // more units: the chart counts units per grade instead of a bar per unit
const PRINT_MAX = 2000; // the printed 通报 lists at most this many units (the rest: export)
const ERRORS_SHOWN = 200; // data errors listed on the page (all of them are copied)
const TRENDS_MAX = 200; // the overview of trends (历次趋势总览) draws at most this many units
const SEP = "\u0001";
const phone = matchMedia("(max-width: 640px)"); // the phone layout: cards, folded toolbar (style.css)

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const basename = (p) => String(p).split(/[\\/]/).pop();

// ───────────────────────── state ─────────────────────────

const state = {
  bundled: [],
  rules: null, // { key, name, source, original, cases, casesName, bundled: index | null, restored: draft | null }
  data: null, // { fileName, bytes (Uint8Array or text), label }
  // Earlier periods' results (上期、历次), oldest first: the last is the previous period.
  // [{ fileName, label, text, units: Map id → { total, rank, grade } }]; `periodsMoved`: put in
  // order by hand (↑↓), so that one added later goes last instead of sorting all by name again.
  periods: [],
  periodsMoved: false,
  periodErrors: [], // files that were not results: [{ fileName, message }]
  params: {}, // parameters' values for this run (本次参数), by id: text as typed or read from a table
  paramInfo: [], // the rule set's parameters: [{ id, label, value (declared) }]
  warnings: [], // the rule set's warnings (警告) from its last compile
  units: null, // a survey's list of units (单位名单): { fileName, bytes }
  survey: false, // whether the rule set declares a survey (问卷): its data may be respondents' rows
  result: null, // the last good result: { info, report, reportJson, dataErrors, encoding, ignoredColumns, request }
  // 谁变了: the result's rules (an edit) against the original ones on the same data, for the
  // result of `request`: { request, diff, byId } — or { request, pending } / { request, error }
  movers: null,
  failure: null, // the last attempt's failure: { stage, errors } or { stopped } — the table then shows the last good result
  view: { sort: null, dir: 1, text: "", grade: "", cohort: "", moved: false, trendSort: "" },
  running: null, // the scoring request in progress: exports and printing wait for it
  collect: { units: null, merged: null }, // data collection: the list of units { fileName, bytes }; the last merge
};

// ───────────────────────── the engine worker ─────────────────────────

const engine = {
  worker: null, ready: false, inflight: null, queue: [], seq: 0, onReady: null,
  start() {
    this.ready = false;
    const inline = document.getElementById("kaohe-worker");
    if (inline) {
      // The single file (dist/kaohe.html): a classic worker from a blob of the page's own text,
      // with the compressed engine module in front of it.
      this.url ??= URL.createObjectURL(new Blob([
        `self.KAOHE_WASM = ${JSON.stringify(document.getElementById("kaohe-wasm").textContent.trim())};\n`,
        inline.textContent,
      ], { type: "text/javascript" }));
      this.worker = new Worker(this.url);
    } else {
      this.worker = new Worker("worker.js", { type: "module" });
    }
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      setEngineStatus(`引擎加载失败：${e.message ?? ""}`, true);
    };
  },
  /** Sends a job; resolves with the worker's reply. A newer scoring job replaces a queued one. */
  send(msg) {
    // A job on the rules carries the files they name beside themselves (规则附表).
    if (msg.source != null && state.rules) {
      msg.ruleFiles = state.rules.files ?? {};
      msg.ruleFilesVersion = state.rules.filesVersion ?? 0;
    }
    return new Promise((resolve) => {
      // A newer scoring job replaces a queued one, and a queued comparison (谁变了) of an older result.
      if (msg.type === "assess" || msg.type === "diff") {
        const stale = msg.type === "assess" ? ["assess", "diff"] : ["diff"];
        this.queue = this.queue.filter((j) => !stale.includes(j.msg.type) || (j.resolve({ superseded: true }), false));
      }
      msg.id = ++this.seq;
      this.queue.push({ msg, resolve });
      this.pump();
    });
  },
  pump() {
    if (this.inflight || !this.ready || this.queue.length === 0) return;
    const job = (this.inflight = this.queue.shift());
    // The watchdog: a big file is given time by its size, then by its units as the worker
    // reports them; a worker that goes quiet for longer is stopped (per-unit limits in the
    // engine stop a runaway rule long before).
    const bytes = job.msg.data?.length ?? job.msg.request?.data?.length ?? 0;
    // Exports of many units take longer (an XLSX of 100,000 units: many seconds).
    job.budget = (job.msg.type === "assess" || job.msg.type === "cases" ? TIMEOUT_MS : 4 * TIMEOUT_MS) + bytes / 1000 + (job.msg.units ?? 0);
    this.watch(job, job.budget, "timeout");
    job.shown = setTimeout(() => showBusy(job.msg), 300);
    this.worker.postMessage(job.msg);
  },
  watch(job, ms, why) {
    clearTimeout(job.timer);
    job.timer = setTimeout(() => this.stop(why), ms);
  },
  progress(m) {
    const job = this.inflight;
    if (!job || m.id !== job.msg.id) return;
    this.watch(job, Math.max(job.budget, TIMEOUT_MS + (m.units ?? 0) * 0.2), m.units ? "stalled" : "timeout");
    showProgress(m.phase, m.units);
  },
  receive(m) {
    if (m.type === "ready") {
      this.ready = true;
      this.onReady?.(m);
      this.pump();
    } else if (m.type === "fatal") {
      setEngineStatus(`引擎加载失败：${m.message}`, true);
    } else if (m.type === "progress") {
      this.progress(m);
    } else if (m.type === "order") {
      takeOrder(m);
    } else if (this.inflight && m.id === this.inflight.msg.id) {
      if (m.internal) this.restart(); // an internal error may leave the module broken
      this.finish(m);
    }
  },
  finish(reply) {
    const job = this.inflight;
    clearTimeout(job.timer);
    clearTimeout(job.shown);
    hideBusy();
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

const PHASES = { read: ["正在读取数据…", 1], score: ["正在计分", 2], table: ["正在整理结果…", 3], show: ["正在生成表格…", 4] };
function showBusy(msg) {
  $("#busy").hidden = false;
  if (msg?.type === "assess" && msg.data != null && !$("#busy-text").dataset.phase) {
    $("#busy-text").textContent = `正在计算：${basename(msg.label ?? msg.fileName ?? "")}…`;
  }
}
function showProgress(phase, units) {
  const [text, step] = PHASES[phase] ?? ["计算中…", 0];
  if (phase !== "read") $("#busy").hidden = false; // reading: shown after 300 ms, as any job
  $("#busy-text").dataset.phase = phase;
  $("#busy-text").textContent = phase === "score" ? `正在计分（${units.toLocaleString("zh-CN")} 个单位）…` : text;
  $("#busy-progress").value = step;
  $("#busy-progress").hidden = false;
}
function hideBusy() {
  $("#busy").hidden = true;
  $("#busy-progress").hidden = true;
  $("#busy-progress").value = 0;
  delete $("#busy-text").dataset.phase;
  $("#busy-text").textContent = "计算中…";
}

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
    data: state.data?.bytes ?? null, fileName: state.data?.fileName ?? "", previous: previousOf(state.periods),
    params: givenParams(),
    // (not `units`: that is a job's count of units, which the watchdog reads)
    unitList: state.units?.bytes ?? null, unitListName: state.units?.fileName ?? "",
    label: state.data?.label ?? "",
  };
  const periods = state.periods.slice();
  state.running = request;
  renderButtons();
  const r = await engine.send(request);
  if (r.superseded) return;
  if (r.info) state.paramInfo = r.info.params ?? [];
  if (r.survey !== undefined || r.stage === "rules") state.survey = r.survey === true;
  if (!r.superseded) state.warnings = r.warnings ?? [];
  if (r.batch) {
    showProgress("show", r.batch.n);
    const result = await batchResult(r, request, periods);
    if (state.running !== request) return; // a newer run has started meanwhile
    state.result = result;
    state.failure = null;
    hideBusy();
    const order = pendingOrders.get(request.id);
    pendingOrders.clear();
    if (order) takeOrder(order);
    setTimeout(() => prepare(result), 500);
  } else if (r.report) {
    state.result = { ...r, request, periods };
    state.failure = null;
  } else if (r.stage === "nodata") {
    state.failure = null; // the rules compile; there is nothing to score yet
  } else {
    state.failure = r.stopped ? { stopped: r.stopped } : r.error ? { stage: "internal", errors: [{ message: r.error }] } : { stage: r.stage, errors: r.errors };
    state.failure.label = request.label;
  }
  if (state.running === request) state.running = null;
  render();
  compareWithOriginal();
}

const nextTask = () => new Promise((ok) => setTimeout(ok, 0));

/**
 * A batch result (many units, no explanation text) as the page's result: unit objects built
 * in slices between which the page stays responsive, in rank order, with cohort statistics.
 */
async function batchResult(r, request, periods) {
  const b = r.batch;
  const split = (s) => (s == null ? null : s.split(SEP));
  const [ids, names, totals, vetoes, cons, cohorts, remarks] = [b.id, b.name, b.total, b.vetoes, b.consequences, b.cohort, b.remarks].map(split);
  // Last period (上期): its rank and its total as published, by unit code (read when loaded).
  const prev = periods.at(-1)?.units ?? null;
  const NONE = Object.freeze([]);
  // Rank order within each cohort (in order of first appearance), unranked last, then input
  // order — by a sort of numeric keys, far quicker than comparing objects.
  const cohortNo = new Map();
  const keys = new Float64Array(b.n);
  for (let i = 0; i < b.n; i++) {
    const c = cohorts ? cohortNo.get(cohorts[i]) ?? cohortNo.set(cohorts[i], cohortNo.size).get(cohorts[i]) : 0;
    keys[i] = (c * 2 ** 21 + (b.rank[i] < 0 ? 2 ** 21 - 1 : b.rank[i])) * 2 ** 21 + i;
  }
  keys.sort();
  const units = new Array(b.n);
  for (let k = 0; k < b.n; k++) {
    if (k % 10000 === 9999) await nextTask();
    const i = keys[k] % 2 ** 21;
    const rank = b.rank[i] < 0 ? null : b.rank[i];
    const before = prev?.get(ids[i]);
    const previous_rank = before?.rank ?? null;
    const previous_total = before?.total ?? null;
    units[k] = {
      idx: i, id: ids[i], name: names[i], rank,
      total: totals[i] === "" ? null : b.exact[i], total_display: totals[i] === "" ? null : totals[i],
      grade: b.grade[i] < 0 ? null : b.grades[b.grade[i]],
      vetoed: vetoes[i] !== "", vetoes: vetoes[i] ? vetoes[i].split("、").map((label) => ({ label, reason: "" })) : NONE,
      consequences: cons[i] ? cons[i].split("、").map((name) => ({ name, reason: "" })) : NONE,
      cohort: cohorts ? cohorts[i] : "全部",
      previous_rank, rank_change: previous_rank != null && rank != null ? previous_rank - rank : null,
      previous_total, total_change: previous_total != null && totals[i] !== "" ? decimalDiff(totals[i], previous_total) : null,
      remarks: remarks?.[i] ? remarks[i].split("；") : NONE,
    };
  }
  await nextTask();
  const shown = totals.find((t) => t !== "") ?? "";
  const decimals = shown.includes(".") ? shown.split(".")[1].length : 0;
  const info = r.info;
  const report = {
    rule_set: {
      id: info.id, title: info.title, source: request.name, max: info.max, bonus_max: info.bonusMax, base: info.base ?? undefined, decimals,
      ...Object.fromEntries(["issuer", "period", "document"].filter((k) => info[k] != null).map((k) => [k, info[k]])),
    },
    units, cohorts: cohortStats(units, info.grades, decimals), rollups: [],
  };
  return { ...r, batch: true, batchColumns: { categories: b.categories, bonus: b.bonus }, report, reportJson: null, request, periods };
}

/** Per cohort: units, ranked, vetoed, mean, median, max, min and units per grade. */
function cohortStats(units, grades, decimals) {
  const by = new Map();
  for (const u of units) {
    let c = by.get(u.cohort);
    if (!c) by.set(u.cohort, (c = { name: u.cohort, units: 0, ranked: 0, vetoed: 0, totals: [], grades: new Map(grades.map((g) => [g, 0])) }));
    c.units++;
    if (u.rank != null) c.ranked++;
    if (u.vetoed) c.vetoed++;
    if (u.total != null && !u.vetoed) c.totals.push(u.total);
    if (u.grade != null) c.grades.set(u.grade, (c.grades.get(u.grade) ?? 0) + 1);
  }
  const f = (x) => (x == null ? null : x.toFixed(decimals));
  return [...by.values()].map((c) => {
    const t = Float64Array.from(c.totals).sort();
    const n = t.length;
    let sum = 0;
    for (const x of t) sum += x;
    const median = n ? (n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2) : null;
    return {
      name: c.name, units: c.units, ranked: c.ranked, vetoed: c.vetoed,
      mean: f(n ? sum / n : null), median: f(median), max: f(n ? t[n - 1] : null), min: f(n ? t[0] : null),
      grades: [...c.grades].map(([grade, count]) => ({ grade, count })),
    };
  });
}

// ───────────────────────── choosing rules, data and the previous period ─────────────────────────

function chooseBundled(i) {
  const b = state.bundled[i];
  const key = `bundled:${b.rulesPath}`;
  const draft = stored(`draft.${key}`);
  const restored = draft?.source != null && draft.source !== b.rules ? draft : null;
  setRules({
    key, name: b.rulesPath, source: restored?.source ?? b.rules, original: b.rules, cases: b.cases,
    casesName: b.rulesPath.replace(/\.rhai$/, ".cases.json"), bundled: i, restored,
  });
  const sample = (data) => (data == null ? null : { fileName: b.dataPath, bytes: data, label: `样例数据 ${basename(b.dataPath)}` });
  state.data = sample(b.data);
  $("#ruleset-select").value = String(i);
  render();
  rescore();
  // A survey's sample (respondents' rows) comes with the engine's full module, fetched now.
  if (b.data == null && b.dataInFull) {
    const rules = state.rules;
    engine.send({ type: "bundled-data", bundled: b.id }).then((r) => {
      if (state.rules !== rules || state.data != null || r.data == null) return;
      state.data = sample(r.data);
      render();
      rescore();
    });
  }
}

/** A rule file of one's own: its text, and a draft of it kept from before when there is one. */
async function chooseFile(name, text, draft) {
  setRules({ key: `file:${name}`, name, source: draft?.source ?? text, original: text, cases: null, casesName: null, bundled: null, restored: draft ?? null });
  $("#ruleset-select").value = "custom";
  render();
  rescore();
}

/** Shows new rules: the editor, no result, no last period, the rules remembered for the next visit. */
function setRules(rules) {
  state.rules = rules;
  state.periods = [];
  state.periodsMoved = false;
  state.periodErrors = [];
  state.params = {};
  state.paramInfo = [];
  state.units = null;
  state.result = null;
  state.failure = null;
  state.movers = null;
  state.view = { sort: null, dir: 1, text: "", grade: "", cohort: "", moved: false, trendSort: "" };
  $("#filter-text").value = "";
  editor.value = rules.source;
  $("#cases-result").innerHTML = "";
  store("last", rules.key);
  saveDraft();
  markDrafts();
}

// ───────────────────────── drafts: edits kept in the browser ─────────────────────────

const dirty = () => !!state.rules && state.rules.source !== state.rules.original;
let draftTimer = 0;
/** Keeps the rules' edit in the browser (or forgets it when it is the original again). */
function saveDraft() {
  clearTimeout(draftTimer);
  const r = state.rules;
  if (!r) return;
  if (!dirty()) {
    store(`draft.${r.key}`, null);
    r.restored = null;
    r.storageFailed = false;
  } else {
    const draft = { name: r.name, source: r.source, savedAt: Date.now(), base: fingerprint(r.original) };
    if (r.bundled == null) draft.original = r.original; // a file of one's own: its original is kept too
    r.storageFailed = !store(`draft.${r.key}`, draft);
  }
  renderDraftBar();
}
function saveDraftSoon() {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(saveDraft, 300);
}

/** The rule sets with a draft are marked in the list. */
function markDrafts() {
  const drafts = new Set(storedKeys("draft."));
  for (const o of $("#ruleset-select").options) {
    if (o.value === "custom") continue;
    const b = state.bundled[+o.value];
    if (!b) continue;
    const edited = drafts.has(`bundled:${b.rulesPath}`);
    o.textContent = `${b.title}${edited ? "（已修改，未下载）" : ""}`;
  }
}

const timeText = (t) => new Intl.DateTimeFormat("zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(t));

/** The bar above the editor (and a notice on the result) that says the rules are an edit, and what to do with it. */
function renderDraftBar() {
  const r = state.rules;
  const bar = $("#draft-bar");
  if (!r || !dirty()) {
    bar.hidden = true;
    bar.innerHTML = "";
  } else {
    const changed = diffWords();
    const stale = r.restored?.base && r.restored.base !== fingerprint(r.original);
    bar.hidden = false;
    bar.innerHTML = `<span>${r.restored ? `已恢复 ${esc(timeText(r.restored.savedAt))} 保存的修改` : "规则已修改"}（与原始规则相比${changed}）。${r.storageFailed ? "<strong>浏览器未能保存修改，请下载规则文件。</strong>" : "修改自动保存在本浏览器中，刷新或切换规则集不会丢失。"}${stale ? "<strong>原始规则已更新，此修改基于旧版本，请查看差异。</strong>" : ""}</span>
      <span class="actions"><button type="button" class="small" data-act="diff">查看差异</button> <button type="button" class="small" data-act="download">下载修改后的规则</button> <button type="button" class="small" data-act="revert">恢复原始规则</button></span>`;
  }
  $("#revert-rules").disabled = !dirty();
  $("#diff-rules").disabled = !dirty();
}
let diffCache = { a: null, b: null, lines: [] };
function diffLines() {
  const r = state.rules;
  if (diffCache.a !== r.original || diffCache.b !== r.source) diffCache = { a: r.original, b: r.source, lines: lineDiff(r.original, r.source) };
  return diffCache.lines;
}
/** How the edit differs, in words: 新增 2 行、删去 1 行. */
function diffWords() {
  const lines = diffLines();
  const add = lines.filter((l) => l.op === "+").length;
  const del = lines.filter((l) => l.op === "-").length;
  return [add ? `新增 ${add} 行` : "", del ? `删去 ${del} 行` : ""].filter(Boolean).join("、") || "无改动";
}

function showDiff() {
  if (!state.rules) return;
  const parts = hunks(diffLines());
  const name = basename(state.rules.name);
  $("#diff-title").textContent = `与原始规则比较：${name}`;
  $("#diff-body").innerHTML = parts.length
    ? `<p class="hint">左边两列是行号（原始 / 修改后）；<span class="del-sample">− 删去的行</span> <span class="add-sample">+ 新增的行</span></p>` +
      parts.map((h) => `<table class="diff"><tbody>${h.map((l) => `<tr class="${l.op === "+" ? "add" : l.op === "-" ? "del" : ""}"><td class="ln">${l.a ?? ""}</td><td class="ln">${l.b ?? ""}</td><td class="op">${l.op === " " ? "" : l.op === "-" ? "−" : "+"}</td><td class="line">${esc(l.text)}</td></tr>`).join("")}</tbody></table>`).join("")
    : `<p class="hint">与原始规则相同。</p>`;
  const dlg = $("#diff-dialog");
  if (!dlg.open) dlg.showModal();
}

function downloadRules() {
  if (!state.rules) return;
  download(basename(state.rules.name), new Blob([state.rules.source], { type: "text/plain;charset=utf-8" }));
}

async function revertRules() {
  if (!dirty()) return;
  const pick = await ask("恢复原始规则", `放弃对“${basename(state.rules.name)}”的全部修改（${diffWords()}），恢复原始规则？放弃前可以先下载修改后的规则。`, [
    { value: "download", label: "先下载，再恢复" }, { value: "revert", label: "放弃修改，恢复原始规则", bad: true }, { value: "cancel", label: "取消" },
  ]);
  if (pick === "cancel") return;
  if (pick === "download") downloadRules();
  state.rules.source = editor.value = state.rules.original;
  saveDraft();
  markDrafts();
  render();
  rescore();
}

/**
 * Before other rules replace the current ones: when they are an edit, says so and asks. The
 * edit is kept in the browser either way (unless discarded), and comes back with its rule set.
 * Resolves to false when the person cancels.
 */
async function leaveRules() {
  if (!dirty()) return true;
  saveDraft();
  const name = state.rules.bundled != null ? state.bundled[state.rules.bundled].title : basename(state.rules.name);
  const pick = await ask("切换规则集", `“${name}”的规则有修改（${diffWords()}）尚未下载。${state.rules.storageFailed ? "浏览器未能保存这些修改，切换后会丢失。" : "修改已保存在本浏览器中，再选这个规则集时会恢复。"}`, [
    { value: "keep", label: "保留修改并切换", primary: true },
    { value: "download", label: "下载修改后的规则，再切换" },
    { value: "discard", label: "放弃修改并切换", bad: true },
    { value: "cancel", label: "取消" },
  ]);
  if (pick === "cancel") return false;
  if (pick === "download") downloadRules();
  if (pick === "discard") store(`draft.${state.rules.key}`, null);
  return true;
}

/** A question in a dialog of the page's own: resolves to the value of the button chosen ("cancel" on Esc). */
function ask(title, text, buttons) {
  const dlg = $("#ask-dialog");
  $("#ask-title").textContent = title;
  $("#ask-text").textContent = text;
  $("#ask-buttons").innerHTML = buttons.map((b) => `<button type="button" value="${b.value}" class="${b.primary ? "primary" : ""}${b.bad ? " danger" : ""}">${esc(b.label)}</button>`).join("");
  return new Promise((resolve) => {
    const done = (value) => {
      dlg.removeEventListener("close", onClose);
      if (dlg.open) dlg.close();
      resolve(value);
    };
    const onClose = () => done("cancel");
    dlg.addEventListener("close", onClose);
    $("#ask-buttons").onclick = (e) => {
      const b = e.target.closest("button[value]");
      if (b) done(b.value);
    };
    dlg.showModal();
    ($("#ask-buttons button.primary") ?? $("#ask-buttons button"))?.focus();
  });
}

const readers = {
  async "rules-file"(file) {
    const text = await file.text();
    if (!(await leaveRules())) return;
    const draft = stored(`draft.file:${file.name}`);
    let use = null;
    if (draft?.source != null && draft.source !== text) {
      if (draft.original === text) use = draft; // the same file, edited here before: the edit comes back
      else {
        const pick = await ask("打开规则文件", `本浏览器中保存着“${file.name}”的另一份修改（${timeText(draft.savedAt)}），与刚打开的文件不同。`, [
          { value: "file", label: "使用刚打开的文件", primary: true },
          { value: "draft", label: "使用浏览器中保存的修改" },
          { value: "download", label: "下载保存的修改，再使用刚打开的文件" },
        ]);
        if (pick === "draft") use = draft;
        if (pick === "download") download(file.name, new Blob([draft.source], { type: "text/plain;charset=utf-8" }));
      }
    }
    await chooseFile(file.name, use?.original ?? text, use);
  },
  async "data-file"(file) {
    state.data = { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()), label: file.name };
    render();
    rescore();
  },
  async "units-file"(file) {
    state.units = { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
    render();
    rescore();
  },
  // Earlier results (上期、历次): a pick from the toolbar replaces those loaded; 添加 adds to them.
  async "previous-file"(...files) {
    await loadPeriods(files, false);
  },
  async "history-file"(...files) {
    await loadPeriods(files, true);
  },
  async "tables-file"(...files) {
    if (!state.rules) return;
    // Each file under the path the script names for it (by its file name), else its own name.
    const wanted = missingTables();
    const files2 = { ...(state.rules.files ?? {}) };
    for (const file of files) {
      const path = wanted.find((p) => basename(p) === file.name) ?? file.name;
      files2[path] = new Uint8Array(await file.arrayBuffer());
    }
    state.rules.files = files2;
    state.rules.filesVersion = ++filesLoaded; // page-wide: no two rule sets share a version
    render();
    rescore();
  },
  async "params-file"(file) {
    if (!state.rules) return;
    const r = await engine.send({
      type: "params-file", name: state.rules.name, source: state.rules.source,
      data: new Uint8Array(await file.arrayBuffer()), fileName: file.name,
    });
    if (r.superseded) return;
    if (r.values) {
      state.params = { ...r.values };
      if (state.failure?.stage === "params") state.failure = null;
      render();
      rescore();
    } else {
      state.failure = { stage: "params", errors: r.errors ?? [{ message: r.error ?? "参数表无法读取" }], paramsFile: file.name };
      render();
    }
  },
  async "collect-units-file"(file) {
    state.collect.units = { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
    renderCollect();
  },
  async "returns-file"(...files) {
    await mergeReturns(files);
  },
  async "cases-file"(file) {
    if (!state.rules) return;
    state.rules.cases = await file.text();
    state.rules.casesName = file.name;
    render();
  },
};

/**
 * Earlier periods' results (历次结果) from files: each read (a file that is not a result is
 * named, not loaded), then all put oldest first by file name — unless the person has ordered
 * them by hand, when the new ones go last. A file of a name already loaded replaces it.
 */
async function loadPeriods(files, add) {
  const read = [];
  const errors = [];
  for (const file of files) {
    const text = await file.text();
    try {
      const { units } = readPeriod(text);
      read.push({ fileName: file.name, label: periodLabel(file.name), text, units });
    } catch (e) {
      errors.push({ fileName: file.name, message: e.message });
    }
  }
  state.periodErrors = errors;
  if (read.length === 0) return render();
  const names = new Set(read.map((p) => p.fileName));
  const kept = add ? state.periods.filter((p) => !names.has(p.fileName)) : [];
  if (!add) state.periodsMoved = false;
  read.sort(comparePeriods);
  state.periods = state.periodsMoved ? [...kept, ...read] : [...kept, ...read].sort(comparePeriods);
  render();
  rescore();
}

/** The engine's `previous`: none, the one earlier result, or several oldest first (as `--history`). */
function previousOf(periods) {
  if (periods.length === 0) return "";
  return periods.length === 1 ? periods[0].text : periods.map((p) => p.text);
}

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
/** A grade's colour in the charts (grey for none: a veto, not ranked). */
const gradeColour = (g) => (g == null ? "#8a8f96" : GRADE_COLOURS[gradeIndex(g) ?? 2]);
const gradeChip = (g) => (g ? `<span class="grade g${gradeIndex(g) ?? "x"}">${esc(g)}</span>` : "—");

/** The parameters' values to send: those given for a parameter the rule set still declares. */
function givenParams() {
  const ids = new Set(state.paramInfo.map((p) => p.id));
  return Object.fromEntries(Object.entries(state.params).filter(([id, v]) => ids.has(id) && String(v).trim() !== ""));
}

let paramsShown = "";
/**
 * The 参数 panel: each declared parameter with the value this run uses (editable) and the one
 * the rule set writes; a parameter table loads them all. Drawn again only when what it shows
 * changes, so typing in it is never interrupted.
 */
function renderParams() {
  const info = state.paramInfo;
  const given = givenParams();
  const changed = info.filter((p) => given[p.id] != null && given[p.id] !== p.value);
  const key = JSON.stringify([info, given, state.failure?.stage === "params"]);
  if (key === paramsShown) return;
  paramsShown = key;
  if (info.length === 0) {
    $("#params").innerHTML = "";
    return;
  }
  const brief = info.map((p) => `${esc(p.label)} ${esc(given[p.id] ?? p.value)}`).join("；");
  $("#params").innerHTML = `<details class="params"${changed.length || state.failure?.stage === "params" ? " open" : ""}>
    <summary>参数（${info.length} 项${changed.length ? `，本次改了 ${changed.length} 项` : "，按规则集取值"}）：${brief}</summary>
    <p class="hint">规则中的基准值、目标值等（如上年度全省平均数）。每年公布新数后在这里填写，或载入参数表（CSV、Excel 或 JSON：第一列写参数名称，第二列写取值），不必修改规则；计分明细会注明本次所用的值。</p>
    <table class="params-table"><thead><tr><th>参数</th><th>本次取值</th><th>规则集取值</th></tr></thead><tbody>
    ${info.map((p) => `<tr><td>${esc(p.label)} <code>${esc(p.id)}</code></td>
      <td><input type="text" inputmode="decimal" data-param="${esc(p.id)}" value="${esc(given[p.id] ?? p.value)}" aria-label="${esc(p.label)}本次取值"></td>
      <td>${esc(p.value)}</td></tr>`).join("")}
    </tbody></table>
    <p><button type="button" data-pick="params-file">载入参数表…</button>
    <button type="button" id="reset-params"${Object.keys(given).length ? "" : " disabled"}>恢复规则集取值</button></p>
  </details>`;
}

function render() {
  renderStatus();
  renderParams();
  renderPeriods();
  renderNotices();
  renderDiagnostics();
  renderSummary();
  renderMovers();
  renderTable();
  renderCharts();
  // The print view of many units is drawn when it is printed (beforeprint), not on every change.
  if (state.result?.batch) $("#print-report").innerHTML = "";
  else renderPrint();
  renderButtons();
  renderDraftBar();
  $("#editor-name").textContent = state.rules?.name ?? "";
  $("#cases-source").textContent = state.rules?.cases ? `用例：${basename(state.rules.casesName)}` : "此规则集没有测试用例，请打开 *.cases.json 用例文件";
  $("#run-cases").disabled = !state.rules?.cases;
}

/** Exports and printing: for a result on screen, and not while a new one is being computed. */
function renderButtons() {
  const ok = !!state.result && !state.running;
  for (const id of ["export-xlsx", "export-csv", "export-json", "print"]) $(`#${id}`).disabled = !ok;
}

function renderStatus() {
  const tables = Object.keys(state.rules?.files ?? {});
  $("#status-rules").textContent = state.rules ? `规则：${basename(state.rules.name)}${state.rules.source !== state.rules.original ? "（已修改）" : ""}${tables.length ? `，附表 ${tables.map(basename).join("、")}` : ""}` : "";
  const names = { spreadsheet: "电子表格", GB18030: "GBK/GB18030 编码", "UTF-8": "UTF-8 编码" };
  const e = state.result?.encoding;
  const enc = e ? `，${names[e] ?? `${e} 编码`}` : "";
  const count = state.result?.report ? `，${state.result.report.units.length.toLocaleString("zh-CN")} 个单位` : "";
  // The data behind the table on screen — never a newer file's name over an older table.
  const shown = state.result?.request.label;
  const pending = state.data && state.data.label !== shown ? state.data.label : null;
  $("#status-data").textContent = shown
    ? `数据：${shown}${enc}${count}${pending ? `（${state.failure?.label === pending ? (state.failure.stopped ? "已停止载入" : "未能载入") : "正在载入"} ${pending}）` : ""}`
    : state.data ? `数据：${state.data.label}${state.failure ? "" : "（计算中）"}` : "数据：未载入";
  $("#pick-units").hidden = !state.survey;
  $("#status-units").innerHTML = state.units && state.survey
    ? `单位名单：${esc(state.units.fileName)} <button type="button" class="small" id="clear-units">清除</button>` : "";
  const resp = state.result?.respondents;
  $("#status-survey").textContent = resp
    ? `答卷 ${resp.respondents.toLocaleString("zh-CN")} 份，计入 ${resp.counted.toLocaleString("zh-CN")} 份，${resp.units} 个单位${resp.short_units ? `，其中 ${resp.short_units} 个样本不足` : ""}` : "";
  const periods = state.periods;
  $("#status-previous").innerHTML = periods.length === 1
    ? `上期：${esc(periods[0].fileName)} <button type="button" class="small" id="clear-previous">清除</button>`
    : periods.length > 1 ? `历次结果 ${periods.length} 期，上期：${esc(periods.at(-1).fileName)} <button type="button" class="small" id="clear-previous">清除</button>` : "";
}

let periodsShown = "";
let periodsCount = 0;
/**
 * The earlier periods loaded (历次结果), oldest first, with how they were put in order, a way
 * to move one, to remove one, to add more and to clear them all. Drawn again only when what it
 * shows changes (so that its folding stays as the person left it).
 */
function renderPeriods() {
  const list = state.periods;
  const errors = state.periodErrors;
  const key = JSON.stringify([list.map((p) => p.fileName), state.periodsMoved, errors]);
  if (key === periodsShown) return;
  const wasOpen = $("#periods details")?.open;
  const more = list.length > periodsCount; // periods added: the list opens to show them
  periodsCount = list.length;
  periodsShown = key;
  let html = "";
  if (errors.length) {
    html += `<div class="notice bad period-errors">${errors.map((e) => `“${esc(e.fileName)}”未载入：${esc(e.message)}`).join("<br>")}</div>`;
  }
  if (list.length) {
    const names = list.map((p, i) => `${esc(p.label)}${i === list.length - 1 ? "（上期）" : ""}`).join(" → ");
    html += `<details class="periods"${list.length > 1 && (more || wasOpen !== false) ? " open" : wasOpen ? " open" : ""}>
      <summary>${list.length > 1 ? `历次结果（${list.length} 期，由早到晚）` : "上期结果"}：${names} → 本期</summary>
      <p class="hint">${state.periodsMoved ? "已手动调整顺序；" : "按文件名排序："}${state.periodsMoved ? "" : "年、月、季度等按数字先后（“一、二、三”也按数字），“上半年”在“下半年”之前，如“2024年上半年.json”在“2024年下半年.json”之前。"}最后一个为上期，与本期比较名次变化和分差；多期时计算各单位的历次趋势和“连续 N 期”的结果运用。顺序不对时用 ↑ ↓ 调整。</p>
      <ol class="period-list">${list.map((p, i) => `<li data-period="${i}"><span class="period-name">${esc(p.label)}</span>${i === list.length - 1 ? ` <span class="chip">上期</span>` : ""}
        <span class="muted">${esc(p.fileName)} · ${p.units.size} 个单位</span>
        <span class="period-acts"><button type="button" class="small" data-period-act="up"${i === 0 ? " disabled" : ""} aria-label="上移 ${esc(p.label)}">↑</button><button type="button" class="small" data-period-act="down"${i === list.length - 1 ? " disabled" : ""} aria-label="下移 ${esc(p.label)}">↓</button><button type="button" class="small" data-period-act="remove" aria-label="移除 ${esc(p.label)}">移除</button></span></li>`).join("")}</ol>
      <p><button type="button" data-pick="history-file">添加往期结果…</button> <button type="button" id="clear-periods">全部清除</button></p>
    </details>`;
  }
  $("#periods").innerHTML = html;
}

/** ↑ ↓ and 移除 on an earlier period: the order is then the person's own. */
function movePeriod(i, act) {
  const list = state.periods.slice();
  if (act === "remove") list.splice(i, 1);
  else {
    const j = act === "up" ? i - 1 : i + 1;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    state.periodsMoved = true;
  }
  state.periods = list;
  if (list.length === 0) state.periodsMoved = false;
  render();
  rescore();
}

function clearPeriods() {
  state.periods = [];
  state.periodsMoved = false;
  state.periodErrors = [];
  render();
  rescore();
}

/**
 * A message from the engine — an error, a test case's failure, a coverage gap — as { code,
 * message, help }: the catalogue's objects, and plain text as older engines give it. The
 * placeholder code of a message not yet in the catalogue (K0000) is not shown.
 */
function problemOf(x) {
  if (x == null) return { code: "", message: "", help: "" };
  if (typeof x !== "object") return { code: "", message: String(x), help: "" };
  return { ...x, code: x.code && x.code !== "K0000" ? x.code : "", message: x.message ?? "", help: x.help ?? "" };
}
const codeChip = (code) => (code ? `<code class="err-code">${esc(code)}</code>` : "");
const helpLine = (help) => (help ? `<span class="help"><b>怎么改：</b>${esc(help)}</span>` : "");
const atLine = (loc) => (loc?.line ? `第 ${loc.line} 行第 ${loc.column} 列` : "");
/** The unit an evaluation error is about: name and code, and how many units more. */
function unitOf(e) {
  const who = e.unit_name && e.unit ? `单位“${e.unit_name}”（${e.unit}）` : e.unit ? `单位 ${e.unit}` : "";
  return `${who}${e.units > 1 ? `等 ${e.units} 个单位` : ""}`;
}

let filesLoaded = 0; // loads of 规则附表 so far, on any rule set: the worker's key for them

/** The files the rules name beside themselves that are not loaded (R0415: 找不到规则附表“…”). */
function missingTables() {
  return ruleProblems().filter((e) => e.code === "R0415").map((e) => /找不到规则附表“(.+?)”/.exec(e.message ?? "")?.[1]).filter(Boolean);
}

/** Rule-side problems (compile errors, run-time errors, a stopped worker) for the editor. */
function ruleProblems() {
  const f = state.failure;
  if (!f) return [];
  if (f.stopped) {
    // The page's own watchdog (not the engine's limits, which come with their code).
    return [{ message: f.stopped === "timeout"
      ? `规则运行超过 ${TIMEOUT_MS / 1000} 秒仍未结束，已强制停止（可能是死循环或运算量过大）`
      : f.stopped === "stalled" ? "计算长时间没有进展，已停止（数据量很大时可以重试，或检查规则中是否有很慢的计算）"
      : "已停止计算", help: f.stopped === "user" ? "重新载入数据或修改规则后会再次计分" : "修改规则后会自动重新计分" }];
  }
  if (f.stage === "rules" || f.stage === "eval" || f.stage === "internal") return f.errors;
  return [];
}

function renderNotices() {
  const f = state.failure;
  let html = "";
  if (f && state.result) {
    const what = f.stage === "params" ? "参数有误" : f.stage === "data" || f.stage === "previous" ? `${f.label ? `数据 ${esc(f.label)} ` : "数据"}有错误` : f.stopped === "user" ? "计算已停止" : "规则有错误或运行被停止";
    html += `<div class="notice warn">${what}，下表仍是上一次成功计算的结果。${ruleProblems().length ? ' <button type="button" class="link" data-goto-tab="editor">查看规则问题</button>' : ""}</div>`;
  } else if (f && ruleProblems().length) {
    html += `<div class="notice bad">规则有错误，无法计分。 <button type="button" class="link" data-goto-tab="editor">查看规则问题</button></div>`;
  }
  if (f?.stage === "params") {
    html += `<div class="notice bad params-errors">参数有误，未按这些值计分（${f.paramsFile ? `参数表 ${esc(f.paramsFile)}，` : ""}共 ${f.errors.length} 处）：<ul>${f.errors.map(problemOf).map((e) => `<li>${codeChip(e.code)} ${esc(placeOf(e))} ${esc(e.message)}${e.help ? `<span class="help"><b>怎么改：</b>${esc(e.help)}</span>` : ""}</li>`).join("")}</ul></div>`;
  }
  if (f?.stage === "previous") {
    html += `<div class="notice bad">${state.periods.length > 1 ? "历次结果文件" : "上期结果文件"}无法使用：${f.errors.map(problemOf).map((e) => `${codeChip(e.code)} ${esc(e.message)}${e.help ? `（${esc(e.help)}）` : ""}`).join("；")}</div>`;
  }
  const dataErrors = f?.stage === "data" ? f.errors : state.result && !f ? state.result.dataErrors : [];
  if (dataErrors.length) {
    const skipped = new Set(dataErrors.filter((e) => e.row > 0).map((e) => e.row)).size;
    const lead = f?.stage === "data"
      ? `数据有 ${dataErrors.length} 处错误，无法计分。请按下表修改数据文件后重新载入：`
      : `数据有 ${dataErrors.length} 处错误，涉及 ${skipped} 行，这些行未参与计分，其余单位照常计分。请按下表修改数据后重新载入：`;
    html += `<div class="notice bad data-errors"><div class="notice-head"><span>${lead}</span>
      <button type="button" class="small" id="copy-data-errors">复制错误清单</button></div>
      <div class="errors-wrap"><table class="errors"><thead><tr><th>代码</th><th>位置</th><th>问题</th><th>怎么改</th></tr></thead><tbody>
      ${dataErrors.slice(0, ERRORS_SHOWN).map(problemOf).map((e) => `<tr><td class="c-code" data-label="代码">${codeChip(e.code)}</td><td class="c-place" data-label="位置">${esc(placeOf(e))}</td>
        <td class="c-message" data-label="问题">${esc(e.message)}</td><td class="c-help" data-label="怎么改">${esc(e.help)}</td></tr>`).join("")}
      </tbody></table></div>${dataErrors.length > ERRORS_SHOWN ? `<p class="hint">只列出前 ${ERRORS_SHOWN} 处，另有 ${dataErrors.length - ERRORS_SHOWN} 处；“复制错误清单”可复制全部。</p>` : ""}</div>`;
  }
  if (state.result && !f && state.result.ignoredColumns.length) {
    html += `<details class="notice quiet"><summary>数据中有 ${state.result.ignoredColumns.length} 列未被规则使用</summary>${esc(state.result.ignoredColumns.join("、"))}</details>`;
  }
  if (!state.data && state.rules) html += `<div class="notice">请载入数据文件（CSV、Excel 或 JSON），也可以把文件拖到页面上。</div>`;
  $("#notices").innerHTML = html;
}

/** One rule problem (error or warning) in the list: code, place, unit, words, fix; a click goes to it. */
function problemItem(e) {
  // A place in the script moves the editor there; one in a workbook beside it (规则附表) does not.
  const inScript = !e.location?.file || e.location.file === state.rules?.name;
  const at = e.location?.line && inScript ? `data-line="${e.location.line}" data-column="${e.location.column}"` : "";
  const file = e.location?.file && e.location.file !== state.rules?.name ? `${esc(basename(e.location.file))} ` : "";
  const loc = atLine(e.location);
  return `<li><button type="button" class="problem" ${at}>${e.code || loc ? `<span class="where">${codeChip(e.code)}${loc ? `<span class="loc">${file}${loc}</span>` : ""}</span>` : ""}
    ${e.unit ? `<span class="who">${esc(unitOf(e))}${e.rule ? ` · 规则“${esc(e.rule)}”` : ""}</span>` : ""}
    <span class="msg">${esc(e.message)}</span>${helpLine(e.help)}</button></li>`;
}

function renderDiagnostics() {
  const probs = ruleProblems();
  const warnings = probs.length ? [] : state.warnings;
  const badge = $("#rule-badge");
  badge.hidden = probs.length + warnings.length === 0;
  badge.textContent = probs.length || warnings.length;
  badge.classList.toggle("warn", probs.length === 0);
  const marks = (list, warning) => list.filter((e) => e.location && e.location.file === state.rules?.name).map(problemOf)
    .map((e) => ({ line: e.location.line, column: e.location.column, warning, message: `${warning ? "警告：" : ""}${e.code ? `[${e.code}] ` : ""}${e.message}${e.help ? `\n怎么改：${e.help}` : ""}` }));
  editor.setErrors([...marks(probs, false), ...marks(warnings, true)]);
  let html = "";
  if (warnings.length) {
    html = `<p class="warn">规则可以计分，但有 ${warnings.length} 处警告：</p><ul class="problems warnings">` +
      warnings.map(problemOf).map(problemItem).join("") + "</ul>";
  }
  if (probs.length) {
    html = `<p class="bad">${state.failure?.stage === "eval" ? "规则运行出错" : state.failure?.stopped ? "计算已停止" : "规则有错误"}（${probs.length} 处）：</p><ul class="problems">` +
      probs.map(problemOf).map(problemItem).join("") + "</ul>";
    const tables = missingTables();
    if (tables.length) {
      html += `<p>规则要读取附表 ${tables.map((t) => `“${esc(t)}”`).join("、")}：<button type="button" data-pick="tables-file" class="primary">载入规则附表…</button></p>`;
    }
  } else if (state.result) {
    const r = state.result.report;
    const top = r.units.find((u) => u.rank === 1);
    html += `<p class="good">✓ 规则已编译并重新计分：${r.units.length} 个单位${top ? `，第 1 名 ${esc(top.name)} ${esc(top.total_display ?? "")}` : ""}。</p>`;
    const info = state.result.info;
    html += `<dl class="facts"><dt>规则集</dt><dd>${esc(info.title)}（${esc(info.id)}）</dd>
      <dt>字段</dt><dd>${info.fields.length} 个</dd><dt>指标</dt><dd>${info.items.length} 项</dd>
      <dt>一票否决</dt><dd>${info.vetoes.map((v) => esc(v.label)).join("、") || "无"}</dd>
      <dt>等次</dt><dd>${info.grades.map(esc).join("、") || "无"}</dd>
      <dt>结果运用</dt><dd>${info.consequences.map(esc).join("、") || "无"}</dd></dl>`;
  } else {
    html += `<p class="hint">尚未计分。</p>`;
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
  const scale = rs.base != null ? `基础分 ${rs.base} 分，按扣分项扣减，可低于 0 分` : rs.bonus_max ? `基础分 ${rs.max} 分，加分上限 ${rs.bonus_max} 分` : `满分 ${rs.max} 分`;
  const left = leftOut();
  let html = `<div class="title-row"><h1>${esc(rs.title)}</h1><span class="hint">${esc(scale)} · 共 ${r.units.length} 个单位${left ? `参与计分，<span class="bad">另有 ${left} 个单位因数据错误未计分</span>` : ""}</span></div><div class="cards">`;
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
  // While the rules are an edit (谁变了), rank and total are coloured by their change against the
  // original rules, and a column says by how much; the cells themselves keep their plain figures.
  const cols = [{ key: "rank", label: "名次", num: true, value: (u) => u.rank, cell: (u) => u.rank ?? "—", cls: (u) => moveClass(moverOf(u)?.rank_change) }];
  if (report.cohorts.length > 1) cols.push({ key: "cohort", label: "组别", value: (u) => u.cohort, cell: (u) => esc(u.cohort) });
  cols.push(
    { key: "name", label: "单位", value: (u) => u.name, cell: (u) => `<button type="button" class="link unit-link" data-unit="${esc(u.id)}">${esc(u.name)}</button>` },
    { key: "total", label: "总分", num: true, value: (u) => u.total, cell: (u) => (u.total_display != null ? esc(u.total_display) : `<span class="muted">—</span>`), cls: (u) => moveClass(moverOf(u)?.total_change) },
    { key: "grade", label: "等次", value: (u) => u.grade, cell: (u) => movedGrade(u, gradeChip(u.grade)) },
  );
  if (moversShown() && units.some((u) => changed(moverOf(u)))) {
    cols.push({ key: "moved", label: "较原规则", num: true, value: (u) => (moverOf(u)?.total_change == null ? null : Number(moverOf(u).total_change)), cell: movedCell });
  }
  if (withPrevious() || any((u) => u.previous_rank != null)) {
    if (any((u) => u.previous_total != null)) {
      cols.push(
        { key: "prevtotal", label: "上期得分", num: true, value: (u) => (u.previous_total == null ? null : Number(u.previous_total)), cell: (u) => (u.previous_total == null ? `<span class="muted">—</span>` : esc(fixed(u.previous_total))) },
        { key: "diff", label: "分差", num: true, value: (u) => (u.total_change == null ? null : Number(u.total_change)), cell: totalChange },
      );
    }
    cols.push({ key: "change", label: "名次变化", num: true, value: (u) => u.rank_change, cell: rankChange });
  }
  if (any((u) => u.state)) cols.push({ key: "state", label: "状态", value: (u) => stateStatus(u), cell: (u) => esc(stateStatus(u) ?? "—") });
  for (const m of state.result.info.metrics) {
    if (!any((u) => metricOf(u, m.id)?.value != null)) continue;
    cols.push({
      key: `m:${m.id}`, label: m.label, num: true, value: (u) => metricOf(u, m.id)?.value,
      cell: (u) => { const x = metricOf(u, m.id); return x?.display != null ? `${esc(x.display)}${x.rank != null ? ` <span class="muted">（${x.rank}）</span>` : ""}${sampleLine(x.sample)}` : "—"; },
    });
  }
  cols.push(
    { key: "veto", label: "一票否决", value: (u) => u.vetoes.map((v) => v.label).join("、"), cell: (u) => (u.vetoes.length ? `<span class="veto">${u.vetoes.map((v) => esc(v.label)).join("、")}</span>` : "") },
    { key: "cons", label: "处理结果", value: (u) => u.consequences.map((c) => c.name).join("、"), cell: (u) => u.consequences.map((c) => `<span class="cons" title="${esc(c.reason)}">${esc(c.name)}</span>`).join(" ") },
  );
  // 备注: why a grade or rank is not what the total alone gives (a veto, a prerequisite, a quota).
  if (any((u) => u.remarks?.length)) {
    cols.push({ key: "remarks", label: "备注", value: (u) => (u.remarks ?? []).join("；"), cell: (u) => (u.remarks ?? []).map(esc).join("；") });
  }
  return cols;
}
const metricOf = (u, id) => u.metrics?.find((m) => m.id === id);
/** A survey index's sample under its value: n, the 95 % interval, 样本不足 in colour; notes on hover. */
function sampleLine(s) {
  if (!s) return "";
  const notes = (s.notes ?? []).join("；");
  return `<br><span class="sample${s.short ? " short" : ""}" title="${esc(notes)}">n = ${s.n.toLocaleString("zh-CN")}${intervalText(s)}${s.short ? " · 样本不足" : ""}${s.below?.within_margin ? " · 与下一名差距在误差范围内" : ""}</span>`;
}
const intervalText = (s) => (s.low != null && s.high != null ? `，95% 区间 ${s.low}–${s.high}` : "");
/** Units (data rows) left out of the result on screen for data errors. */
const leftOut = () => excludedUnits(state.result?.dataErrors).rows.length;
/** Whether the result on screen was computed with last period's result — not whether one has
 * just been chosen: until the new result arrives, the old one must not show its units as 新. */
const withPrevious = () => Boolean(state.result?.request?.previous);
const stateStatus = (u) => (u.state && typeof u.state === "object" ? (u.state.status ?? null) : null);
function totalChange(u) {
  if (u.total_change == null) return `<span class="muted">—</span>`;
  const text = signed(u.total_change, fixed);
  return `<span class="${text.startsWith("+") ? "up" : text.startsWith("−") ? "down" : "muted"}">${esc(text)}</span>`;
}
function rankChange(u) {
  if (u.rank_change == null) return u.rank != null && u.previous_rank == null && withPrevious() ? `<span class="muted">新</span>` : "—";
  if (u.rank_change > 0) return `<span class="up" title="上期第 ${u.previous_rank} 名">↑${u.rank_change}</span>`;
  if (u.rank_change < 0) return `<span class="down" title="上期第 ${u.previous_rank} 名">↓${-u.rank_change}</span>`;
  return `<span class="muted" title="上期第 ${u.previous_rank} 名">持平</span>`;
}

// Sorting and filtering many units: each column's order is computed once per result (text by
// a collation key made once per distinct character), filters run over a cached lowercase text.
let orderCache = { result: null, orders: new Map() };
function sortedOrder(col, dir) {
  const r = state.result;
  if (orderCache.result !== r) orderCache = { result: r, orders: new Map() };
  const key = `${col.key}:${dir}`;
  const hit = orderCache.orders.get(key);
  if (hit) return hit;
  const units = r.report.units;
  const raw = units.map((u) => col.value(u));
  const blank = (x) => x == null || x === "";
  const numeric = raw.every((x) => blank(x) || typeof x === "number");
  const idx = [];
  const blanks = [];
  raw.forEach((x, i) => (blank(x) ? blanks : idx).push(i));
  let sorted;
  if (numeric) {
    sorted = idx.sort((i, j) => (raw[i] - raw[j]) * dir || i - j);
  } else {
    // Text: the collation key with the position after it (input order among equals, either
    // way), sorted by the engine's own string order — no comparator called from JavaScript.
    const keys = col.key === "name" ? nameKeys(units) : collationKeys(raw.map((x) => (blank(x) ? "" : String(x))));
    const n = units.length;
    const tagged = idx.map((i) => `${keys[i]}\u0000${String(dir > 0 ? i : n - i).padStart(8, "0")}`).sort();
    if (dir < 0) tagged.reverse();
    sorted = tagged.map((t) => (dir > 0 ? +t.slice(-8) : n - t.slice(-8)));
  }
  const order = Int32Array.from(sorted.concat(blanks)); // blanks last either way
  orderCache.orders.set(key, order);
  return order;
}
/** A sort order the worker made for a batch result (names: zh-CN order), kept for both directions. */
const pendingOrders = new Map(); // request id → message, for a result not shown yet
function takeOrder(m) {
  const r = state.result;
  if (r?.request.id !== m.id) {
    pendingOrders.clear();
    pendingOrders.set(m.id, m);
    return;
  }
  const units = r.report.units;
  const pos = new Int32Array(units.length);
  units.forEach((u, k) => (pos[u.idx] = k));
  const asc = m.order.map((i) => pos[i]);
  if (orderCache.result !== r) orderCache = { result: r, orders: new Map() };
  orderCache.orders.set(`${m.key}:1`, asc);
  orderCache.orders.set(`${m.key}:-1`, asc.slice().reverse());
}

/** The collation keys of the units' names, made once per result (in idle time for big ones). */
function nameKeys(units) {
  if (units.nameKeys?.length === units.length) return units.nameKeys;
  return (units.nameKeys = collationKeys(units.map((u) => u.name)));
}
/** After a big result is shown: the filter text made in slices, before it is asked for (the name order comes from the worker). */
async function prepare(result) {
  const units = result.report.units;
  for (let i = 0; i < units.length; i += 5000) {
    await nextTask();
    if (state.result !== result) return;
    for (const u of units.slice(i, i + 5000)) haystack(u);
  }
}
let collator;
/** Strings whose plain comparison follows zh-CN collation (pinyin), character by character. */
function collationKeys(strings) {
  const chars = new Set();
  for (const s of strings) for (const ch of s) chars.add(ch);
  const code = collationCodes(chars);
  return strings.map((s) => keyOf(s, code));
}
/** Each character's place in zh-CN order, as one character (from U+0100). */
function collationCodes(chars) {
  collator ??= new Intl.Collator("zh-CN");
  return new Map([...chars].sort(collator.compare).map((ch, i) => [ch, String.fromCharCode(0x100 + Math.min(i, 0xd000))]));
}
function keyOf(s, code) {
  let k = "";
  for (const ch of s) k += code.get(ch);
  return k;
}
const haystack = (u) => (u.hay ??= `${u.name}\u0001${u.id}\u0001${u.grade ?? ""}\u0001${stateStatus(u) ?? ""}${u.consequences.map((c) => `\u0001${c.name}`).join("")}${u.vetoes.map((v) => `\u0001${v.label}`).join("")}`.toLowerCase());

function visibleUnits() {
  const r = state.result.report;
  const { text, grade, cohort, sort, dir } = state.view;
  const needle = text.trim().toLowerCase();
  const moved = state.view.moved && moversShown() ? state.movers.byId : null;
  const pass = (u) => (!grade || u.grade === grade) && (!cohort || u.cohort === cohort) && (!needle || haystack(u).includes(needle)) && (!moved || changed(moved.get(u.id)));
  const col = sort ? columns(r, r.units).find((c) => c.key === sort) : null;
  if (!col) return !grade && !cohort && !needle && !moved ? r.units : r.units.filter(pass);
  const order = sortedOrder(col, dir);
  const out = [];
  for (const i of order) if (pass(r.units[i])) out.push(r.units[i]);
  return out;
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
  const virtual = units.length > VIRTUAL_MIN;
  vt.units = units;
  vt.cols = cols;
  vt.first = -1;
  $(".scroll-x").classList.toggle("virtual", virtual);
  table.classList.toggle("virtual", virtual);
  table.innerHTML = `<thead><tr>${cols.map((c) => `<th scope="col" class="${c.num ? "num" : ""}${c.key.startsWith("m:") ? " metric" : ""}" aria-sort="${sort === c.key ? (dir > 0 ? "ascending" : "descending") : "none"}">
      <button type="button" class="sort" data-sort="${c.key}">${esc(c.label)}<span class="arrow">${sort === c.key ? (dir > 0 ? "▲" : "▼") : ""}</span></button></th>`).join("")}</tr></thead>
    <tbody>${virtual ? "" : units.map(rowHtml).join("")}</tbody>`;
  if (virtual) {
    $(".scroll-x").scrollTop = 0; // a new list starts at its top
    paintRows();
  }
  // The phone's cards have no header row to click: a list of the same sorts.
  const sorts = cols.flatMap((c) => (c.key === "rank" ? [[`rank 1`, "按名次"]] : [[`${c.key} -1`, `${c.label}（从高到低）`], [`${c.key} 1`, `${c.label}（从低到高）`]]))
    .filter(([k]) => !/^(veto|cons|remarks|state) /.test(k));
  const sortSel = $("#sort-select");
  const want = sorts.map(([k, l]) => `<option value="${esc(k)}">${esc(l)}</option>`).join("");
  if (sortSel.dataset.html !== want) {
    sortSel.dataset.html = want;
    sortSel.innerHTML = want;
  }
  sortSel.value = sort ? `${sort} ${dir}` : "rank 1";
  // Many columns (metrics): the charts move below the table.
  $(".result-grid").classList.toggle("wide", cols.length > 9);
  const left = leftOut();
  $("#filter-count").textContent = (units.length === r.units.length ? `共 ${units.length} 个单位` : `显示 ${units.length} / ${r.units.length} 个单位`) + (left ? `（另有 ${left} 个因数据错误未计分）` : "");
}

// The rows of a large table: only those in view (and a screenful either side) are in the page,
// between two spacer rows that keep the scroll height.
const ROW_H = 34;
const CARD_H = 132; // a unit's card on a phone (style.css: --card-h)
const rowH = () => (phone.matches ? CARD_H : ROW_H);
const vt = { units: [], cols: [], first: -1 };
const rowHtml = (u) => `<tr data-unit="${esc(u.id)}"${u.idx != null ? ` data-idx="${u.idx}"` : ""} class="${u.vetoed ? "vetoed" : ""}${changed(moverOf(u)) ? " moved" : ""}">${vt.cols.map((c) => `<td class="${c.num ? "num" : ""} c-${c.key.replace(/:.*/, "")}${c.cls ? ` ${c.cls(u)}` : ""}" data-label="${esc(c.label)}">${c.cell(u)}</td>`).join("")}</tr>`;
function paintRows() {
  const wrap = $(".scroll-x");
  if (!wrap.classList.contains("virtual")) return;
  const h = rowH();
  const view = Math.ceil(Math.max(wrap.clientHeight, window.innerHeight * 0.7, 300) / h);
  const first = Math.max(0, Math.floor(wrap.scrollTop / h) - view);
  if (first === vt.first) return;
  vt.first = first;
  const slice = vt.units.slice(first, first + 3 * view);
  const tbody = $("#result-table tbody");
  tbody.innerHTML = `<tr class="spacer" aria-hidden="true"></tr>${slice.map(rowHtml).join("")}<tr class="spacer" aria-hidden="true"></tr>`;
  tbody.firstChild.style.height = `${first * h}px`;
  tbody.lastChild.style.height = `${Math.max(vt.units.length - first - slice.length, 0) * h}px`;
}

// ───────────────────────── charts (SVG) ─────────────────────────

function renderCharts() {
  if (!state.result) {
    $("#bar-chart").innerHTML = $("#histogram").innerHTML = $("#rollups").innerHTML = "";
    renderTrends();
    return;
  }
  const r = state.result.report;
  const units = vt.units;
  const grades = state.result.info.grades;
  if (units.length > BARS_MAX) {
    // Many units: how many in each grade, not a bar per unit.
    const counts = new Map(grades.map((g) => [g, 0]));
    let vetoed = 0;
    for (const u of units) {
      if (u.vetoed) vetoed++;
      if (u.grade != null) counts.set(u.grade, (counts.get(u.grade) ?? 0) + 1);
    }
    const rowsOf = [...counts].concat(vetoed ? [["一票否决", vetoed]] : []);
    const most = Math.max(1, ...rowsOf.map(([, n]) => n));
    const W = 360, L = 70, R = 120, H = 26;
    let svg = `<svg viewBox="0 0 ${W} ${rowsOf.length * H + 6}" role="img" aria-label="各等次单位数" class="chart grade-summary">`;
    rowsOf.forEach(([g, n], i) => {
      const y = i * H;
      const w = Math.max(((W - L - R) * n) / most, n ? 1 : 0);
      const fill = g === "一票否决" ? "#777" : GRADE_COLOURS[gradeIndex(g) ?? 2];
      svg += `<text x="${L - 6}" y="${y + 17}" text-anchor="end" class="label">${esc(g)}</text><rect x="${L}" y="${y + 4}" width="${w}" height="${H - 8}" rx="2" fill="${fill}"><title>${esc(g)}：${n} 个单位</title></rect><text x="${L + w + 4}" y="${y + 17}" class="value">${n.toLocaleString("zh-CN")}（${((100 * n) / units.length).toFixed(1)}%）</text>`;
    });
    $("#bar-chart").innerHTML = `${svg}</svg><p class="hint">共 ${units.length.toLocaleString("zh-CN")} 个单位，按等次统计</p>`;
  }
  let most = 0;
  for (const u of units) if (u.total != null && u.total > most) most = u.total;
  const top = Math.max(r.rule_set.max + (r.rule_set.bonus_max ?? 0), most);
  // Bars of totals, one row per unit, in the table's order.
  const W = 360, L = 104, R = 46, H = 20;
  const x = (v) => L + ((W - L - R) * Math.max(v, 0)) / top;
  let svg = `<svg viewBox="0 0 ${W} ${units.length * H + 22}" role="img" aria-label="各单位总分条形图" class="chart">`;
  for (let v = 0; v <= top; v += top > 50 ? 20 : 10) {
    svg += `<line x1="${x(v)}" x2="${x(v)}" y1="0" y2="${units.length * H}" class="grid"/><text x="${x(v)}" y="${units.length * H + 14}" class="axis" text-anchor="middle">${v}</text>`;
  }
  if (units.length <= BARS_MAX) units.forEach((u, i) => {
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
  svg += `<div class="legend">${grades.map((g) => `${gradeChip(g)}`).join(" ")}</div>`;
  if (units.length <= BARS_MAX) $("#bar-chart").innerHTML = units.length ? svg : `<p class="hint">没有符合筛选条件的单位</p>`;

  // Histogram of totals in 10-point bins.
  const totals = [];
  let tmin = Infinity, tmax = -Infinity;
  for (const u of units) {
    if (u.total == null) continue;
    totals.push(u.total);
    if (u.total < tmin) tmin = u.total;
    if (u.total > tmax) tmax = u.total;
  }
  if (totals.length) {
    const lo = Math.min(Math.floor(tmin / 10) * 10, 60);
    const hi = Math.max(Math.ceil(tmax / 10) * 10, lo + 10);
    const bins = [];
    for (let b = lo; b < hi; b += 10) bins.push({ from: b, to: b + 10, n: 0 });
    for (const t of totals) {
      // the last bin holds its upper end: 100 counts in 90–100
      const k = Math.min(Math.floor((t - lo) / 10), bins.length - 1);
      if (k >= 0) bins[k].n++;
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
  renderTrends();
}

// ───────────────────────── trends over the periods (历次趋势) ─────────────────────────
// With earlier results loaded, each unit's total, rank and grade period by period: a chart in
// its panel, and here one small chart per unit (small multiples) of its rank, on one scale, in
// the table's order and filter — at most TRENDS_MAX units, or the most risen or fallen first.

const moveMark = (span) => (span == null ? "" : span.change > 0 ? `<span class="up">↑${span.change}</span>` : span.change < 0 ? `<span class="down">↓${-span.change}</span>` : `<span class="muted">持平</span>`);

function renderTrends() {
  const el = $("#trends");
  const res = state.result;
  const periods = res?.periods ?? [];
  if (!res || periods.length === 0) {
    el.hidden = true;
    el.innerHTML = "";
    return;
  }
  const sort = state.view.trendSort;
  const all = vt.units;
  let shown;
  if (sort) {
    // The most risen (or fallen) from the first period to this one first; the unranked last.
    const spans = all.map((u, i) => ({ u, i, span: rankSpan(trendPoints(u, periods)) }));
    const by = (s) => (s.span == null ? -Infinity : sort === "up" ? s.span.change : -s.span.change);
    shown = spans.sort((a, b) => by(b) - by(a) || a.i - b.i).slice(0, TRENDS_MAX).map((s) => s.u);
  } else {
    shown = all.slice(0, TRENDS_MAX);
  }
  const cards = shown.map((u) => ({ u, points: trendPoints(u, periods) }));
  let most = 2;
  for (const c of cards) for (const p of c.points) if (p.rank != null && p.rank > most) most = p.rank;
  const labels = periods.map((p) => esc(p.label)).join("、");
  el.hidden = false;
  el.innerHTML = `<div class="trends-head"><h2 id="trends-title">历次趋势总览</h2>
      <select id="trend-sort" aria-label="趋势总览的顺序">
        <option value=""${sort === "" ? " selected" : ""}>按表格顺序</option>
        <option value="up"${sort === "up" ? " selected" : ""}>名次上升最多在前</option>
        <option value="down"${sort === "down" ? " selected" : ""}>名次下降最多在前</option>
      </select></div>
    <p class="hint">${periods.length} 个往期（${labels}）和本期，由早到晚。每格一个单位的名次走势：线越高名次越靠前，各格纵轴相同（第 1 至第 ${most} 名），末点为本期、按等次着色；↑↓ 为从第一期到本期的名次变化。点击单位名称查看计分明细和趋势图。</p>
    ${cards.length ? `<ol class="trend-grid">${cards.map(({ u, points }) => {
      const span = rankSpan(points);
      const first = points.find((p) => p.total != null);
      const caption = [
        span ? `第 ${span.from} → ${span.to} 名` : u.rank != null ? `第 ${u.rank} 名` : "未排名",
        first && !first.now && u.total_display != null ? `${esc(fixed(first.total))} → ${esc(fixed(u.total_display))} 分` : "",
      ].filter(Boolean).join(" · ");
      return `<li class="trend-card" data-unit-card="${esc(u.id)}"><div class="trend-card-head"><button type="button" class="link unit-link" data-unit="${esc(u.id)}" title="${esc(u.name)}">${esc(u.name)}</button> ${moveMark(span)}</div>
        ${sparkline(points, { colour: gradeColour, most })}<div class="trend-caption">${caption}</div></li>`;
    }).join("")}</ol>` : `<p class="hint">没有符合筛选条件的单位</p>`}
    ${all.length > TRENDS_MAX ? `<p class="hint trends-bound">只显示 ${TRENDS_MAX} 个单位（${sort ? "名次变化最大的" : "按表格当前的筛选和排序，前"} ${TRENDS_MAX} 个，共 ${all.length.toLocaleString("zh-CN")} 个）；用上方的筛选或排序查看其他单位，或导出 Excel 的“历次趋势”表。</p>` : ""}`;
}

/** A unit's trend in its panel: the chart, the ranks in words, and each period's figures. */
function trendHtml(u, points) {
  const cohort = state.result.report.cohorts.find((c) => c.name === u.cohort);
  return `<section class="trend-panel" id="unit-trend"><h3>历次趋势 <span class="hint">（${points.length - 1} 个往期和本期，由早到晚）</span></h3>
    <div class="trend-body">${trendChart(points, { colour: gradeColour, ranks: cohort?.ranked ?? 0, fixed })}
    <div class="trend-side"><p class="trend-words">${esc(trendWords(points))} ${moveMark(rankSpan(points))}</p>
    <details class="trend-data"><summary>逐期数据</summary><table class="plain"><thead><tr><th>期次</th><th class="num">总分</th><th class="num">名次</th><th>等次</th></tr></thead>
      <tbody>${points.map((p) => `<tr${p.now ? ' class="now"' : ""}><td>${esc(p.label)}</td><td class="num">${esc(fixed(p.total))}</td><td class="num">${p.rank ?? "—"}</td><td>${gradeChip(p.grade)}</td></tr>`).join("")}</tbody></table></details>
    <p class="hint">上为总分，下为名次（第 1 名在上）；各点颜色为当期等次。</p></div></div>
  </section>`;
}

// ───────────────────────── who moved (谁变了): an edit of the rules against the original ─────────────────────────
// While the rules are an edit, the result on screen is compared, on the same data, with the
// result of the original rules (the bundled rule set, or the file as opened): each unit's rank,
// total and grade before and after, the items whose points changed. The engine's comparison
// (kaohe diff) runs in the full module, fetched on the first edit. Up to EXPLAIN_MAX units only:
// a batch result (many units) and a survey's respondents are not compared.

/** Whether the movers on hand belong to the result on screen. */
const moversShown = () => !!state.movers?.byId && state.movers.request === state.result?.request;
/** A unit's comparison (kaohe-diff's UnitDiff) with the original rules, when shown. */
const moverOf = (u) => (moversShown() ? state.movers.byId.get(u.id) ?? null : null);
/** Whether a unit's rank, total or grade changed. */
const changed = (d) => !!d && (d.grade_changed || (d.rank_change ?? 0) !== 0 || (d.total_change != null && Number(d.total_change) !== 0));
/** Up or down from a grade to another: the rule set lists its grades best first. */
function gradeMove(from, to) {
  const grades = state.result?.info.grades ?? [];
  const a = from == null ? grades.length : grades.indexOf(from);
  const b = to == null ? grades.length : grades.indexOf(to);
  return b < a ? "up" : b > a ? "down" : "";
}
/** A cell's colour for a change against the original rules (places gained, points). */
const moveClass = (x) => (x == null || Number(x) === 0 ? "" : Number(x) > 0 ? "mv-up" : "mv-down");
/** 较原规则: the total's change and the places gained or lost, with the original figures on hover. */
function movedCell(u) {
  const d = moverOf(u);
  if (!changed(d)) return "";
  const parts = [];
  if (d.total_change != null && Number(d.total_change) !== 0) {
    const text = signed(d.total_change, fixed);
    parts.push(`<span class="mv ${text.startsWith("+") ? "up" : "down"}" title="原始规则：${esc(d.before?.total_display ?? "—")} 分">${esc(text)} 分</span>`);
  }
  if (d.rank_change) {
    const up = d.rank_change > 0;
    parts.push(`<span class="mv ${up ? "up" : "down"}" title="原始规则：第 ${d.before?.rank ?? "—"} 名">名次${up ? "↑" : "↓"}${Math.abs(d.rank_change)}</span>`);
  }
  return parts.join(" ") || `<span class="muted">等次变化</span>`;
}
/** The grade's chip, after the original rules' grade when it changed: 合格 → 先进 ↑. */
function movedGrade(u, chip) {
  const d = moverOf(u);
  if (!d?.grade_changed) return chip;
  const way = gradeMove(d.before?.grade, d.after?.grade);
  const was = d.before?.grade ?? "无等次";
  return `<span class="mv-grade" title="原始规则：${esc(was)}"><span class="was">${esc(was)}</span> → ${chip} <span class="mv ${way}">${way === "down" ? "↓" : "↑"}</span></span>`;
}

/** Compares the result on screen with the original rules' on the same data, when the rules are an edit. */
async function compareWithOriginal() {
  const res = state.result;
  const rules = state.rules;
  const request = res?.request;
  const wanted = !!res && !res.batch && !res.survey && !!rules && request.data != null && request.source !== rules.original && request.name === rules.name;
  if (!wanted) {
    if (state.movers) {
      state.movers = null;
      state.view.moved = false;
      render();
    }
    return;
  }
  if (state.movers?.request === request) return;
  state.movers = { request, pending: true };
  renderMovers();
  const r = await engine.send({ type: "diff", request, original: { name: rules.name, source: rules.original }, units: res.report.units.length });
  if (r.superseded || state.result?.request !== request) return;
  state.movers = r.diff
    ? { request, diff: r.diff, byId: new Map(r.diff.units.map((d) => [d.id, d])) }
    : { request, error: r.error ?? (r.stopped ? "比较超时，已停止" : "无法比较") };
  if (!state.movers.byId) state.view.moved = false;
  render();
  // An open 计分明细 shows the old and new points of the items that changed.
  if ($("#unit-dialog").open && $("#unit-body").dataset.unit) openUnit($("#unit-body").dataset.unit, null);
}

/** The summary line above the table: how many units moved, and each category's mean change. */
function renderMovers() {
  const el = $("#movers");
  const m = state.movers;
  if (!m || m.request !== state.result?.request) {
    el.hidden = true;
    el.innerHTML = "";
    return;
  }
  el.hidden = false;
  el.className = "movers";
  if (m.pending) {
    el.innerHTML = `<span class="hint">规则已修改：正在与原始规则比较各单位的变化…</span>`;
    return;
  }
  if (m.error) {
    el.innerHTML = `<span class="hint">规则已修改，但无法与原始规则比较：${esc(m.error)}</span>`;
    return;
  }
  const d = m.diff;
  const any = d.grades_changed + d.ranks_changed + d.totals_changed > 0;
  const [head, ...rest] = d.summary;
  el.innerHTML = `<div class="movers-head"><strong>谁变了</strong><span class="hint">修改后的规则与原始规则相比（同一数据）</span></div>
    <p class="movers-summary">${any ? esc(head) : "各单位的总分、名次和等次都没有变化"}${rest.length ? `；${rest.map(esc).join("；")}` : ""}。</p>
    ${any ? `<div class="movers-list">${d.units.filter(changed).slice(0, 8).map((u) => `<button type="button" class="link mover" data-unit="${esc(u.id)}">${esc(u.name)}${u.grade_changed ? ` ${esc(u.before?.grade ?? "无等次")} → ${esc(u.after?.grade ?? "无等次")}` : ""}${u.total_change != null && Number(u.total_change) !== 0 ? ` ${esc(signed(u.total_change, fixed))} 分` : ""}</button>`).join("")}${d.units.filter(changed).length > 8 ? `<span class="hint">等 ${d.units.filter(changed).length} 个单位</span>` : ""}</div>
    <label class="movers-only"><input type="checkbox" id="movers-only"${state.view.moved ? " checked" : ""}> 只看有变化的单位</label>` : ""}
    <button type="button" class="small" data-act="diff-rules">查看规则差异</button>`;
}

// ───────────────────────── one unit's breakdown (计分明细) ─────────────────────────

const dataUses = (data) => (data?.length ? `<span class="uses">${data.map((d) => `<span class="use">${esc(d.label)} = ${esc(d.value)}</span>`).join("")}</span>` : "");
const pts = (p) => (p > 0 ? `+${p}` : `${p}`);

/** A unit of a batch result: its 计分明细 is made now, in the worker, for this unit only. */
async function openBatchUnit(u) {
  const result = state.result;
  const r = await engine.send({ type: "explain", request: result.request, index: u.idx, units: result.report.units.length / 10 });
  if (state.result !== result) return;
  if (r.error || r.stopped || !r.points) {
    alert(r.error ?? "无法生成该单位的计分明细，请重试");
    return;
  }
  const info = result.info;
  // r.points: the unit's kaohe-unit line (points by item id, exact numbers; none for an item that does not apply).
  const byItem = info.items.map((it) => ({ ...it, points: Number(r.points.items[it.id] ?? 0), not_applicable: r.points.items[it.id] == null }));
  const explained = r.unit ?? {
    // Scored against other units (cohort indicators, linked values, metrics): points per item only.
    items: byItem.map((it) => ({ label: it.label, category: it.category, kind: it.kind, max: it.max, points: it.points, not_applicable: it.not_applicable, reasons: [] })),
    vetoes: u.vetoes, prerequisites_failed: [], adjustments: [], base: r.points.base, bonus: r.points.bonus, awards_eligible: r.points.awards_eligible,
  };
  // Rank, grade, total and consequences are the whole cohort's; the reasons are this unit's own.
  showUnit({
    ...explained, id: u.id, name: u.name, rank: u.rank, grade: u.grade, total: u.total, total_display: u.total_display,
    cohort: u.cohort, previous_rank: u.previous_rank, previous_total: u.previous_total, total_change: u.total_change, remarks: u.remarks, row: explained.row,
    // The batch's consequences, with the rule's reason where the unit alone gives the same one.
    consequences: u.consequences.map((c) => explained.consequences?.find((x) => x.name === c.name) ?? c),
    metrics: [], state: null, batchNote: r.unit ? "" : "本规则集有跨单位计算的指标，单位较多时只列出各项得分，不逐条说明。",
  });
}

function openUnit(id, idx) {
  const units = state.result?.report.units;
  if (!units) return;
  if (state.result.batch) {
    const u = idx != null ? units.find((x) => x.idx === idx) : units.find((x) => x.id === id);
    if (u) openBatchUnit(u);
    return;
  }
  const u = units.find((x) => x.id === id);
  if (u) showUnit(u);
}

function showUnit(u) {
  $("#unit-title").innerHTML = `${esc(u.name)} <span class="muted">${esc(u.id)}</span>`;
  let html = `<div class="unit-head">
    <div><span class="big">${esc(u.total_display ?? "—")}</span> 分</div>
    <div>${u.rank != null ? `第 <strong>${u.rank}</strong> 名` : "不参与排名"}${u.cohort !== "全部" ? `（${esc(u.cohort)}）` : ""}</div>
    <div>${gradeChip(u.grade)}</div>
    <div class="muted">基础分 ${u.base}${u.bonus && u.bonus !== "0" ? ` · 加分 ${u.bonus}` : ""}${u.previous_rank != null ? ` · 上期第 ${u.previous_rank} 名` : ""}${u.previous_total != null ? ` · 上期得分 ${esc(fixed(u.previous_total))}（分差 ${esc(signed(u.total_change, fixed))}）` : ""}${u.row != null ? ` · 数据第 ${u.row} 行` : ""}${u.awards_eligible ? "" : " · <span class=\"bad\">不得参与评优</span>"}</div></div>`;
  if (u.remarks?.length) html += `<p class="remarks-line"><strong>备注：</strong>${u.remarks.map(esc).join("；")}</p>`;
  const trend = trendPoints(u, state.result?.periods);
  if (trend.length) html += trendHtml(u, trend);
  const moved = moverOf(u);
  if (moved) html += unitMoverHtml(moved);
  if (!state.result?.survey && state.result?.request.data != null) html += `<section class="gap-panel" id="unit-gap" data-unit="${esc(u.id)}"></section>`;
  if (u.vetoes.length) {
    html += `<h3 class="bad">一票否决</h3><ul class="facts-list">${u.vetoes.map((v) => `<li><strong>${esc(v.label)}</strong>：${esc(v.reason)} ${dataUses(v.data)}</li>`).join("")}</ul>`;
  }
  if (u.prerequisites_failed.length) {
    html += `<h3>未满足的必备条件</h3><ul class="facts-list">${u.prerequisites_failed.map((p) => `<li><strong>${esc(p.label)}</strong>（影响等次：${p.grades.map(esc).join("、")}）</li>`).join("")}</ul>`;
  }
  if (u.consequences.length) {
    html += `<h3>处理结果</h3><ul class="facts-list">${u.consequences.map((c) => `<li><strong>${esc(c.name)}</strong>${c.reason ? `：${esc(c.reason)}` : ""}</li>`).join("")}</ul>`;
  }
  if (u.metrics?.some((m) => m.value != null)) {
    const sampled = u.metrics.some((m) => m.sample);
    const sampleCells = (m) => (sampled ? `<td class="num">${m.sample ? m.sample.n.toLocaleString("zh-CN") : "—"}</td><td class="num">${m.sample?.low != null ? `${m.sample.low}–${m.sample.high}` : "—"}</td><td>${esc((m.sample?.notes ?? []).join("；"))}</td>` : "");
    html += `<h3>公布指标</h3><table class="plain"><thead><tr><th>指标</th><th class="num">数值</th><th class="num">名次</th><th class="num">上期名次</th>${sampled ? `<th class="num">有效样本</th><th class="num">95% 区间</th><th>说明</th>` : ""}</tr></thead><tbody>${u.metrics.filter((m) => m.value != null).map((m) => `<tr><td>${esc(m.label)}</td><td class="num">${esc(m.display)}</td><td class="num">${m.rank ?? "—"}</td><td class="num">${m.previous_rank ?? "—"}</td>${sampleCells(m)}</tr>`).join("")}</tbody></table>`;
  }
  if (u.state && typeof u.state === "object") {
    html += `<h3>状态</h3><dl class="facts">${Object.entries(u.state).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(typeof v === "object" ? JSON.stringify(v) : v)}</dd>`).join("")}</dl>`;
  }
  if (u.batchNote) html += `<p class="hint">${esc(u.batchNote)}</p>`;
  html += `<h3>计分明细</h3><table class="breakdown"><thead><tr><th>考核项目</th><th class="num">得分 / 满分</th><th>评分细则与计分过程</th></tr></thead><tbody>`;
  let category;
  const itemMoves = new Map((moved?.items ?? []).map((c) => [c.id, c]));
  for (const it of u.items) {
    const cat = it.kind === "bonus" ? "加分项目" : it.kind === "deduction" && !it.category ? "扣分项目" : it.category;
    if (cat && cat !== category) html += `<tr class="cat"><th colspan="3">${esc(cat)}</th></tr>`;
    category = cat;
    html += `<tr class="${it.points < it.max && it.kind !== "bonus" ? "lost" : ""}"><td>${esc(it.label)}</td>
      <td class="num">${itemMoves.has(it.id) ? itemMoveHtml(itemMoves.get(it.id)) : ""}<strong>${it.not_applicable ? "不适用" : it.points}</strong>${it.kind === "deduction" ? "（扣分项）" : ` / ${it.max}`}</td>
      <td>${it.text ? `<div class="rule-text">${esc(it.text)}</div>` : ""}<ul class="reasons">${it.reasons.map((x) => `<li>${esc(x.detail)}${x.points ? ` <span class="${x.points < 0 ? "down" : "up"}">${pts(x.points)}</span>` : ""} ${dataUses(x.data)}</li>`).join("")}</ul></td></tr>`;
  }
  html += "</tbody></table>";
  if (u.adjustments.length) {
    html += `<h3>封顶与调整</h3><ul class="facts-list">${u.adjustments.map((a) => `<li>${esc(a.rule)}：${esc(a.detail)}${a.points ? ` <span class="${a.points < 0 ? "down" : "up"}">${pts(a.points)}</span>` : ""}</li>`).join("")}</ul>`;
  }
  const body = $("#unit-body");
  const again = body.dataset.unit === u.id && $("#unit-dialog").open; // the same unit drawn again (its movers came in)
  const top = body.scrollTop;
  body.innerHTML = html;
  body.dataset.unit = u.id;
  const dlg = $("#unit-dialog");
  if (!dlg.open) dlg.showModal();
  body.scrollTop = again ? top : 0;
  loadGap(u);
}

/** 与原始规则相比: the unit's total, rank and grade under the original rules and now. */
function unitMoverHtml(d) {
  const b = d.before ?? {};
  const a = d.after ?? {};
  const parts = [];
  if (d.total_change != null && Number(d.total_change) !== 0) {
    const text = signed(d.total_change, fixed);
    parts.push(`总分 ${esc(b.total ?? "—")} → ${esc(a.total ?? "—")}（<span class="${text.startsWith("+") ? "up" : "down"}">${esc(text)}</span>）`);
  } else if (b.total !== a.total) parts.push(`总分 ${esc(b.total ?? "—")} → ${esc(a.total ?? "—")}`);
  if (d.rank_change) parts.push(`名次 第 ${b.rank} 名 → 第 ${a.rank} 名（<span class="${d.rank_change > 0 ? "up" : "down"}">${d.rank_change > 0 ? "↑" : "↓"}${Math.abs(d.rank_change)}</span>）`);
  else if (b.rank !== a.rank) parts.push(`名次 ${b.rank ?? "不排名"} → ${a.rank ?? "不排名"}`);
  if (d.grade_changed) {
    const way = gradeMove(b.grade, a.grade);
    parts.push(`等次 ${esc(b.grade ?? "无等次")} → ${esc(a.grade ?? "无等次")} <span class="${way}">${way === "down" ? "↓" : "↑"}</span>`);
  }
  const items = d.items.length ? `${d.items.length} 项得分变化，见下表（原始规则的得分在前）` : "各项得分没有变化";
  return `<div class="unit-movers${changed(d) ? " changed" : ""}"><strong>与原始规则相比：</strong>${parts.length ? parts.join("；") : "总分、名次和等次没有变化"}；${items}。</div>`;
}

/** An item's points under the original rules, before its points now: <s>3</s> → 5. */
function itemMoveHtml(c) {
  const way = Number(c.change) > 0 ? "up" : "down";
  return `<span class="item-was" title="原始规则的得分">${c.before == null ? "—" : esc(num(c.before))}</span> <span class="${way}">→</span> `;
}

// ───────────────────────── a unit's gap (差距分析) ─────────────────────────
// What the unit lacks for the next grade and the rank above, and where the points can come
// from: the engine's `kaohe gap` for this unit (in the full module, fetched on the first use),
// every change of data it proposes checked by scoring the unit again.

let gapCache = { request: null, units: new Map() }; // the gaps already made for the result on screen
const num = (x) => String(x ?? "—");

/** Shows the gap of the unit in the panel, once the engine has made it. */
async function loadGap(u) {
  const el = $("#unit-gap");
  const res = state.result;
  if (!el || !res || res.survey || res.request.data == null) {
    el?.remove();
    return;
  }
  if (gapCache.request !== res.request) gapCache = { request: res.request, units: new Map() };
  let r = gapCache.units.get(u.id);
  if (!r) {
    el.innerHTML = `<h3>差距分析</h3><p class="hint">正在分析差距…</p>`;
    r = await engine.send({ type: "gap", request: res.request, unit: u.id, units: res.report.units.length / 10 });
    if (r.stopped) r = { error: "分析超时，已停止" };
    if (r.gap || r.error) gapCache.units.set(u.id, r);
  }
  // The panel may show another unit, or another result, by now.
  const now = $("#unit-gap");
  if (!now || now.dataset.unit !== u.id || state.result !== res || !$("#unit-dialog").open) return;
  now.innerHTML = r.gap ? gapHtml(r.gap) : `<h3>差距分析</h3><p class="hint">${esc(r.error ?? "无法分析差距")}</p>`;
}

/** A change of data and what it earns: 禁毒信息被县级以上采用篇数由 0 增至 1，禁毒信息采用 +0.05 分 (总分 +0.05). */
function moveHtml(m) {
  const total = Number(m.total_points) !== Number(m.item_points) ? ` <span class="muted">（计入总分 ${Number(m.total_points) > 0 ? "+" : ""}${num(m.total_points)} 分）</span>` : "";
  return `<li>${esc(m.detail)}${total}</li>`;
}

function gapHtml(g) {
  let html = `<h3>差距分析</h3><ul class="gap-lines">`;
  const ng = g.next_grade;
  if (ng && Number(ng.points) > 0) {
    html += `<li class="gap-grade">距<strong>${esc(ng.grade)}</strong>（${ng.strict ? ">" : "≥"}${num(ng.threshold)} 分）差 <strong class="gap-points">${num(ng.points)}</strong> 分${ng.quota ? `<span class="muted">（该等次有名额限制，分数达到后还要看名额）</span>` : ""}</li>`;
  } else if (ng) {
    html += `<li class="gap-grade">总分已达${esc(ng.grade)}分数线（${num(ng.threshold)} 分）${ng.quota ? "，等次受名额限制" : ""}</li>`;
  } else if (!g.blocked.length && state.result?.info.grades.length) {
    html += `<li class="gap-grade good">已是最高等次</li>`;
  }
  if (g.next_rank) {
    html += `<li class="gap-rank">距第 ${g.next_rank.rank} 名（${esc(g.next_rank.name)}，${esc(fixed(g.next_rank.total))} 分）差 <strong>${num(g.next_rank.points)}</strong> 分</li>`;
  } else if (g.rank === 1) {
    html += `<li class="gap-rank good">已是第 1 名</li>`;
  }
  for (const b of g.blocked) html += `<li class="gap-blocked bad">${esc(b)}</li>`;
  html += "</ul>";
  const p = g.plan;
  if (p) {
    html += `<div class="gap-plan ${p.reached ? "reached" : "short"}"><h4>建议</h4><ol>${p.moves.map(moveHtml).join("")}</ol><p class="${p.reached ? "good" : "warn"}">${esc(p.detail)}</p></div>`;
  }
  if (g.items.length) {
    const sum = g.items.reduce((a, it) => a + Number(it.headroom), 0);
    html += `<details class="gap-items-box" open><summary>可提分项目（${g.items.length} 项，合计差 ${num(Math.round(sum * 100) / 100)} 分）</summary>
      <table class="gap-items"><thead><tr><th>考核项目</th><th class="num">得分 / 满分</th><th>怎样多得分</th></tr></thead><tbody>
      ${g.items.map((it) => `<tr><td>${esc(it.label)}${it.category ? `<div class="muted">${esc(it.category)}</div>` : ""}</td>
        <td class="num">${Number(it.max) === 0 ? `${num(it.points)}（扣分项）` : `${num(it.points)} / ${num(it.max)}`}<div class="gap-headroom">差 ${num(it.headroom)} 分</div></td>
        <td>${it.rates.length ? `<div class="gap-rates">${it.rates.map(esc).join("；")}</div>` : ""}${it.moves.length ? `<ul class="gap-moves">${it.moves.map(moveHtml).join("")}</ul>` : ""}${it.not_invertible ? `<div class="muted">${esc(it.not_invertible)}</div>` : ""}</td></tr>`).join("")}
      </tbody></table></details>`;
  }
  if (p || g.items.some((it) => it.moves.length)) html += `<p class="hint">建议的每项数据调整都已按本规则重新计分核实；其他单位的数据不变${ng?.quota ? "，等次名额另计" : ""}。</p>`;
  return html;
}

// ───────────────────────── print view (通报) ─────────────────────────

const today = () => new Intl.DateTimeFormat("zh-CN", { dateStyle: "long" }).format(new Date());
const PUBLICATION_KEYS = ["issuer", "period", "document"];

/**
 * The 通报's heading and options: what the person typed for this rule set (kept in the
 * browser), else what the rule set declares (`ruleset(#{ issuer, period, document })`).
 */
function publication() {
  const rs = state.result?.report.rule_set ?? {};
  const own = stored(`publication.${rs.id}`) ?? {};
  const pick = (k) => (typeof own[k] === "string" ? own[k] : rs[k] ?? "");
  return { issuer: pick("issuer"), period: pick("period"), document: pick("document"), date: own.date || today(), categories: !!own.categories };
}

/** Keeps what the 通报 form says, as far as it differs from the rule set. */
function savePublication() {
  const rs = state.result?.report.rule_set;
  if (!rs) return;
  const own = {};
  for (const k of PUBLICATION_KEYS) {
    const v = $(`#pub-${k}`).value.trim();
    if (v !== (rs[k] ?? "")) own[k] = v;
  }
  const date = $("#pub-date").value.trim();
  if (date && date !== today()) own.date = date;
  if ($("#pub-categories").checked) own.categories = true;
  store(`publication.${rs.id}`, Object.keys(own).length ? own : null);
  renderPublicationNote();
  if (!state.result.batch) renderPrint();
}

function openReportDialog() {
  if (!state.result) return;
  const p = publication();
  for (const k of PUBLICATION_KEYS) $(`#pub-${k}`).value = p[k];
  $("#pub-date").value = p.date;
  $("#pub-categories").checked = p.categories;
  renderPublicationNote();
  const dlg = $("#report-dialog");
  if (!dlg.open) dlg.showModal();
}

function renderPublicationNote() {
  const rs = state.result?.report.rule_set ?? {};
  const own = stored(`publication.${rs.id}`) ?? {};
  const edited = PUBLICATION_KEYS.filter((k) => typeof own[k] === "string");
  const declared = PUBLICATION_KEYS.filter((k) => rs[k]).map((k) => ({ issuer: "发文单位", period: "考核期间", document: "文号" })[k]);
  $("#pub-note").textContent = (edited.length
    ? "填写的内容保存在本浏览器中（按规则集），下次打开仍在；“写入规则脚本”可把它们保存到规则文件里。"
    : declared.length ? `当前内容取自规则脚本（${declared.join("、")}）；在此修改只影响本浏览器。` : "规则脚本中没有发文信息；填写的内容保存在本浏览器中（按规则集）。");
  $("#pub-reset").disabled = !Object.keys(own).length;
  $("#pub-to-rules").disabled = !state.rules || !edited.length;
}

/** Writes the 通报's heading into the rule script (an edit like any other: kept, shown as a diff, downloadable). */
function publicationToRules() {
  if (!state.rules) return;
  const values = Object.fromEntries(PUBLICATION_KEYS.map((k) => [k, $(`#pub-${k}`).value.trim()]));
  const next = withPublication(state.rules.source, values);
  if (next == null) {
    alert("规则脚本中找不到 ruleset(#{ … })，无法写入。");
    return;
  }
  const rs = state.result.report.rule_set;
  const own = stored(`publication.${rs.id}`) ?? {};
  for (const k of PUBLICATION_KEYS) delete own[k];
  store(`publication.${rs.id}`, Object.keys(own).length ? own : null);
  state.rules.source = editor.value = next;
  saveDraft();
  markDrafts();
  renderStatus();
  rescore();
  $("#pub-note").textContent = "已写入规则脚本（规则已修改：可在“规则脚本”中查看差异、下载修改后的规则）。";
  $("#pub-to-rules").disabled = true;
}

/** The points per category (分项得分) and bonus of each unit, for a 通报 that lists them. */
function categoryColumns() {
  const res = state.result;
  const items = res.info.items;
  const names = [...new Set(items.filter((it) => it.kind !== "bonus" && it.category != null).map((it) => it.category))];
  const hasBonus = items.some((it) => it.kind === "bonus");
  if (res.batch) {
    const raw = res.batchColumns ?? {};
    res.splitColumns ??= {
      categories: (raw.categories ?? []).map((c) => ({ name: c.name, values: c.points.split(SEP) })),
      bonus: raw.bonus ? raw.bonus.split(SEP) : null,
    };
    const { categories, bonus } = res.splitColumns;
    return [
      ...categories.map((c) => ({ name: c.name, points: (u) => c.values[u.idx] || null })),
      ...(hasBonus && bonus ? [{ name: "加分", points: (u) => bonus[u.idx] || null }] : []),
    ];
  }
  const hidden = (u) => u.total_display == null;
  return [
    ...names.map((name) => ({
      name,
      // As the total counts them: the category's caps (封顶, 本项限扣) are its adjustments.
      points: (u) => (hidden(u) ? null : decimalSum([...u.items.filter((it) => it.kind !== "bonus" && it.category === name).map((it) => it.points), ...u.adjustments.filter((a) => a.rule === name).map((a) => a.points)])),
    })),
    ...(hasBonus ? [{ name: "加分", points: (u) => (hidden(u) ? null : decimalSum([u.bonus])) }] : []),
  ];
}

function renderPrint() {
  const el = $("#print-report");
  if (!state.result) return (el.innerHTML = "");
  const r = state.result.report;
  const p = publication();
  el.classList.toggle("wide", p.categories);
  el.innerHTML = reportHtml({
    report: r, publication: p, categories: p.categories ? categoryColumns() : null,
    previous: withPrevious() || r.units.some((u) => u.previous_rank != null),
    dataErrors: state.result.dataErrors, printMax: PRINT_MAX, fixed, stateStatus,
    periods: (state.result.periods ?? []).map((x) => x.label),
  });
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
  else if (r.run.error) {
    const e = problemOf(r.run.error);
    html = `<div class="case-problem bad">${codeChip(e.code)} 用例文件有问题：<span class="msg">${esc(e.message)}</span>${helpLine(e.help)}</div>`;
  } else {
    const run = r.run;
    // A failure or a coverage line: the catalogue's { code, message, help }, or text from an older engine.
    const item = (x) => {
      const p = problemOf(x);
      return `<li class="case-problem">${codeChip(p.code)}<span class="msg">${esc(p.message)}</span>${helpLine(p.help)}</li>`;
    };
    const coverage = run.coverage_lines ?? run.coverageLines ?? [];
    html = `<p class="${run.failed ? "bad" : "good"} cases-total">${run.failed ? "✗" : "✓"} ${run.passed} 个通过，${run.failed} 个失败</p><ul class="cases">` +
      run.cases.map((c) => `<li class="${c.failures.length ? "fail" : "pass"}"><span class="mark">${c.failures.length ? "✗ 失败" : "✓ 通过"}</span> ${esc(c.name)}${c.failures.length ? `<ul class="failures">${c.failures.map(item).join("")}</ul>` : ""}</li>`).join("") +
      `</ul><h3>覆盖情况</h3><ul class="coverage">${coverage.map(item).join("")}</ul>`;
  }
  $("#cases-result").innerHTML = html;
}

// ───────────────────────── data collection: the form and the merge ─────────────────────────

/** The rule set's id for file names: the script's file name without `.rhai`. */
const rulesId = () => basename(state.rules?.name ?? "kaohe").replace(/\.rhai$/, "");

function openCollect() {
  renderCollect();
  if (!$("#collect-dialog").open) $("#collect-dialog").showModal();
}

function renderCollect() {
  const u = state.collect.units;
  $("#units-name").textContent = u ? `已选：${u.fileName}（预先填入各单位并锁定；合并时核对未返回和名单外的单位）` : "未选：模板留出空行，由各单位自填编码和名称";
  $("#units-clear").hidden = !u;
  const m = state.collect.merged;
  $("#merge-download").disabled = !m;
  $("#merge-score").disabled = !m || m.summary.ready === 0;
}

/** Errors that stopped a form or a merge, in the dialog. */
function showCollectErrors(r) {
  const list = r.error ? [{ message: r.error }] : (r.errors ?? []).map(problemOf);
  const head = r.stage === "rules" ? "规则脚本有错误，请先在“规则脚本”中改正：" : r.stage === "units" ? "单位名单有错误：" : "无法完成：";
  $("#collect-result").innerHTML = `<div class="notice bad"><div>${head}</div><ul>${list.map((e) =>
    `<li>${codeChip(e.code)} ${esc(e.place ? `${e.place}：` : "")}${esc(e.message)}${e.help ? `<br>${helpLine(e.help)}` : ""}</li>`).join("")}</ul></div>`;
}

/** Downloads the form (填报表) of the rules in use: for the list of units when one is chosen, for one unit when named. */
async function downloadTemplate(unit = "") {
  if (!state.rules) return;
  const u = state.collect.units;
  const r = await engine.send({
    type: "template", name: state.rules.name, source: state.rules.source,
    // (not `units`: the watchdog reads that as a count of units)
    list: u?.bytes ?? null, listName: u?.fileName ?? "units.csv", unit,
  });
  if (r.bytes?.length) {
    const who = unit ? `-${unit}` : "";
    download(`${rulesId()}-填报表${who}.xlsx`, new Blob([r.bytes], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
    return;
  }
  openCollect();
  showCollectErrors(r.stopped ? { error: "生成已停止" } : r);
}

/** Merges the returned files and lists every problem; the merged data can then be downloaded or scored. */
async function mergeReturns(files) {
  if (!state.rules || files.length === 0) return;
  openCollect();
  $("#collect-result").innerHTML = `<p class="hint">正在合并 ${files.length} 个文件…</p>`;
  const u = state.collect.units;
  const r = await engine.send({
    type: "merge", name: state.rules.name, source: state.rules.source,
    files: await Promise.all(files.map(async (f) => ({ fileName: f.name, data: new Uint8Array(await f.arrayBuffer()) }))),
    list: u?.bytes ?? null, listName: u?.fileName ?? "units.csv",
  });
  if (!r.summary) {
    state.collect.merged = null;
    renderCollect();
    showCollectErrors(r.stopped ? { error: "合并已停止" } : r);
    return;
  }
  state.collect.merged = { summary: r.summary, xlsx: r.bytes, csv: r.csv, files: files.length };
  renderCollect();
  const s = r.summary;
  const where = (p) => `${p.file ?? ""}${p.sheet ? `（工作表“${p.sheet}”）` : ""}`;
  const rows = s.problems.map((p) => {
    const e = problemOf(p.error);
    return `<tr class="${p.level}"><td class="c-code" data-label="代码">${p.level === "error" ? "错误" : "提示"} ${codeChip(e.code)}</td>
      <td data-label="文件">${esc(where(p))}</td><td data-label="位置">${esc(e.place)}</td>
      <td data-label="问题">${esc(e.message)}</td><td data-label="怎么改">${esc(e.help)}</td>
      <td data-label="合并行">${p.merged_row ?? ""}</td></tr>`;
  }).join("");
  $("#collect-result").innerHTML = `
    <div class="notice ${s.errors ? "bad" : "quiet"}" id="merge-summary">合并 ${s.files.length} 个文件：${s.ready} 个单位可以计分；${s.errors} 处错误，${s.notes} 处提示。${s.errors ? "有错误的行和重复返回的单位在合并数据中标红，改正后再计分。" : ""}</div>
    <ul class="files">${s.files.map((f) => `<li>${esc(f.name)}：${f.units} 个单位${f.errors || f.notes ? `，${f.errors ? `${f.errors} 处错误` : ""}${f.errors && f.notes ? "，" : ""}${f.notes ? `${f.notes} 处提示` : ""}` : "，没有问题"}</li>`).join("")}</ul>
    ${rows ? `<div class="errors-wrap"><table class="errors" id="merge-problems"><thead><tr><th>级别</th><th>文件</th><th>位置</th><th>问题</th><th>怎么改</th><th>合并行</th></tr></thead><tbody>${rows}</tbody></table></div>` : ""}`;
}

/** The units the merge found ready become the data scored (as `kaohe assess RULES FILES…` scores them). */
function scoreMerged() {
  const m = state.collect.merged;
  if (!m) return;
  const left = m.summary.errors ? `，${m.summary.errors} 处错误未计分` : "";
  state.data = { fileName: "合并数据.csv", bytes: m.csv, label: `合并数据（${m.files} 个文件${left}）` };
  $("#collect-dialog").close();
  render();
  rescore();
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
  if (format === "json") return download(exportName("json"), new Blob([(state.result.reportJson ?? compactJson()) + "\n"], { type: "application/json" }));
  const button = $(`#export-${format}`);
  button.disabled = true;
  const r = await engine.send({ type: "export", format, request: state.result.request, units: state.result.report.units.length });
  renderButtons();
  if (r.bytes?.length) download(exportName("xlsx"), new Blob([r.bytes], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
  else if (r.text) download(exportName("csv"), new Blob([r.text], { type: "text/csv;charset=utf-8" }));
  else if (r.stopped) alert("导出已停止");
  else alert(r.error && /[\u4e00-\u9fff]/.test(r.error) ? r.error : "导出失败，请稍后重试或导出 CSV");
}

/** A batch result as a kaohe-result file (ranks, totals, grades — no 计分明细), usable as last period's result. */
function compactJson() {
  const r = state.result.report;
  return JSON.stringify({
    schema: "kaohe-result", schema_version: 1, rule_set: r.rule_set, compact: true,
    units: r.units.map((u) => ({ id: u.id, name: u.name, cohort: u.cohort, rank: u.rank, total: u.total, total_display: u.total_display, grade: u.grade, vetoes: u.vetoes.map((v) => v.label), consequences: u.consequences.map((c) => c.name) })),
  });
}

// ───────────────────────── wiring ─────────────────────────

const editor = createEditor($("#editor"), {
  onInput(text) {
    if (!state.rules) return;
    state.rules.source = text;
    renderStatus();
    saveDraftSoon();
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
      else Object.assign(v, { sort: t.dataset.sort, dir: ["total", "change", "prevtotal", "diff", "moved", "veto", "cons", "remarks"].includes(t.dataset.sort) || t.dataset.sort.startsWith("m:") ? -1 : 1 });
      renderTable();
      renderCharts();
    } else if (t.dataset.unit) openUnit(t.dataset.unit, t.closest("tr[data-idx]") ? +t.closest("tr[data-idx]").dataset.idx : null);
    else if (t.classList.contains("problem") && t.dataset.line) editor.goto(+t.dataset.line, +t.dataset.column);
    else if (t.id === "clear-previous" || t.id === "clear-periods") clearPeriods();
    else if (t.dataset.periodAct) movePeriod(+t.closest("[data-period]").dataset.period, t.dataset.periodAct);
    else if (t.id === "reset-params") { state.params = {}; render(); rescore(); }
    else if (t.id === "clear-units") { state.units = null; render(); rescore(); }
    else if (t.id === "copy-data-errors") copyDataErrors(t);
    else if (t.dataset.act === "diff-rules") showDiff();
  });
  // A parameter typed in: used from the next run on (on Enter or leaving the box).
  $("#params").addEventListener("change", (e) => {
    const id = e.target.dataset?.param;
    if (!id) return;
    const declared = state.paramInfo.find((p) => p.id === id)?.value;
    const v = e.target.value.trim();
    if (v === "" || v === declared) delete state.params[id];
    else state.params[id] = v;
    render();
    rescore();
  });
  for (const id of Object.keys(readers)) {
    $(`#${id}`).addEventListener("change", async (e) => {
      const files = [...e.target.files];
      e.target.value = "";
      if (files.length) await readers[id](...(["returns-file", "tables-file", "previous-file", "history-file"].includes(id) ? files : files.slice(0, 1)));
    });
  }
  $("#template-download").addEventListener("click", () => downloadTemplate());
  $("#template-download-unit").addEventListener("click", () => downloadTemplate($("#template-unit").value.trim()));
  $("#collect-open").addEventListener("click", openCollect);
  $("#collect-close").addEventListener("click", () => $("#collect-dialog").close());
  $("#units-clear").addEventListener("click", () => { state.collect.units = null; renderCollect(); });
  $("#merge-download").addEventListener("click", () => {
    const m = state.collect.merged;
    if (m) download(`${rulesId()}-合并.xlsx`, new Blob([m.xlsx], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
  });
  $("#merge-score").addEventListener("click", scoreMerged);
  $("#ruleset-select").addEventListener("change", async (e) => {
    const to = e.target.value;
    if (to === "custom") return;
    // Until the person has answered, the list shows the rules still in use.
    e.target.value = state.rules?.bundled != null ? String(state.rules.bundled) : "custom";
    if (await leaveRules()) chooseBundled(+to);
  });
  $(".scroll-x").addEventListener("scroll", () => requestAnimationFrame(paintRows), { passive: true });
  $("#filter-text").addEventListener("input", (e) => { state.view.text = e.target.value; renderTable(); renderCharts(); });
  $("#movers").addEventListener("change", (e) => {
    if (e.target.id !== "movers-only") return;
    state.view.moved = e.target.checked;
    renderTable();
    renderCharts();
  });
  $("#trends").addEventListener("change", (e) => {
    if (e.target.id !== "trend-sort") return;
    state.view.trendSort = e.target.value;
    renderTrends();
  });
  $("#filter-grade").addEventListener("change", (e) => { state.view.grade = e.target.value; renderTable(); renderCharts(); });
  $("#filter-cohort").addEventListener("change", (e) => { state.view.cohort = e.target.value; renderTable(); renderCharts(); });
  $("#export-xlsx").addEventListener("click", () => exportAs("xlsx"));
  $("#export-csv").addEventListener("click", () => exportAs("csv"));
  $("#export-json").addEventListener("click", () => exportAs("json"));
  $("#print").addEventListener("click", openReportDialog);
  $("#print-now").addEventListener("click", () => {
    savePublication();
    renderPrint();
    window.print();
  });
  for (const id of ["pub-issuer", "pub-period", "pub-document", "pub-date", "pub-categories"]) $(`#${id}`).addEventListener(id === "pub-categories" ? "change" : "input", savePublication);
  $("#pub-reset").addEventListener("click", () => {
    store(`publication.${state.result?.report.rule_set.id}`, null);
    openReportDialog();
    if (!state.result?.batch) renderPrint();
  });
  $("#pub-to-rules").addEventListener("click", publicationToRules);
  $("#report-close").addEventListener("click", () => $("#report-dialog").close());
  $("#diff-close").addEventListener("click", () => $("#diff-dialog").close());
  $("#diff-rules").addEventListener("click", showDiff);
  $("#draft-bar").addEventListener("click", (e) => {
    const act = e.target.closest("button[data-act]")?.dataset.act;
    if (act === "diff") showDiff();
    else if (act === "download") downloadRules();
    else if (act === "revert") revertRules();
  });
  // Phone: the toolbar folds away behind one button.
  $("#menu-toggle").addEventListener("click", () => {
    const open = $("header.top").classList.toggle("open");
    $("#menu-toggle").setAttribute("aria-expanded", String(open));
  });
  $(".toolbar").addEventListener("click", (e) => {
    if (e.target.closest("button") && phone.matches) {
      $("header.top").classList.remove("open");
      $("#menu-toggle").setAttribute("aria-expanded", "false");
    }
  });
  $("#sort-select").addEventListener("change", (e) => {
    const [key, dir] = e.target.value.split(" ");
    Object.assign(state.view, { sort: key || null, dir: +dir || 1 });
    renderTable();
    renderCharts();
  });
  phone.addEventListener("change", () => renderTable());
  // Drafts are saved as one types; also when the page goes away.
  addEventListener("pagehide", saveDraft);
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && saveDraft());
  addEventListener("beforeprint", () => state.result?.batch && renderPrint());
  $("#run-cases").addEventListener("click", runCases);
  $("#stop").addEventListener("click", () => engine.stop("user"));
  $("#unit-close").addEventListener("click", () => $("#unit-dialog").close());
  $("#unit-dialog").addEventListener("click", (e) => { if (e.target.id === "unit-dialog") e.target.close(); });
  $("#save-rules").addEventListener("click", downloadRules);
  $("#revert-rules").addEventListener("click", revertRules);
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
    const files = [...(e.dataTransfer?.files ?? [])];
    const kinds = await Promise.all(files.map(readerFor));
    // Several data files at once, or any dropped on the open data-collection dialog: returned forms to merge.
    if (kinds.every((k) => k === "data-file") && (files.length > 1 || $("#collect-dialog").open)) return mergeReturns(files);
    // Results dropped together are the earlier periods, all of them (as picked in the toolbar).
    const results = files.filter((_, i) => kinds[i] === "previous-file");
    for (const [i, file] of files.entries()) if (kinds[i] !== "previous-file") await readers[kinds[i]](file);
    if (results.length) await readers["previous-file"](...results);
  });
}

async function copyDataErrors(button) {
  const errs = state.failure?.stage === "data" ? state.failure.errors : state.result?.dataErrors ?? [];
  const cell = (x) => String(x ?? "").replace(/[\t\n]+/g, " ");
  const text = ["代码\t行\t列\t列名\t单位编码\t单位名称\t位置\t问题\t怎么改", ...errs.map(problemOf).map((e) => [
    e.code, e.row || "", e.column_letter ?? (e.column || ""), e.header, e.unit, e.unit_name, placeOf(e), e.message, e.help,
  ].map(cell).join("\t"))].join("\n");
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
  markDrafts();
  // The rules last used come back, with their edit: a bundled rule set, or a file of one's own that was edited.
  const last = stored("last");
  const at = m.bundled.findIndex((b) => `bundled:${b.rulesPath}` === last);
  const file = typeof last === "string" && last.startsWith("file:") ? stored(`draft.${last}`) : null;
  if (file?.original != null) chooseFile(last.slice(5), file.original, file);
  else if (m.bundled.length) chooseBundled(Math.max(at, 0));
};

const SINGLE_FILE = !!document.getElementById("kaohe-worker");
wire();
render();
engine.start();
if ("serviceWorker" in navigator && location.protocol !== "file:" && !SINGLE_FILE) {
  navigator.serviceWorker.register("sw.js").catch(() => {});
}
