//! The seeded generator of synthetic townships for `rules/county-antidrug.rhai`, and the same
//! units in each engine's input form: CSV and JSON Lines text with the rule set's Chinese
//! headers, `serde_json::Value` and `rhai::Map` keyed by the field ids.
//!
//! Unit `i` is drawn from splitmix64 whose state starts at `mix(SEED ^ mix(i + 1))` (`mix`: the
//! splitmix64 finaliser), so it depends only on `SEED` and `i`: the first 10 000 units of every
//! size are the same 10 000.

use rust_decimal::Decimal;
use serde_json::{Map as JsonMap, Number, Value as Json};
use std::fmt::Write as _;
use std::str::FromStr;

/// The fixed seed (the bytes of "kaohe").
pub const SEED: u64 = 0x6B_616F_6865;

/// The splitmix64 finaliser: a bijective 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// splitmix64: one 64-bit state, a full-period sequence, good enough for test data.
pub struct Rng(u64);

impl Rng {
    /// The generator for unit `i`.
    pub fn for_unit(i: u64) -> Self {
        Self(mix(SEED ^ mix(i.wrapping_add(1))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }

    /// True with probability `p` percent.
    fn pct(&mut self, p: u64) -> bool {
        self.next() % 10_000 < p * 100
    }

    /// True with probability `p` per mille.
    fn permille(&mut self, p: u64) -> bool {
        self.next() % 1000 < p
    }

    /// A percentage with two decimals in `lo..=hi`, as hundredths.
    fn hundredths(&mut self, lo: i64, hi: i64) -> i64 {
        self.int(lo * 100, hi * 100)
    }

    /// A small count: 0 with probability `zero` percent, else geometric-ish up to `max`.
    fn small(&mut self, zero: u64, max: i64) -> i64 {
        if self.pct(zero) {
            return 0;
        }
        let mut n = 1;
        while n < max && self.pct(45) {
            n += 1;
        }
        n
    }
}

/// One township, typed: the hand-written floor's input and the source of every other form.
/// Percentages and areas are hundredths (`9735` = 97.35).
#[derive(Debug, Clone, PartialEq)]
pub struct Township {
    pub code: String,
    pub name: String,
    pub users: i64,
    pub missing_pledges: i64,
    pub meetings: i64,
    pub office_staff: i64,
    pub budget: bool,
    pub station_staffed: bool,
    pub late_reports: i64,
    pub open_issues: i64,
    /// `None`: no schools in the township (blank cell, not applicable).
    pub school_cover: Option<i64>,
    pub campaigns: i64,
    pub board_cover: i64,
    pub volunteers: i64,
    pub farmland: bool,
    pub sweeps: i64,
    pub pop_plants: i64,
    pub remote_sites: i64,
    pub plant_area: i64,
    pub sc_ordered: i64,
    pub sc_executed: i64,
    pub lost: i64,
    pub no_help: i64,
    pub missing_files: i64,
    pub social_workers: i64,
    pub offenders: i64,
    pub minors: i64,
    pub incidents: i64,
    pub reach: i64,
    pub satisfaction: i64,
    pub info_adopted: i64,
    pub posts_50k: i64,
    pub posts_100k: i64,
    pub case_assist: i64,
    pub honors: i64,
    pub labs_elsewhere: i64,
    pub capped: bool,
    /// Which `if_blank` cells the CSV leaves blank (bit per column in `COLUMNS` order).
    pub blanks: u64,
}

const PLACE: [&str; 24] = [
    "青石", "龙泉", "白沙", "桃源", "清水", "松林", "金山", "石门", "新田", "柳溪", "红岩", "河口",
    "双桥", "梅岭", "望江", "大坪", "长乐", "平安", "凤凰", "永兴", "东湖", "南岭", "西山", "北关",
];
const KIND: [&str; 3] = ["镇", "乡", "街道"];

/// Generates units `0..n`.
pub fn generate(n: usize) -> Vec<Township> {
    (0..n as u64).map(township).collect()
}

fn township(i: u64) -> Township {
    let mut r = Rng::for_unit(i);
    let code = format!("{}", 330_100_000_000u64 + i);
    let name = format!(
        "{}{}{}",
        PLACE[r.int(0, 23) as usize],
        if i >= 24 {
            format!("{}", i / 24)
        } else {
            String::new()
        },
        KIND[r.int(0, 2) as usize]
    );
    let users = if r.permille(5) { 0 } else { r.int(8, 260) };
    let farmland = !r.pct(10);
    let sweeps = if farmland { r.int(0, 9) } else { 0 };
    // 罂粟: most find none, some a few hundred, ~2 % enough for the veto (≥ 3000 株).
    let pop_plants = if r.pct(85) {
        0
    } else if r.pct(86) {
        r.int(1, 1400)
    } else {
        r.int(2500, 6000)
    };
    // 面积: only where plants were found; ~1 % of units ≥ 1 亩 (veto).
    let plant_area = if pop_plants == 0 {
        0
    } else if r.pct(93) {
        r.int(1, 90)
    } else {
        r.int(100, 250)
    };
    let sc_ordered = if r.pct(10) { 0 } else { r.int(1, 60) };
    let sc_executed = if sc_ordered == 0 {
        0
    } else if r.pct(70) {
        sc_ordered
    } else if r.pct(85) {
        (sc_ordered - r.int(1, 4)).max(0)
    } else {
        r.int(0, sc_ordered)
    };
    let offenders = if r.pct(5) { 0 } else { r.int(5, 400) };
    let minors = if offenders == 0 || r.pct(88) {
        0
    } else {
        r.int(1, 2)
    };
    let mut t = Township {
        code,
        name,
        users,
        missing_pledges: r.small(85, 4),
        meetings: r.int(0, 6),
        office_staff: if r.pct(5) {
            0
        } else if r.pct(22) {
            1
        } else {
            r.int(2, 4)
        },
        budget: !r.pct(8),
        station_staffed: !r.pct(12),
        late_reports: r.small(40, 12),
        open_issues: r.small(80, 4),
        school_cover: if r.pct(8) {
            None
        } else if r.pct(40) {
            Some(10_000)
        } else {
            Some(r.hundredths(85, 100))
        },
        campaigns: r.int(1, 9),
        board_cover: if r.pct(30) {
            10_000
        } else {
            r.hundredths(55, 100)
        },
        volunteers: r.int(10, 120),
        farmland,
        sweeps,
        pop_plants,
        remote_sites: r.small(95, 3),
        plant_area,
        sc_ordered,
        sc_executed,
        lost: if r.pct(5) {
            r.int(5, 12)
        } else {
            r.small(60, 4)
        },
        no_help: r.small(30, 20),
        missing_files: r.small(80, 4),
        social_workers: r.int(0, 10),
        offenders,
        minors,
        incidents: r.small(93, 2),
        reach: r.hundredths(90, 100),
        satisfaction: r.hundredths(88, 100),
        info_adopted: r.int(0, 30),
        posts_50k: r.int(0, 6),
        posts_100k: r.small(50, 4),
        case_assist: r.small(85, 3),
        honors: r.small(80, 3),
        labs_elsewhere: i64::from(r.permille(10)),
        capped: r.permille(10),
        blanks: 0,
    };
    // Blank cells where the rule set gives `if_blank` and the value is that default.
    for (bit, col) in COLUMNS.iter().enumerate() {
        if col.blank_ok && is_default(&t, col.id) && r.pct(20) {
            t.blanks |= 1 << bit;
        }
    }
    t
}

/// One CSV column: field id, Chinese header, and whether a blank cell means the default.
pub struct Column {
    pub id: &'static str,
    pub label: &'static str,
    blank_ok: bool,
}

const fn col(id: &'static str, label: &'static str, blank_ok: bool) -> Column {
    Column {
        id,
        label,
        blank_ok,
    }
}

/// Every field of the rule set, in declaration order.
pub const COLUMNS: [Column; 37] = [
    col("code", "单位编码", false),
    col("name", "单位名称", false),
    col("users", "登记吸毒人员数", false),
    col("missing_pledges", "责任状缺签份数", true),
    col("meetings", "党委政府专题研究禁毒工作次数", false),
    col("office_staff", "禁毒办专职工作人员数", false),
    col("budget", "禁毒经费列入财政预算", true),
    col("station_staffed", "社戒社康工作站专人在岗", true),
    col("late_reports", "禁毒信息迟报漏报次数", true),
    col("open_issues", "督导反馈问题未整改数", true),
    col("school_cover", "中小学禁毒教育覆盖率", false),
    col("campaigns", "集中宣传活动次数", false),
    col("board_cover", "村（社区）禁毒宣传栏覆盖率", false),
    col("volunteers", "注册禁毒志愿者人数", false),
    col("farmland", "辖区有耕地山林", true),
    col("sweeps", "踏查次数（2—9月）", true),
    col("pop_plants", "发现罂粟株数", true),
    col("remote_sites", "上级遥感监测发现种植点数", true),
    col("plant_area", "非法种植面积（亩）", true),
    col("sc_ordered", "责令社区戒毒社区康复人数", false),
    col("sc_executed", "社区戒毒社区康复执行到位人数", false),
    col("lost", "失控人员数", true),
    col("no_help", "帮教未落实人数", true),
    col("missing_files", "吸毒人员档案缺失份数", true),
    col("social_workers", "专职社工人数", false),
    col("offenders", "涉毒违法犯罪人员数", false),
    col("minors", "未成年涉毒人员数", true),
    col("incidents", "吸毒人员肇事肇祸案事件数", true),
    col("reach", "禁毒知识知晓率", false),
    col("satisfaction", "群众满意度", false),
    col("info_adopted", "禁毒信息被县级以上采用篇数", true),
    col("posts_50k", "新媒体作品阅读量5万至10万篇数", true),
    col("posts_100k", "新媒体作品阅读量10万以上篇数", true),
    col("case_assist", "协助破获制贩毒案件数", true),
    col("honors", "市级以上禁毒表彰次数", true),
    col("labs_elsewhere", "被异地查处制毒窝点数", true),
    col("capped", "因本单位致县被上级戴帽", true),
];

/// One cell's value, typed.
pub enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    /// Hundredths, written with two decimals.
    Hundredths(i64),
    Bool(bool),
    Blank,
}

fn is_default(t: &Township, id: &str) -> bool {
    match cell(t, id) {
        Cell::Int(n) | Cell::Hundredths(n) => n == 0,
        Cell::Bool(b) => b == (id != "capped"),
        _ => false,
    }
}

/// The value of field `id`.
pub fn cell<'a>(t: &'a Township, id: &str) -> Cell<'a> {
    match id {
        "code" => Cell::Text(&t.code),
        "name" => Cell::Text(&t.name),
        "users" => Cell::Int(t.users),
        "missing_pledges" => Cell::Int(t.missing_pledges),
        "meetings" => Cell::Int(t.meetings),
        "office_staff" => Cell::Int(t.office_staff),
        "budget" => Cell::Bool(t.budget),
        "station_staffed" => Cell::Bool(t.station_staffed),
        "late_reports" => Cell::Int(t.late_reports),
        "open_issues" => Cell::Int(t.open_issues),
        "school_cover" => t.school_cover.map_or(Cell::Blank, Cell::Hundredths),
        "campaigns" => Cell::Int(t.campaigns),
        "board_cover" => Cell::Hundredths(t.board_cover),
        "volunteers" => Cell::Int(t.volunteers),
        "farmland" => Cell::Bool(t.farmland),
        "sweeps" => Cell::Int(t.sweeps),
        "pop_plants" => Cell::Int(t.pop_plants),
        "remote_sites" => Cell::Int(t.remote_sites),
        "plant_area" => Cell::Hundredths(t.plant_area),
        "sc_ordered" => Cell::Int(t.sc_ordered),
        "sc_executed" => Cell::Int(t.sc_executed),
        "lost" => Cell::Int(t.lost),
        "no_help" => Cell::Int(t.no_help),
        "missing_files" => Cell::Int(t.missing_files),
        "social_workers" => Cell::Int(t.social_workers),
        "offenders" => Cell::Int(t.offenders),
        "minors" => Cell::Int(t.minors),
        "incidents" => Cell::Int(t.incidents),
        "reach" => Cell::Hundredths(t.reach),
        "satisfaction" => Cell::Hundredths(t.satisfaction),
        "info_adopted" => Cell::Int(t.info_adopted),
        "posts_50k" => Cell::Int(t.posts_50k),
        "posts_100k" => Cell::Int(t.posts_100k),
        "case_assist" => Cell::Int(t.case_assist),
        "honors" => Cell::Int(t.honors),
        "labs_elsewhere" => Cell::Int(t.labs_elsewhere),
        "capped" => Cell::Bool(t.capped),
        _ => Cell::Blank,
    }
}

/// `9735` → `97.35`.
pub fn hundredths_text(h: i64) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

/// `9735` → the exact decimal 97.35.
pub fn hundredths_decimal(h: i64) -> Decimal {
    Decimal::new(h, 2)
}

fn csv_cell(out: &mut String, t: &Township, bit: usize, c: &Column) {
    if t.blanks & (1 << bit) != 0 {
        return;
    }
    match cell(t, c.id) {
        Cell::Text(s) => out.push_str(s),
        Cell::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Hundredths(h) => out.push_str(&hundredths_text(h)),
        Cell::Bool(b) => out.push_str(if b { "是" } else { "否" }),
        Cell::Blank => {}
    }
}

/// CSV (UTF-8, comma-separated) with the rule set's Chinese headers.
pub fn to_csv(towns: &[Township]) -> String {
    let mut out = String::with_capacity(towns.len() * 160 + 1024);
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.label).collect();
    out.push_str(&headers.join(","));
    out.push('\n');
    for t in towns {
        for (bit, c) in COLUMNS.iter().enumerate() {
            if bit > 0 {
                out.push(',');
            }
            csv_cell(&mut out, t, bit, c);
        }
        out.push('\n');
    }
    out
}

/// JSON Lines: one object per unit keyed by the Chinese headers, blank cells as `null`.
pub fn to_jsonl(towns: &[Township]) -> String {
    let mut out = String::with_capacity(towns.len() * 900);
    for t in towns {
        let mut m = JsonMap::new();
        for (bit, c) in COLUMNS.iter().enumerate() {
            let v = if t.blanks & (1 << bit) != 0 {
                Json::Null
            } else {
                json_cell(t, c.id)
            };
            m.insert(c.label.to_string(), v);
        }
        out.push_str(&Json::Object(m).to_string());
        out.push('\n');
    }
    out
}

fn json_cell(t: &Township, id: &str) -> Json {
    match cell(t, id) {
        Cell::Text(s) => Json::String(s.to_string()),
        Cell::Int(n) => Json::from(n),
        Cell::Hundredths(h) => {
            Number::from_str(&hundredths_text(h)).map_or(Json::Null, Json::Number)
        }
        Cell::Bool(b) => Json::Bool(b),
        Cell::Blank => Json::Null,
    }
}

/// The unit as a JSON object keyed by field id (ZEN's and JSONLogic's input): defaults filled
/// in, `school_cover` `null` where the township has no schools; exact decimal numbers.
pub fn to_json(t: &Township) -> Json {
    let mut m = JsonMap::with_capacity(COLUMNS.len());
    for c in &COLUMNS {
        m.insert(c.id.to_string(), json_cell(t, c.id));
    }
    Json::Object(m)
}

/// The unit as a Rhai object map keyed by field id (plain Rhai's input): `()` for the blank
/// `school_cover`, decimals for percentages and areas.
pub fn to_rhai(t: &Township) -> rhai::Map {
    let mut m = rhai::Map::new();
    for c in &COLUMNS {
        let v = match cell(t, c.id) {
            Cell::Text(s) => rhai::Dynamic::from(s.to_string()),
            Cell::Int(n) => rhai::Dynamic::from_int(n),
            Cell::Hundredths(h) => rhai::Dynamic::from_decimal(hundredths_decimal(h)),
            Cell::Bool(b) => rhai::Dynamic::from_bool(b),
            Cell::Blank => rhai::Dynamic::UNIT,
        };
        m.insert(c.id.into(), v);
    }
    m
}

/// Every input value of a unit, for a mismatch report.
pub fn describe(t: &Township) -> String {
    let mut s = String::new();
    for c in &COLUMNS {
        let v = match cell(t, c.id) {
            Cell::Text(x) => x.to_string(),
            Cell::Int(n) => n.to_string(),
            Cell::Hundredths(h) => hundredths_text(h),
            Cell::Bool(b) => (if b { "是" } else { "否" }).to_string(),
            Cell::Blank => "（空）".to_string(),
        };
        let _ = writeln!(s, "    {} ({}) = {v}", c.label, c.id);
    }
    s
}
