//! Progress bars on stderr: bytes, rate and ETA. Hidden with `--quiet` and whenever stderr is not a
//! terminal, so piped and logged output stays clean.

use fileshare_client::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::{Arc, OnceLock};

/// One transfer's bar, drawn once the client reports the transfer's size.
pub struct Bar {
    bar: Option<Arc<OnceLock<ProgressBar>>>,
}

impl Bar {
    /// A bar, or (`quiet`) none.
    pub fn new(quiet: bool) -> Self {
        Self { bar: (!quiet).then(Arc::default) }
    }

    /// The callback that moves the bar.
    pub fn progress(&self) -> Option<Progress> {
        let bar = self.bar.clone()?;
        Some(Progress::new(move |p| {
            bar.get_or_init(|| bytes_bar(p.total, p.name)).set_position(p.done);
        }))
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.as_ref().and_then(|b| b.get()) {
            bar.finish_and_clear();
        }
    }
}

/// A bar for `len` bytes labelled `label`.
fn bytes_bar(len: u64, label: &str) -> ProgressBar {
    // ProgressDrawTarget::stderr draws nothing when stderr is not a terminal.
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{msg:24!} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(label.to_owned());
    bar
}
