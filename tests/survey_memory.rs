//! A streamed reading of a respondents' file keeps tallies per unit, not rows: 400,000
//! respondents (about 27 MB of CSV, made as they are read) within 48 MB. Its own test binary:
//! the allocator's limit counts every thread of the process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kaohe::{survey, Rules};

#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

/// Rows of a respondents' file made as they are read, never held whole.
struct Generated {
    row: u64,
    rows: u64,
    line: Vec<u8>,
    at: usize,
}

impl std::io::Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.line.len() {
            if self.row > self.rows {
                return Ok(0);
            }
            self.line.clear();
            if self.row == 0 {
                self.line.extend_from_slice("序号,1、您居住在哪个镇（街道）？,3、您觉得您所在的镇（街道）治安状况如何？,4、您对公安机关的工作是否满意？,5、您是否知道本地正在开展平安创建活动？\n".as_bytes());
            } else {
                let r = self.row;
                let s = ["非常安全", "安全", "比较安全", "不清楚"][(r % 4) as usize];
                let m = ["非常满意", "满意", "不满意"][(r % 3) as usize];
                self.line
                    .extend_from_slice(format!("{r},第{}镇,{s},{m},知道\n", r % 50).as_bytes());
            }
            self.row += 1;
            self.at = 0;
        }
        let n = (self.line.len() - self.at).min(buf.len());
        buf[..n].copy_from_slice(&self.line[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_streamed_reading_keeps_tallies_per_unit_not_rows() {
    const ROWS: u64 = 400_000; // about 27 MB of CSV
    let rules = Rules::compile(
        "satisfaction-survey.rhai",
        include_str!("../rules/satisfaction-survey.rhai"),
    )
    .unwrap();
    let open = || Generated {
        row: 0,
        rows: ROWS,
        line: Vec::new(),
        at: 0,
    };
    let before = ALLOCATOR.allocated();
    ALLOCATOR.set_limit(before + (48 << 20)).unwrap();
    let ds = survey::read_stream(&rules, open, None);
    ALLOCATOR.set_limit(usize::MAX).unwrap();
    assert!(ds.errors.is_empty(), "{:?}", ds.errors);
    assert_eq!(ds.respondents.unwrap().counted, ROWS);
    assert_eq!(ds.units.len(), 50);
    let sat = rules.field_index("sat5").unwrap();
    let total: i64 = ds
        .units
        .iter()
        .map(|u| match u.values()[sat] {
            kaohe::Value::Int(n) => n,
            _ => 0,
        })
        .sum();
    assert_eq!(total, ROWS as i64 / 3);
}
