//! English identifiers for generated fields, items and sections, from the Chinese words of
//! their labels (a small glossary of the domain's words), made unique.

use std::collections::HashSet;

/// Domain words and the English a rule editor would write for them; longer words first where
/// one holds another.
const GLOSSARY: &[(&str, &str)] = &[
    ("办案区", "case_room"),
    ("组织领导", "org"),
    ("宣传教育", "edu"),
    ("禁种铲毒", "grass"),
    ("基层基础", "base"),
    ("基础工作", "basic"),
    ("执法办案", "law"),
    ("治安防控", "order"),
    ("服务群众", "service"),
    ("队伍建设", "team"),
    ("打击防范", "strike"),
    ("矛盾化解", "disputes"),
    ("公众评价", "eval"),
    ("群众评价", "eval"),
    ("加分", "bonus"),
    ("否决", "veto"),
    ("责任状", "pledge"),
    ("责任制", "duty"),
    ("专题研究", "meetings"),
    ("会议", "meetings"),
    ("经费", "budget"),
    ("预算", "budget"),
    ("禁毒办", "office"),
    ("工作站", "station"),
    ("信息", "info"),
    ("报送", "report"),
    ("整改", "rectify"),
    ("督导", "inspection"),
    ("学校", "school"),
    ("中小学", "school"),
    ("宣传栏", "board"),
    ("宣传", "publicity"),
    ("志愿者", "volunteers"),
    ("踏查", "sweeps"),
    ("罂粟", "poppy"),
    ("遥感", "remote"),
    ("种植", "planting"),
    ("社区戒毒", "rehab"),
    ("执行率", "execution"),
    ("失控", "lost"),
    ("管控", "control"),
    ("帮教", "help"),
    ("档案", "files"),
    ("社工", "workers"),
    ("未成年", "minors"),
    ("肇事肇祸", "incidents"),
    ("知晓率", "awareness"),
    ("满意度", "satisfaction"),
    ("安全感", "safety"),
    ("表彰", "honors"),
    ("新媒体", "media"),
    ("案件", "cases"),
    ("制毒", "labs"),
    ("戴帽", "capped"),
    ("越级上访", "leapfrog"),
    ("上访", "petitions"),
    ("信访", "petitions"),
    ("矛盾纠纷", "disputes"),
    ("群体性事件", "mass_incidents"),
    ("刑事", "criminal"),
    ("可防性", "preventable"),
    ("视频监控", "video"),
    ("技防", "video"),
    ("天网", "video"),
    ("吸毒人员", "users"),
    ("专职人员", "staff"),
    ("人员", "staff"),
    ("平安", "safe"),
    ("综治中心", "center"),
    ("人口", "population"),
    ("重点人员", "key_persons"),
    ("民警", "police"),
    ("执法", "enforcement"),
    ("办结", "closed"),
    ("超期", "overdue"),
    ("娱乐场所", "venues"),
    ("接处警", "dispatch"),
    ("窗口", "window"),
    ("纪律", "discipline"),
    ("处分", "discipline"),
    ("事故", "accidents"),
    ("瞒报", "coverup"),
    ("违法犯罪", "crime"),
    ("打击", "strike"),
    ("防范", "prevention"),
    ("队伍", "team"),
    ("服务", "service"),
    ("治安", "order"),
    ("毒情", "drug_situation"),
    ("整治", "rectify"),
    ("禁毒", "antidrug"),
];

/// The English words for the glossary words in `label`, in the order they appear, at most
/// `most`.
fn words(label: &str, most: usize) -> Vec<&'static str> {
    let mut found: Vec<(usize, &'static str)> = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for (zh, en) in GLOSSARY {
        if let Some(i) = label.find(zh) {
            let span = (i, i + zh.len());
            if taken.iter().any(|t| span.0 < t.1 && t.0 < span.1) {
                continue;
            }
            taken.push(span);
            if !found.iter().any(|f| f.1 == *en) {
                found.push((i, en));
            }
        }
    }
    found.sort_by_key(|f| f.0);
    // 禁毒 names nearly everything in an anti-drug rubric: a word only when alone.
    if found.len() > 1 {
        found.retain(|f| f.1 != "antidrug");
    }
    found.into_iter().map(|f| f.1).take(most).collect()
}

/// Makes identifiers unique within one kind (fields, or items).
#[derive(Debug, Default)]
pub struct Names {
    used: HashSet<String>,
}

impl Names {
    /// Names reserved beforehand (`code`, `name`).
    pub fn reserving(names: &[&str]) -> Self {
        Self {
            used: names.iter().map(ToString::to_string).collect(),
        }
    }

    /// A new identifier for `label`: glossary words joined by `_` after `prefix`, or
    /// `fallback`, numbered when taken.
    pub fn make(&mut self, prefix: &str, label: &str, fallback: &str) -> String {
        // An item's id does not repeat its section's word: `law.quality`, not `law.law`.
        let section = prefix.trim_end_matches('.');
        let mut w = words(label, 3);
        w.retain(|x| *x != section);
        w.truncate(2);
        let base = if w.is_empty() {
            fallback.to_string()
        } else {
            w.join("_")
        };
        let base = format!("{prefix}{base}");
        let mut name = base.clone();
        let mut n = 2;
        while self.used.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        name
    }
}

/// A section's short English prefix for its items' ids (`org`, `edu` …), or `s1`, `s2` ….
pub fn section_prefix(name: &str, index: usize) -> String {
    words(name, 1)
        .first()
        .map_or_else(|| format!("s{}", index + 1), |w| (*w).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glossary_words() {
        let mut n = Names::reserving(&["code", "name"]);
        assert_eq!(n.make("", "禁毒责任状签订：缺一份", "f1"), "pledge");
        assert_eq!(n.make("", "禁毒责任状签订：缺一份", "f1"), "pledge_2");
        assert_eq!(n.make("", "某某", "f3"), "f3");
        assert_eq!(section_prefix("组织领导", 0), "org");
        assert_eq!(section_prefix("其他", 4), "s5");
    }
}
