//! Usage and quotas in words: `fileshare whoami`, and the refusal of an upload that does not fit.

use fileshare_client::{MeResponse, QuotaFigures};
use indicatif::HumanBytes;

/// `3 of 10000 files`, or `3 files` with no limit.
fn count(used: u64, limit: Option<u64>) -> String {
    match limit {
        Some(limit) => format!("{used} of {limit} files"),
        None => format!("{used} files"),
    }
}

/// What `/me` says about usage: `1.50 MiB of 10.00 GiB (0%) in 3 of 10000 files`.
pub fn describe(me: &MeResponse) -> String {
    let (bytes, files) = (me.usage.bytes, me.usage.files);
    let space = match me.quota.bytes {
        Some(max) => {
            let percent = bytes.saturating_mul(100).checked_div(max).unwrap_or(100);
            format!("{} of {} ({percent}%)", HumanBytes(bytes), HumanBytes(max))
        }
        None => format!("{} (no limit)", HumanBytes(bytes)),
    };
    format!("{space} in {}", count(files, me.quota.files))
}

/// The words for an upload refused over quota.
pub fn over_quota(figures: &QuotaFigures) -> String {
    let (bytes, files, size) = (figures.usage.bytes, figures.usage.files, figures.size);
    let why = match (figures.quota.files, figures.quota.bytes) {
        (Some(limit), _) if files >= limit => format!("you store {files} files, the most your quota allows"),
        (_, Some(limit)) => format!(
            "this {} file does not fit in the {} left of your {}",
            HumanBytes(size),
            HumanBytes(limit.saturating_sub(bytes)),
            HumanBytes(limit)
        ),
        _ => "your quota does not allow it".to_owned(),
    };
    format!("over quota: {why}; delete files you no longer need, or ask the service's operator for more")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fileshare_client::{QuotaBody, UsageBody};

    fn me(bytes: u64, files: u64, quota: QuotaBody) -> MeResponse {
        MeResponse { user_id: "u".into(), username: None, usage: UsageBody { bytes, files }, quota }
    }

    #[test]
    fn usage_and_refusals_read_as_sentences() {
        let limited = QuotaBody { bytes: Some(10_737_418_240), files: Some(10_000) };
        assert_eq!(describe(&me(1_572_864, 3, limited)), "1.50 MiB of 10.00 GiB (0%) in 3 of 10000 files");
        assert_eq!(describe(&me(0, 0, QuotaBody::default())), "0 B (no limit) in 0 files");

        let figures = |files| QuotaFigures {
            size: 3_145_728,
            usage: UsageBody { bytes: 9_663_676_416, files },
            quota: QuotaBody { bytes: Some(10_737_418_240), files: Some(10) },
        };
        let words = over_quota(&figures(2));
        assert!(words.contains("this 3.00 MiB file does not fit in the 1.00 GiB left of your 10.00 GiB"), "{words}");
        assert!(over_quota(&figures(10)).contains("you store 10 files"));
    }
}
