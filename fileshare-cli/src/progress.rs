//! Progress bars on stderr: bytes, rate and ETA. Hidden with `--quiet` and whenever stderr is not a
//! terminal, so piped and logged output stays clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for `len` bytes labelled `label`.
pub fn bytes_bar(len: u64, label: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
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
