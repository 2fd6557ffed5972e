//! The compiled rule set (规则集): plain Rust data built once from a Rhai script.
//!
//! Common scoring shapes are data here and run as native Rust; only `score`/`when`
//! closures call back into Rhai.

use rhai::FnPtr;
use rust_decimal::Decimal;

/// The type of a data field (字段类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldType {
    /// Free text (文本).
    Text,
    /// A whole number (整数).
    Int,
    /// An exact decimal number (数值).
    Number,
    /// A percentage, written `96.5%` or `96.5` (百分比); stored as 96.5.
    Percent,
    /// Yes or no (是/否).
    Bool,
}

impl FieldType {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => Self::Text,
            "int" => Self::Int,
            "number" => Self::Number,
            "percent" => Self::Percent,
            "bool" => Self::Bool,
            _ => return None,
        })
    }

    /// What a cell of this type must look like (应填…), in zh-CN and English, for data errors.
    pub(crate) fn expected(self) -> crate::messages::Text {
        use crate::messages::Text;
        match self {
            Self::Text => Text::new("文本", "text"),
            Self::Int => Text::new("整数", "a whole number"),
            Self::Number => Text::new("数值", "a number"),
            Self::Percent => Text::new(
                "百分比（如 96.5% 或 96.5）",
                "a percentage such as `96.5%` or `96.5`",
            ),
            Self::Bool => Text::new(
                "“是”或“否”（也可写 true/false、1/0）",
                "yes or no (`是`/`否`, `true`/`false`, `1`/`0`)",
            ),
        }
    }
}

/// One value of a unit's data. `Display` writes it as a reason does: `（空）` for a blank,
/// 是/否, a number without trailing zeros.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// Left blank, with no default.
    Missing,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number or percentage.
    Number(Decimal),
    /// Yes or no.
    Bool(bool),
}

impl Value {
    /// The value as a number, when it is one.
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Self::Int(i) => Some(Decimal::from(*i)),
            Self::Number(d) => Some(*d),
            Self::Bool(b) => Some(Decimal::from(u8::from(*b))),
            Self::Missing | Self::Text(_) => None,
        }
    }

    /// The value as people read it in a reason.
    pub fn display(&self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for Value {
    /// As people read it in a reason: `（空）` for a blank, 是/否, a number without trailing zeros.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing => f.write_str("（空）"),
            Self::Text(s) => f.write_str(s),
            Self::Int(i) => std::fmt::Display::fmt(i, f),
            Self::Number(d) => std::fmt::Display::fmt(&crate::figures::Fig(*d), f),
            Self::Bool(true) => f.write_str("是"),
            Self::Bool(false) => f.write_str("否"),
        }
    }
}

/// A name or text the rule set declares and every result repeats (a rule's id, label, text;
/// a field's name and header): shared, so that a unit's result holds a count, not a copy.
pub type Name = std::sync::Arc<str>;

/// A declared data field (字段).
#[derive(Debug, Clone)]
pub struct Field {
    /// The identifier scripts use (`u.lost`).
    pub(crate) name: Name,
    /// The Chinese column header.
    pub(crate) label: Name,
    /// Other accepted headers.
    pub(crate) aliases: Vec<String>,
    /// Its type.
    pub(crate) ty: FieldType,
    /// A blank cell is an error when true and there is no default.
    pub(crate) required: bool,
    /// The value of a blank cell.
    pub(crate) default: Option<Value>,
    /// The only values allowed (e.g. `乡镇`, `部门`; `1`, `2`, `3` for a number), as written;
    /// empty = any.
    pub(crate) one_of: Vec<String>,
    /// For a yes/no field, the only words for yes and for no (`yes: ["已建立"], no: ["未建立"]`);
    /// `None`: the usual ones (是/否、有/无、√/× …).
    pub(crate) spellings: Option<Box<Spellings>>,
    /// The range of a number (取值范围): by default a whole number from 0 and a percentage
    /// from 0 to 100; a value outside it is a data error.
    pub(crate) range: Range,
}

/// An area of the scheme (考核大类) and what it caps.
#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Its name, as items name it.
    pub(crate) name: String,
    /// The most its indicators' points count (本类上限).
    pub(crate) max: Decimal,
    /// The most its deductions take together (本项限扣N分); `None` for no limit.
    pub(crate) deduct_cap: Option<Decimal>,
    /// How its subtotal is rounded (本类得分保留N位小数); `None`: exact.
    pub(crate) round: Option<Rounding>,
}

/// A rounding a rubric asks for (保留N位小数): places and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounding {
    /// Decimal places kept.
    pub(crate) places: u32,
    /// Which way.
    pub(crate) mode: RoundMode,
}

/// Which way a rounding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundMode {
    /// 四舍五入: half away from zero.
    HalfUp,
    /// 舍去: towards zero.
    Down,
    /// 进一: away from zero.
    Up,
}

impl Rounding {
    /// `d` rounded this way.
    pub fn apply(self, d: Decimal) -> Decimal {
        use rust_decimal::RoundingStrategy as S;
        let strategy = match self.mode {
            RoundMode::HalfUp => S::MidpointAwayFromZero,
            RoundMode::Down => S::ToZero,
            RoundMode::Up => S::AwayFromZero,
        };
        d.round_dp_with_strategy(self.places, strategy)
    }

    /// `保留1位小数（四舍五入）`.
    pub fn words(self) -> String {
        let how = match self.mode {
            RoundMode::HalfUp => "四舍五入",
            RoundMode::Down => "舍去",
            RoundMode::Up => "进一",
        };
        if self.places == 0 {
            format!("保留整数（{how}）")
        } else {
            format!("保留{}位小数（{how}）", self.places)
        }
    }
}

/// The words a yes/no field takes (是/否的写法), when the rule set declares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spellings {
    /// The words for yes.
    pub(crate) yes: Vec<String>,
    /// The words for no.
    pub(crate) no: Vec<String>,
}

impl Spellings {
    /// The value a cell's words stand for, if they are one of them.
    pub fn read(&self, t: &str) -> Option<bool> {
        if self.yes.iter().any(|w| w == t) {
            Some(true)
        } else if self.no.iter().any(|w| w == t) {
            Some(false)
        } else {
            None
        }
    }

    /// Every word, yes first.
    pub fn all(&self) -> Vec<String> {
        self.yes.iter().chain(&self.no).cloned().collect()
    }
}

/// The values a numeric field allows (取值范围), each end included; `None` for no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Range {
    /// The least value allowed.
    pub(crate) min: Option<Decimal>,
    /// The greatest value allowed.
    pub(crate) max: Option<Decimal>,
    /// Whether the rule set wrote the range (else it is the type's default).
    pub(crate) declared: bool,
}

impl Range {
    /// The default range of a type: counts from 0, percentages 0–100.
    pub fn of(ty: FieldType) -> Self {
        match ty {
            FieldType::Int => Self {
                min: Some(Decimal::ZERO),
                ..Self::default()
            },
            FieldType::Percent => Self {
                min: Some(Decimal::ZERO),
                max: Some(Decimal::ONE_HUNDRED),
                declared: false,
            },
            _ => Self::default(),
        }
    }

    /// Whether a value lies within the range (anything not a number does).
    pub fn holds(&self, v: &Value) -> bool {
        match v {
            // The usual count: from 0, no upper limit.
            Value::Int(i) if self.max.is_none() && self.min == Some(Decimal::ZERO) => *i >= 0,
            Value::Int(i) => {
                self.min.is_none_or(|m| Decimal::from(*i) >= m)
                    && self.max.is_none_or(|m| Decimal::from(*i) <= m)
            }
            Value::Number(d) => {
                self.min.is_none_or(|m| *d >= m) && self.max.is_none_or(|m| *d <= m)
            }
            _ => true,
        }
    }
}

/// A comparison bound (界限), each with explicit inclusiveness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// `>= x` (含).
    AtLeast(Decimal),
    /// `> x` (不含).
    Above(Decimal),
    /// `<= x` (含).
    AtMost(Decimal),
    /// `< x` (不含).
    Below(Decimal),
    /// `== x`.
    Equals(Decimal),
}

impl Bound {
    /// Whether `v` meets the bound.
    pub fn holds(self, v: Decimal) -> bool {
        let x = self.limit();
        // Same scale (whole numbers against whole numbers): compare the integers.
        let order = if v.scale() == x.scale() {
            v.mantissa().cmp(&x.mantissa())
        } else {
            v.cmp(&x)
        };
        match self {
            Self::AtLeast(_) => order.is_ge(),
            Self::Above(_) => order.is_gt(),
            Self::AtMost(_) => order.is_le(),
            Self::Below(_) => order.is_lt(),
            Self::Equals(_) => order.is_eq(),
        }
    }

    /// The value the bound compares with (`90` in `≥ 90`).
    pub fn limit(self) -> Decimal {
        match self {
            Self::AtLeast(x)
            | Self::Above(x)
            | Self::AtMost(x)
            | Self::Below(x)
            | Self::Equals(x) => x,
        }
    }

    /// The same comparison with another value.
    pub fn with_limit(self, x: Decimal) -> Self {
        match self {
            Self::AtLeast(_) => Self::AtLeast(x),
            Self::Above(_) => Self::Above(x),
            Self::AtMost(_) => Self::AtMost(x),
            Self::Below(_) => Self::Below(x),
            Self::Equals(_) => Self::Equals(x),
        }
    }
}

impl std::fmt::Display for Bound {
    /// `≥ 90`, `< 5`: as [`Bound::describe`] writes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (sign, x) = match *self {
            Self::AtLeast(x) => ("≥", x),
            Self::Above(x) => (">", x),
            Self::AtMost(x) => ("≤", x),
            Self::Below(x) => ("<", x),
            Self::Equals(x) => ("=", x),
        };
        write!(f, "{sign} {}", x.normalize())
    }
}

/// What an indicator measures (取值): a field, a ratio of two fields, or a closure.
#[derive(Debug, Clone)]
pub enum Measure {
    /// A field, by index.
    Field(usize),
    /// `num / den × scale`; a zero denominator counts as met.
    Ratio {
        /// Numerator field.
        num: usize,
        /// Denominator field.
        den: usize,
        /// Multiplier (100 for a percentage, 30 for "one per 30").
        scale: Decimal,
    },
    /// A Rhai closure `|u| …` returning a number.
    Closure(FnPtr),
    /// A survey index from answer counts (问卷指数: 安全感, 满意度).
    Survey {
        /// One count field per answer category, best first.
        counts: Vec<usize>,
        /// How the counts become an index.
        method: SurveyMethod,
    },
    /// A published metric's (rounded) value, by index into [`RuleSet::metrics`].
    Metric(usize),
    /// A declared parameter's value (参数: 上年度全省平均、市定目标).
    Param(usize),
    /// A statistic of a field or metric over the unit's cohort, or over the units sharing its
    /// value of another field (组内平均、中位数、最高、最低).
    Stat {
        /// What the statistic is of.
        target: LinkTarget,
        /// The field grouping units, when not the cohort.
        by: Option<usize>,
        /// Which statistic.
        stat: Stat,
    },
    /// One value less another (与平均值、基准值之差).
    Diff(Box<Measure>, Box<Measure>),
    /// A figure of the previous period (`--previous`): rank, total or an item's points; blank
    /// for a unit that period did not list (上期无此单位).
    Previous(crate::previous::PreviousValue),
    /// A value from other units (捆绑考核, 办事处成绩计入派出所).
    Linked {
        /// What is read on the other units: a field or a metric.
        field: LinkTarget,
        /// The field that links units.
        link: usize,
        /// How the values are combined.
        op: LinkOp,
    },
}

/// A statistic over a group of units (组内统计).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stat {
    /// 平均值, rounded half-up to the rule set's decimals.
    Mean,
    /// 中位数 (the mean of the two middle values for an even count), rounded alike.
    Median,
    /// 最高值.
    Max,
    /// 最低值.
    Min,
}

impl Stat {
    /// The statistic in words: 平均值, 中位数, 最高值, 最低值.
    pub fn words(self) -> &'static str {
        match self {
            Self::Mean => "平均值",
            Self::Median => "中位数",
            Self::Max => "最高值",
            Self::Min => "最低值",
        }
    }
}

/// A declared parameter (参数): a figure from outside the data, named and shown where used.
#[derive(Debug, Clone)]
pub struct Param {
    /// Stable id, as VALUEs name it.
    pub(crate) id: Name,
    /// Chinese label (上年度全省平均破案率).
    pub(crate) label: Name,
    /// Its value for the runs that follow: the declared one, or one given for the run
    /// ([`crate::Rules::set_params`]).
    pub(crate) value: Decimal,
    /// The value the rule set declares.
    pub(crate) declared: Decimal,
}

/// How survey answer counts become an index.
#[derive(Debug, Clone)]
pub enum SurveyMethod {
    /// Mean points per answer: Σ count × points / Σ count (满意度 = 平均分).
    Mean(Vec<Decimal>),
    /// Share of answers in the chosen categories × 100 (满意率, 安全感 = 安全 + 比较安全).
    Share(Vec<bool>),
}

/// What a linked value reads on the other units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A data field, by index.
    Field(usize),
    /// A metric declared earlier (安全感指数), by index.
    Metric(usize),
}

/// How a linked value is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOp {
    /// Sum of `field` over the units whose `link` field holds this unit's id.
    Sum,
    /// Mean of `field` over the units whose `link` field holds this unit's id.
    Mean,
    /// `field` of the unit whose id is in this unit's `link` field.
    Lookup,
}

/// A published figure (公布指标), such as a survey index with 4 decimals, optionally ranked.
#[derive(Debug, Clone)]
pub struct Metric {
    /// Stable id.
    pub(crate) id: Name,
    /// Chinese label.
    pub(crate) label: Name,
    /// What it measures.
    pub(crate) measure: Measure,
    /// Published decimals (half-up); the rounded value is what ranks and rules see.
    pub(crate) decimals: u32,
    /// Whether units are ranked on it within their cohort.
    pub(crate) rank: bool,
    /// Smaller is better.
    pub(crate) ascending: bool,
    /// Where the rule is declared.
    pub(crate) pos: rhai::Position,
}

/// What a roll-up combines (汇总).
#[derive(Debug, Clone)]
pub enum RollupValue {
    /// Units' totals.
    Total,
    /// A metric, by index.
    Metric(usize),
    /// A field, by index.
    Field(usize),
}

/// How a roll-up combines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollupMethod {
    /// Mean.
    Mean,
    /// Sum.
    Sum,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
}

/// A figure for a group of units, such as a county total from its townships (汇总).
#[derive(Debug, Clone)]
pub struct Rollup {
    /// Stable id.
    pub(crate) id: String,
    /// Chinese label.
    pub(crate) label: String,
    /// The field naming the group; `None` rolls up every unit.
    pub(crate) by: Option<usize>,
    /// What is combined.
    pub(crate) value: RollupValue,
    /// How.
    pub(crate) method: RollupMethod,
    /// Vetoed units are left out when false.
    pub(crate) include_vetoed: bool,
}

/// A yes/no test on a unit's data (条件).
#[derive(Debug, Clone)]
pub enum Condition {
    /// Compare a field with a bound.
    Compare(usize, Bound),
    /// A text or boolean field equals a value.
    Is(usize, Value),
    /// Every one of these holds (并且).
    All(Vec<Condition>),
    /// At least one of these holds (或者).
    Any(Vec<Condition>),
    /// This does not hold (不是、未被): `#{ not: CONDITION }`.
    Not(Box<Condition>),
    /// A Rhai closure `|u| …` returning true or false.
    Closure(FnPtr),
    /// A VALUE (not a closure) compared with a bound: a parameter, a cohort figure, a
    /// difference, the previous period (`#{ value: #{ previous: "acc" }, below: 0 }`); blank
    /// does not hold.
    Value(Measure, Bound),
    /// The previous period's grade or consequences (`#{ previous_grade: "不合格" }`,
    /// `#{ previous_consequence: "黄牌" }`); a unit that period did not list has neither.
    Previous(crate::previous::PreviousLabel),
}

pub(crate) use crate::shapes::{Count, Deduct, Shape};

/// What kind of item (项目类别) it is: how its points count toward the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemKind {
    /// A scored indicator (指标).
    Indicator,
    /// Bonus points (加分).
    Bonus,
    /// A deduction (扣分项, 负面清单): points of 0 or less, taken from the scheme's base with no
    /// floor but its own `cap` (本项限扣) and its category's `deduct_cap`.
    Deduction,
    /// Scored against the cohort after every unit is scored (排名指标).
    Cohort,
}

/// An indicator or bonus item (考核指标 / 加分项).
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable id, such as `org.pledge`.
    pub(crate) id: Name,
    /// Chinese label.
    pub(crate) label: Name,
    /// Area it belongs to (考核大类).
    pub(crate) category: Option<Name>,
    /// Maximum points.
    pub(crate) max: Decimal,
    /// How it is scored.
    pub(crate) shape: Shape,
    /// The rule author's words.
    pub(crate) text: Name,
    /// When false, the item does not apply and counts as full marks (不适用按满分).
    pub(crate) applies: Option<Condition>,
    /// When false, the unit is not assessed on this item at all: it is left out of the unit's
    /// items (乡镇指标 / 部门指标 in one rule set).
    pub(crate) only: Option<Condition>,
    /// A blank measured field counts as full marks.
    pub(crate) blank_is_full: bool,
    /// Indicator, bonus or deduction.
    pub(crate) kind: ItemKind,
    /// For a deduction: the most it takes (本项限扣N分); `None` for no limit.
    pub(crate) deduct_cap: Option<Decimal>,
    /// How its points are rounded (本项保留N位小数); `None`: as its shape gives them.
    pub(crate) round: Option<Rounding>,
    /// Where the rule is declared.
    pub(crate) pos: rhai::Position,
}

/// How a cohort indicator turns a unit's place in its cohort into points.
#[derive(Debug, Clone)]
pub enum CohortMethod {
    /// Points by rank: first entry to rank 1 (名次赋分).
    RankPoints(Vec<Decimal>),
    /// Full marks within the top N (进入前N名).
    Top(usize),
    /// `max × value / cohort average`, capped at max (与平均值比较).
    VsAverage,
    /// `max × value / best value` (第一名满分，其余按比例).
    ProportionalToBest,
    /// Points by the change of place since the previous period (名次进退): the first of
    /// `down` (places fallen, points taken) and of `up` (places gained, points given) the
    /// change reaches, each list from the largest change. The place is the one the unit has
    /// before these points (本项计入前的名次).
    RankChange {
        /// (places fallen at least, points taken), largest first.
        down: Vec<(u32, Decimal)>,
        /// (places gained at least, points given), largest first.
        up: Vec<(u32, Decimal)>,
    },
    /// Points from the unit's sub-units (下级单位计入上级): their places in their own cohort
    /// ("所辖乡镇排名末两位的，每个扣0.5分") or their totals ("所辖乡镇平均得分的10%计入"). The
    /// sub-units are the units whose `over` field holds this unit's id.
    Rollup {
        /// The field of a sub-unit that holds its parent's id (所属单位).
        over: usize,
        /// What of the sub-units counts, and how.
        rule: SubRule,
    },
}

/// What of a unit's sub-units earns it points (下级单位的名次或得分).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubRule {
    /// Each sub-unit placed as `place` says earns `each` (negative: taken); what is taken stops
    /// at `cap`, what is given at the item's `max`.
    Places {
        /// Which places count.
        place: SubPlace,
        /// Points per sub-unit so placed.
        each: Decimal,
        /// The most taken (本项限扣), when `each` is negative.
        cap: Option<Decimal>,
    },
    /// `scale` × the sum or mean of the sub-units' totals, rounded to the rule set's decimals,
    /// at most the item's `max`.
    Totals {
        /// Mean (平均) rather than sum (合计).
        mean: bool,
        /// The share counted (计入比例).
        scale: Decimal,
    },
}

/// Which places of a sub-unit count for its parent (下级单位的名次).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubPlace {
    /// Among the N worst rank numbers of its cohort (末N位, ties included: 后三名).
    BottomRanks(u32),
    /// Ranked N or better (前N名).
    TopRanks(u32),
}

/// An item scored against the cohort (排名类指标).
#[derive(Debug, Clone)]
pub struct CohortItem {
    /// Stable id.
    pub(crate) id: Name,
    /// Chinese label.
    pub(crate) label: Name,
    /// Area it belongs to.
    pub(crate) category: Option<Name>,
    /// Maximum points.
    pub(crate) max: Decimal,
    /// What is compared.
    pub(crate) measure: Measure,
    /// How points follow from the comparison.
    pub(crate) method: CohortMethod,
    /// Smaller values are better (e.g. case rates).
    pub(crate) ascending: bool,
    /// When false for a unit, the unit takes no part in this comparison and the item is left
    /// out of its items (`only`).
    pub(crate) only: Option<Condition>,
    /// The rule author's words.
    pub(crate) text: Name,
    /// Where the rule is declared.
    pub(crate) pos: rhai::Position,
}

/// A one-vote veto (一票否决).
#[derive(Debug, Clone)]
pub struct Veto {
    /// Stable id.
    pub(crate) id: String,
    /// Chinese label.
    pub(crate) label: String,
    /// When it strikes.
    pub(crate) when: Condition,
    /// The reason read out.
    pub(crate) reason: String,
    /// Where the rule is declared.
    pub(crate) pos: rhai::Position,
}

/// Where a vetoed unit ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoRank {
    /// After every unit that was not vetoed (排在最后).
    Last,
    /// Not ranked at all (不参与排名).
    Excluded,
    /// Ranked by points like any other unit.
    Normal,
}

/// What a veto does to a unit (否决后果).
#[derive(Debug, Clone)]
pub struct VetoPolicy {
    /// The grade forced on a vetoed unit; `None` keeps the grade its points earn.
    pub(crate) grade: Option<String>,
    /// Whether a vetoed unit may still receive awards (评优).
    pub(crate) awards: bool,
    /// Where it ranks.
    pub(crate) rank: VetoRank,
    /// Whether its points are still shown.
    pub(crate) show_points: bool,
}

/// A prerequisite (必备条件) for some grades.
#[derive(Debug, Clone)]
pub struct Prerequisite {
    /// Stable id.
    pub(crate) id: String,
    /// Chinese label.
    pub(crate) label: String,
    /// What must hold.
    pub(crate) when: Condition,
    /// The grades that need it.
    pub(crate) grades: Vec<String>,
    /// Where the rule is declared.
    pub(crate) pos: rhai::Position,
}

/// What a 通报 prints in its heading (发文信息): `ruleset(#{ issuer, period, document })`.
/// The browser lets an evaluator fill in or change each for one 通报.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Publication {
    /// The issuing body (发文单位), such as `某县禁毒委员会办公室`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The period assessed (考核期间), such as `2026年上半年`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The document number (文号), such as `某禁毒办〔2026〕12号`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// A grade band (等次) with explicit bounds and an optional quota.
#[derive(Debug, Clone)]
pub struct Band {
    /// Grade name (优秀, 先进, 一级, ★★★ …).
    pub(crate) name: String,
    /// Every bound must hold.
    pub(crate) bounds: Vec<Bound>,
    /// At most this share of the cohort (by rank).
    pub(crate) quota: Option<Decimal>,
}

/// How ties rank (并列名次).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TiePolicy {
    /// 1-2-2-4, as a spreadsheet's RANK.
    Competition,
    /// 1-2-2-3.
    Dense,
}

/// A condition on a unit's result, for consequences (处理结果条件).
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Among the last N ranked in its cohort (by position: ranks …19, 20, 21, 21 with
    /// `bottom: 3` are the last three units).
    Bottom(usize),
    /// Has one of the N worst rank numbers in its cohort (后三名 by rank number: ranks …19,
    /// 20, 21, 21 with `bottom_ranks: 3` are all four units).
    BottomRanks(usize),
    /// Among the first N ranked in its cohort.
    Top(usize),
    /// Has this grade.
    Grade(String),
    /// Vetoed by any veto.
    Vetoed,
    /// Vetoed by this veto id.
    Veto(String),
    /// Total below this.
    TotalBelow(Decimal),
    /// The unit's state after this period has this `status` (挂牌, 摘牌 …).
    State(String),
    /// Ranked better than in the previous period (名次上升, 进步).
    Improved,
    /// Drew this other consequence (for `consecutive`: 连续两次被亮黄牌).
    Consequence(String),
    /// The outcome `of` held this period and in each of the `periods − 1` before it (连续 N 期,
    /// from `--history`); a unit short of results for some period does not meet it.
    Consecutive {
        /// How many periods in a row, this one included.
        periods: usize,
        /// What held in each.
        of: Box<Outcome>,
    },
    /// A condition on the unit's data, such as `#{ field: "lost", at_least: 5 }`.
    Data(Condition),
    /// A Rhai closure `|r| …` over the result.
    Closure(FnPtr),
}

/// A consequence (通报批评, 黄牌, 约谈, 表彰 …).
#[derive(Debug, Clone)]
pub struct Consequence {
    /// Its name.
    pub(crate) name: String,
    /// When it applies.
    pub(crate) when: Outcome,
    /// The reason read out.
    pub(crate) reason: String,
    /// Where the rule is declared.
    pub(crate) pos: rhai::Position,
}

/// The whole compiled rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Stable id.
    pub(crate) id: String,
    /// Title (考核办法名称).
    pub(crate) title: String,
    /// The file it came from.
    pub(crate) source: String,
    /// Points of the base scale (百分制 → 100).
    pub(crate) max: Decimal,
    /// Total bonus cap (累计加分上限).
    pub(crate) bonus_max: Option<Decimal>,
    /// Points every unit starts from (基础分), before its items: 100 for a scheme that only
    /// deducts (负面清单); 0 when items add up the whole scale.
    pub(crate) base: Decimal,
    /// Decimals shown and published for totals (half-up).
    pub(crate) decimals: u32,
    /// Who issues the 通报, for which period, under which number.
    pub(crate) publication: Publication,
    /// Declared fields.
    pub(crate) fields: Vec<Field>,
    /// The field identifying a unit.
    pub(crate) id_field: usize,
    /// The field naming a unit.
    pub(crate) name_field: Option<usize>,
    /// The field grouping units into cohorts.
    pub(crate) cohort_field: Option<usize>,
    /// Areas and their caps.
    pub(crate) categories: Vec<Category>,
    /// Indicators and bonus items, in declaration order.
    pub(crate) items: Vec<Item>,
    /// Items scored against the cohort.
    pub(crate) cohort_items: Vec<CohortItem>,
    /// One-vote vetoes.
    pub(crate) vetoes: Vec<Veto>,
    /// What a veto does.
    pub(crate) veto_policy: VetoPolicy,
    /// Prerequisites for grades.
    pub(crate) prerequisites: Vec<Prerequisite>,
    /// Grade bands, best first.
    pub(crate) bands: Vec<Band>,
    /// Tie policy of the ranking.
    pub(crate) ties: TiePolicy,
    /// Consequences, in declaration order.
    pub(crate) consequences: Vec<Consequence>,
    /// Published figures, in declaration order.
    pub(crate) metrics: Vec<Metric>,
    /// Declared parameters (参数), in declaration order.
    pub(crate) params: Vec<Param>,
    /// The state carried from period to period (挂牌/摘牌): `|u, prev, r| #{ status: … }`.
    pub(crate) state: Option<FnPtr>,
    /// Group figures.
    pub(crate) rollups: Vec<Rollup>,
    /// The survey, when the rule set reads respondents' answers (问卷): `survey(…)` and its
    /// `question(…)`s.
    pub(crate) survey: Option<crate::survey::Survey>,
}

impl RuleSet {
    /// Finds a field by identifier.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| &*f.name == name)
    }

    /// How many items a unit is scored on: the items, then the cohort items — the length of a
    /// unit's points (`UnitScore::items`).
    pub fn item_count(&self) -> usize {
        self.items.len() + self.cohort_items.len()
    }

    /// The cohort a unit is ranked in (组别): its cohort field's value, `全部` (all) when the
    /// rule set has no cohorts.
    pub fn cohort_of(&self, unit: &crate::data::Unit) -> String {
        self.cohort_field
            .and_then(|c| unit.values.get(c))
            .map_or_else(|| ALL_UNITS.to_string(), Value::display)
    }
}

/// The one cohort of a rule set without cohorts (全部).
pub const ALL_UNITS: &str = "全部";
