// The peers' input: a CSV of townships read into one plain object per unit, keyed by the rule
// set's field ids, with the blanks the rule set fills (`if_blank`) filled — the form
// json-rules-engine and ZEN take. kaohe reads the same bytes itself (`loadUnits`).

/** `if_blank` of rules/county-antidrug.rhai: what a blank cell means. */
export const IF_BLANK = {
  missing_pledges: 0, budget: true, station_staffed: true, late_reports: 0, open_issues: 0,
  farmland: true, sweeps: 0, pop_plants: 0, remote_sites: 0, plant_area: 0, lost: 0, no_help: 0,
  missing_files: 0, minors: 0, incidents: 0, info_adopted: 0, posts_50k: 0, posts_100k: 0,
  case_assist: 0, honors: 0, labs_elsewhere: 0, capped: false,
};

const TRUE = new Set(["是", "有", "true", "yes", "y", "1", "√", "✓"]);
const FALSE = new Set(["否", "无", "false", "no", "n", "0", "×", "✗"]);

/** Rows of a CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
export function csvRows(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); cell = "";
      rows.push(row); row = [];
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.length > 1 || r[0] !== "");
}

/**
 * The units of a CSV as objects keyed by field id, using the rule set's field list
 * (`ruleSet.info.fields`: name, label, aliases, type) to match headers and read cells.
 */
export function readUnits(text, fields) {
  const [header, ...rows] = csvRows(text);
  const cols = header.map((h) => fields.find((f) => f.label === h.trim() || f.aliases.includes(h.trim())));
  const missing = fields.filter((f) => !cols.includes(f) && f.required);
  if (missing.length) throw new Error(`no column for ${missing.map((f) => f.label).join(", ")}`);
  return rows.map((r) => {
    const u = {};
    for (const f of fields) u[f.name] = f.name in IF_BLANK ? IF_BLANK[f.name] : null;
    cols.forEach((f, k) => {
      if (!f) return;
      const raw = (r[k] ?? "").trim();
      if (raw === "") return;
      switch (f.type) {
        case "text": u[f.name] = raw; break;
        case "bool":
          if (TRUE.has(raw.toLowerCase())) u[f.name] = true;
          else if (FALSE.has(raw.toLowerCase())) u[f.name] = false;
          else throw new Error(`bad ${f.label}: ${raw}`);
          break;
        default: {
          const n = Number(raw.replace(/%$/, "").replaceAll(",", ""));
          if (!Number.isFinite(n)) throw new Error(`bad ${f.label}: ${raw}`);
          u[f.name] = n;
        }
      }
    });
    return u;
  });
}
