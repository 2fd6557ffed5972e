//! The engines under test, each from its own pre-built input to per-unit [`Outcome`]s: kaohe
//! (batch and explained report), ZEN, JSONLogic (datalogic-rs) and plain Rhai. The
//! hand-written floor is in `floor.rs`.

use crate::floor::hundredths;
use crate::gen::{self, Township};
use crate::rank::{rank, Outcome};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The rule set's grade names, in band order: a grade's index is its position.
#[derive(Clone)]
pub struct Bands(pub Vec<String>);

impl Bands {
    pub fn index(&self, name: &str) -> Result<u8, String> {
        self.0
            .iter()
            .position(|b| b == name)
            .and_then(|i| u8::try_from(i).ok())
            .ok_or_else(|| format!("unknown grade `{name}`"))
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

// ───────────────────────────── kaohe ─────────────────────────────

/// kaohe with the rule set compiled once.
pub struct Kaohe {
    pub rules: kaohe::Rules,
    pub bands: Bands,
}

impl Kaohe {
    pub fn compile(path: &Path) -> Result<Self, String> {
        let source = read(path)?;
        let rules = kaohe::Rules::compile(&path.display().to_string(), &source)
            .map_err(|e| e.to_string())?;
        let bands = Bands(rules.grades().map(String::from).collect());
        Ok(Self { rules, bands })
    }

    /// Parses CSV text into kaohe's units, as `kaohe assess` does.
    pub fn units(&self, csv: &str) -> Result<Vec<kaohe::Unit>, String> {
        let data = kaohe::read(&self.rules, "townships.csv", csv.as_bytes());
        if let Some(e) = data.errors.first() {
            return Err(format!("{} data errors, the first: {e}", data.errors.len()));
        }
        Ok(data.units)
    }

    /// The batch API's results as outcomes (ranks come from kaohe's own cohort stage).
    fn outcomes(&self, scores: Vec<kaohe::UnitScore>) -> Result<Vec<Outcome>, String> {
        scores
            .into_iter()
            .map(|s| {
                Ok(Outcome {
                    total: hundredths(s.total),
                    vetoed: s.vetoed(),
                    grade: s
                        .grade
                        .and_then(|g| u8::try_from(g).ok())
                        .ok_or("a unit has no grade")?,
                    rank: s.rank.ok_or("a unit has no rank")?,
                })
            })
            .collect()
    }

    /// The batch API on one core.
    pub fn batch(&self, units: &[kaohe::Unit]) -> Result<Vec<Outcome>, String> {
        let scores = self.rules.score_batch(units).map_err(|e| e.to_string())?;
        self.outcomes(scores)
    }

    /// The batch API on all cores.
    pub fn batch_parallel(&self, units: &[kaohe::Unit]) -> Result<Vec<Outcome>, String> {
        let scores = self
            .rules
            .score_batch_parallel(units)
            .map_err(|e| e.to_string())?;
        self.outcomes(scores)
    }

    /// The explained report (every reason, vetoes, consequences, statistics).
    pub fn explained(&self, units: &[kaohe::Unit]) -> Result<kaohe::Report, String> {
        self.rules.assess(units, None).map_err(|e| e.to_string())
    }

    /// The report's results in input order (the report is sorted by rank; units match by id).
    pub fn report_outcomes(
        &self,
        report: &kaohe::Report,
        towns: &[Township],
    ) -> Result<Vec<Outcome>, String> {
        let index: HashMap<&str, usize> = towns
            .iter()
            .enumerate()
            .map(|(i, t)| (t.code.as_str(), i))
            .collect();
        let mut out = vec![Outcome::default(); towns.len()];
        let mut seen = 0;
        for u in &report.units {
            let i = *index
                .get(u.id.as_str())
                .ok_or_else(|| format!("unit `{}` is not in the input", u.id))?;
            let total = u
                .total
                .ok_or_else(|| format!("unit `{}` has no total", u.id))?;
            out[i] = Outcome {
                total: hundredths(total),
                vetoed: u.vetoed,
                grade: self.bands.index(u.grade.as_deref().unwrap_or(""))?,
                rank: u.rank.unwrap_or(0),
            };
            seen += 1;
        }
        if seen != towns.len() {
            return Err(format!("the report has {seen} of {} units", towns.len()));
        }
        Ok(out)
    }
}

// ───────────────────────────── ZEN ─────────────────────────────

/// ZEN with the decision graph loaded and compiled once.
pub struct Zen {
    decision: zen_engine::Decision,
    bands: Bands,
}

impl Zen {
    pub fn load(path: &Path, bands: Bands) -> Result<Self, String> {
        let content: zen_engine::model::DecisionContent =
            serde_json::from_str(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        let engine = zen_engine::DecisionEngine::default();
        let mut decision = engine
            .create_decision(Arc::new(content))
            .map_err(|e| format!("{e:?}"))?;
        decision.compile();
        decision.validate().map_err(|e| format!("{e:?}"))?;
        Ok(Self { decision, bands })
    }

    /// ZEN's native input: one `Variable` per unit, from the unit's JSON object.
    pub fn inputs(towns: &[Township]) -> Vec<zen_engine::Variable> {
        towns
            .iter()
            .map(|t| zen_engine::Variable::from(gen::to_json(t)))
            .collect()
    }

    /// Evaluates every unit (a `Variable` clone is a reference-count increment), then ranks.
    pub fn run(&self, inputs: &[zen_engine::Variable]) -> Result<Vec<Outcome>, String> {
        let mut out = Vec::with_capacity(inputs.len());
        for input in inputs {
            let response = futures::executor::block_on(self.decision.evaluate(input.clone()))
                .map_err(|e| format!("{e:?}"))?;
            out.push(self.outcome(&response.result)?);
        }
        rank(&mut out);
        Ok(out)
    }

    fn outcome(&self, r: &zen_engine::Variable) -> Result<Outcome, String> {
        let total = r
            .dot("total")
            .and_then(|v| v.as_number())
            .ok_or_else(|| format!("no total in {}", r.to_value()))?;
        let vetoed = r
            .dot("vetoed")
            .and_then(|v| v.as_bool())
            .ok_or_else(|| format!("no vetoed in {}", r.to_value()))?;
        let grade = r
            .dot("grade")
            .and_then(|v| v.as_str().map(|s| self.bands.index(s)))
            .ok_or_else(|| format!("no grade in {}", r.to_value()))??;
        Ok(Outcome {
            total: hundredths(total),
            vetoed,
            grade,
            rank: 0,
        })
    }
}

// ───────────────────────────── JSONLogic ─────────────────────────────

/// datalogic-rs with the rule compiled once.
pub struct JsonLogic {
    engine: datalogic_rs::Engine,
    logic: datalogic_rs::Logic,
    bands: Bands,
}

/// JSONLogic's native input: every unit's JSON object in one arena.
pub struct JsonLogicInputs {
    arena: datalogic_rs::bumpalo::Bump,
    json: Vec<serde_json::Value>,
}

impl JsonLogicInputs {
    pub fn new(towns: &[Township]) -> Self {
        Self {
            arena: datalogic_rs::bumpalo::Bump::new(),
            json: towns.iter().map(gen::to_json).collect(),
        }
    }

    /// The arena values; the JSON objects are kept only as their source.
    pub fn values(&self) -> Vec<datalogic_rs::DataValue<'_>> {
        self.json
            .iter()
            .map(|j| datalogic_rs::DataValue::from_serde_value_in(j, &self.arena))
            .collect()
    }
}

impl JsonLogic {
    pub fn load(path: &Path, bands: Bands) -> Result<Self, String> {
        let doc: serde_json::Value =
            serde_json::from_str(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        let rule = doc
            .get("rule")
            .ok_or_else(|| format!("{}: no `rule`", path.display()))?;
        let engine = datalogic_rs::Engine::new();
        let logic = engine
            .compile(rule.to_string().as_str())
            .map_err(|e| e.to_string())?;
        Ok(Self {
            engine,
            logic,
            bands,
        })
    }

    fn outcome(&self, r: &datalogic_rs::DataValue<'_>) -> Result<Outcome, String> {
        let row = r
            .as_array()
            .and_then(|a| a.first())
            .and_then(|x| x.as_array())
            .filter(|a| a.len() == 3)
            .ok_or_else(|| format!("unexpected result {r}"))?;
        let total = row[0]
            .as_f64()
            .ok_or_else(|| format!("total is not a number in {r}"))?;
        let vetoed = row[1]
            .as_bool()
            .ok_or_else(|| format!("vetoed is not a bool in {r}"))?;
        let grade = self.bands.index(row[2].as_str().unwrap_or(""))?;
        Ok(Outcome {
            total: total.round() as i64,
            vetoed,
            grade,
            rank: 0,
        })
    }

    /// Evaluates every unit on one core (one session, reset per unit), then ranks.
    pub fn run(&self, inputs: &[datalogic_rs::DataValue<'_>]) -> Result<Vec<Outcome>, String> {
        let mut session = self.engine.session();
        let mut out = Vec::with_capacity(inputs.len());
        for input in inputs {
            let r = session
                .eval_borrowed(&self.logic, input)
                .map_err(|e| e.to_string())?;
            out.push(self.outcome(r)?);
            session.reset();
        }
        rank(&mut out);
        Ok(out)
    }

    /// Evaluates every unit on all cores (a session per worker), then ranks.
    pub fn run_parallel(
        &self,
        inputs: &[datalogic_rs::DataValue<'_>],
    ) -> Result<Vec<Outcome>, String> {
        let mut out = inputs
            .par_iter()
            .map_init(
                || self.engine.session(),
                |session, input| {
                    let r = session
                        .eval_borrowed(&self.logic, input)
                        .map_err(|e| e.to_string())
                        .and_then(|r| self.outcome(r));
                    session.reset();
                    r
                },
            )
            .collect::<Result<Vec<_>, _>>()?;
        rank(&mut out);
        Ok(out)
    }
}

// ───────────────────────────── plain Rhai ─────────────────────────────

/// A plain `rhai::Engine` with the script's AST compiled once.
pub struct PlainRhai {
    engine: rhai::Engine,
    ast: rhai::AST,
    bands: Bands,
}

impl PlainRhai {
    pub fn load(path: &Path, bands: Bands) -> Result<Self, String> {
        let engine = rhai::Engine::new();
        let ast = engine
            .compile(read(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self { engine, ast, bands })
    }

    /// Plain Rhai's native input: one object map per unit.
    pub fn inputs(towns: &[Township]) -> Vec<rhai::Dynamic> {
        towns
            .iter()
            .map(|t| rhai::Dynamic::from_map(gen::to_rhai(t)))
            .collect()
    }

    fn call(&self, scope: &mut rhai::Scope, u: rhai::Dynamic) -> Result<Outcome, String> {
        let options = rhai::CallFnOptions::new()
            .eval_ast(false)
            .rewind_scope(true);
        let r: rhai::Map = self
            .engine
            .call_fn_with_options(options, scope, &self.ast, "score", (u,))
            .map_err(|e| e.to_string())?;
        let total = r
            .get("total")
            .and_then(|v| {
                v.as_decimal()
                    .ok()
                    .or_else(|| v.as_int().ok().map(Decimal::from))
            })
            .ok_or("no total")?;
        let vetoed = r
            .get("vetoed")
            .and_then(|v| v.as_bool().ok())
            .ok_or("no vetoed")?;
        let grade = r
            .get("grade")
            .and_then(|v| v.clone().into_string().ok())
            .ok_or("no grade")?;
        Ok(Outcome {
            total: hundredths(total),
            vetoed,
            grade: self.bands.index(&grade)?,
            rank: 0,
        })
    }

    /// One call per unit with a reused scope, on one core; then ranks.
    pub fn run(&self, inputs: Vec<rhai::Dynamic>) -> Result<Vec<Outcome>, String> {
        let mut scope = rhai::Scope::new();
        let mut out = Vec::with_capacity(inputs.len());
        for u in inputs {
            out.push(self.call(&mut scope, u)?);
        }
        rank(&mut out);
        Ok(out)
    }

    /// The same on all cores (a scope per worker); then ranks.
    pub fn run_parallel(&self, inputs: Vec<rhai::Dynamic>) -> Result<Vec<Outcome>, String> {
        let mut out = inputs
            .into_par_iter()
            .map_init(rhai::Scope::new, |scope, u| self.call(scope, u))
            .collect::<Result<Vec<_>, _>>()?;
        rank(&mut out);
        Ok(out)
    }
}
