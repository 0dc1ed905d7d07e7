//! Usage and quotas in words: `fileshare whoami`, and the refusal of an upload that does not fit.

use indicatif::HumanBytes;
use serde_json::Value;

/// `3 of 10000 files`, or `3 files` with no limit.
fn count(used: u64, limit: Option<u64>) -> String {
    match limit {
        Some(limit) => format!("{used} of {limit} files"),
        None => format!("{used} files"),
    }
}

/// What `/me` says about usage: `1.50 MiB of 10.00 GiB (0%) in 3 of 10000 files`.
pub fn describe(me: &Value) -> Option<String> {
    let (bytes, files) = (me["usage"]["bytes"].as_u64()?, me["usage"]["files"].as_u64()?);
    let (max_bytes, max_files) = (me["quota"]["bytes"].as_u64(), me["quota"]["files"].as_u64());
    let space = match max_bytes {
        Some(max) => {
            let percent = bytes.saturating_mul(100).checked_div(max).unwrap_or(100);
            format!("{} of {} ({percent}%)", HumanBytes(bytes), HumanBytes(max))
        }
        None => format!("{} (no limit)", HumanBytes(bytes)),
    };
    Some(format!("{space} in {}", count(files, max_files)))
}

/// The words for a `quota-exceeded` problem, or `None` for any other problem.
pub fn over_quota(problem: &Value) -> Option<String> {
    if !problem["type"].as_str()?.ends_with("/quota-exceeded") {
        return None;
    }
    let (bytes, files) = (problem["usage"]["bytes"].as_u64()?, problem["usage"]["files"].as_u64()?);
    let (max_bytes, max_files) = (problem["quota"]["bytes"].as_u64(), problem["quota"]["files"].as_u64());
    let size = problem["size"].as_u64()?;
    let why = match (max_files, max_bytes) {
        (Some(limit), _) if files >= limit => format!("you store {files} files, the most your quota allows"),
        (_, Some(limit)) => format!(
            "this {} file does not fit in the {} left of your {}",
            HumanBytes(size),
            HumanBytes(limit.saturating_sub(bytes)),
            HumanBytes(limit)
        ),
        _ => "your quota does not allow it".to_owned(),
    };
    Some(format!("over quota: {why}; delete files you no longer need, or ask the service's operator for more"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usage_and_refusals_read_as_sentences() {
        let me = json!({"usage": {"bytes": 1572864, "files": 3}, "quota": {"bytes": 10737418240u64, "files": 10000}});
        assert_eq!(describe(&me).as_deref(), Some("1.50 MiB of 10.00 GiB (0%) in 3 of 10000 files"));
        let unlimited = json!({"usage": {"bytes": 0, "files": 0}, "quota": {"bytes": null, "files": null}});
        assert_eq!(describe(&unlimited).as_deref(), Some("0 B (no limit) in 0 files"));

        let problem = |files: u64| {
            json!({"type": "https://fileshare.dev/problems/quota-exceeded", "size": 3145728,
                   "usage": {"bytes": 9663676416u64, "files": files}, "quota": {"bytes": 10737418240u64, "files": 10}})
        };
        let words = over_quota(&problem(2)).expect("a quota problem");
        assert!(words.contains("this 3.00 MiB file does not fit in the 1.00 GiB left of your 10.00 GiB"), "{words}");
        assert!(over_quota(&problem(10)).expect("quota").contains("you store 10 files"));
        assert_eq!(over_quota(&json!({"type": "https://fileshare.dev/problems/forbidden"})), None);
    }
}
