//! What a rule set declares about its survey (问卷声明): where each column is in a
//! respondents' file, each question's options and the unit fields their counts go to.

use rust_decimal::Decimal;

/// A column of the respondents' file, found by its header (表头): the question's text or its
/// leading words, other accepted headers, or the question's number in the questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header as the rule author wrote it: the whole text, or its leading words.
    pub header: String,
    /// Other accepted headers, matched the same way.
    pub aliases: Vec<String>,
    /// The question's number (题号): `3` matches `3、您觉得…`, `Q3.…`, `第3题…`.
    pub number: Option<u32>,
}

/// Post-stratification (事后分层加权): the columns that place a respondent in a stratum and
/// each stratum's share of the population, the same for every unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Strata {
    /// The columns (年龄段, 性别, 城乡 …); a stratum is one value of each, joined by `/`.
    pub by: Vec<Column>,
    /// Each stratum (`男/18-39岁`) and its population share; the shares add up to 1.
    pub cells: Vec<(String, Decimal)>,
}

/// One question (题目): its column, its answers and the unit fields that count them.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Stable id (`safety`).
    pub id: String,
    /// Where the answers are.
    pub column: Column,
    /// The answers in the base (有效选项), in the questionnaire's order.
    pub options: Vec<String>,
    /// For each option, the unit field that receives (or, in a file of counts, holds) how
    /// many respondents chose it.
    pub counts: Vec<usize>,
    /// Answers left out of the base (不计入基数: 不清楚, 拒答).
    pub excluded: Vec<String>,
    /// The unit field that receives (or holds) how many respondents are outside the base:
    /// those who gave an excluded answer or none (不清楚、拒答、未作答).
    pub excluded_count: Option<usize>,
    /// The code (序号) of each option, then of each excluded answer: by default 1, 2, 3 …
    /// in that order, as 问卷星 numbers a question's choices.
    pub codes: Vec<i64>,
    /// Where it is declared.
    pub pos: rhai::Position,
}

impl Question {
    /// Options and excluded answers together: code index 1 … = this list's entries
    /// (index 0 stands for no answer).
    pub fn answers(&self) -> impl Iterator<Item = &str> {
        self.options
            .iter()
            .chain(self.excluded.iter())
            .map(String::as_str)
    }

    /// How many answers a respondent can give, plus one for no answer.
    pub fn slots(&self) -> usize {
        self.options.len() + self.excluded.len() + 1
    }
}

/// How a published metric reads one question's answers: the index method of its
/// `#{ survey: […], points | share }` value, in the question's option order.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLink {
    /// The question.
    pub question: usize,
    /// What each option is worth: points (平均分法), or 100 for a chosen option and 0 for
    /// another (率值法).
    pub values: Vec<Decimal>,
    /// True for a share of chosen options (Wilson interval), false for mean points.
    pub share: bool,
}

/// The survey declared by `survey(#{ … })` and its `question(…)`s (问卷).
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    /// The column naming each respondent's unit (镇街、派出所), by name or code.
    pub unit: Column,
    /// The respondent's id (序号): a number given twice is an error.
    pub id: Option<Column>,
    /// A design weight per respondent (权重).
    pub weight: Option<Column>,
    /// Post-stratification to population shares.
    pub strata: Option<Strata>,
    /// The fewest answers in an index's base for it to stand as complete (最低有效样本量).
    pub min_sample: Option<u64>,
    /// The unit field that receives (or, in a file of counts, holds) each unit's number of
    /// respondents (有效样本数); in a file of counts every question's counts must add up to it.
    pub sample: Option<usize>,
    /// A yes/no unit field set to 是 when any of the unit's indices is below `min_sample`.
    pub short: Option<usize>,
    /// The questions, in declaration order.
    pub questions: Vec<Question>,
    /// For each metric of the rule set, the question it is computed from, when it is one.
    pub metric_links: Vec<Option<MetricLink>>,
    /// Where `survey(…)` is declared.
    pub pos: rhai::Position,
}

impl Survey {
    /// Every unit field the survey fills in: answer counts, excluded counts, sample size and
    /// the short-sample flag. A file of units need not have these columns.
    pub fn filled_fields(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .questions
            .iter()
            .flat_map(|q| q.counts.iter().copied().chain(q.excluded_count))
            .chain(self.sample)
            .chain(self.short)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The number of strata (1 without post-stratification).
    pub fn strata_count(&self) -> usize {
        self.strata.as_ref().map_or(1, |s| s.cells.len().max(1))
    }
}
