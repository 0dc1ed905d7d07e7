//! Running Rust futures for Python: one shared tokio runtime, blocking calls with the GIL released
//! (and interruptible: Ctrl-C stops them), and awaitables for asyncio (cancelling one stops the
//! work in Rust too).
//!
//! Awaitables are bridged here rather than with `pyo3-async-runtimes`: delivering a result calls
//! `loop.call_soon_threadsafe`, which releases the GIL inside its socket write. The interpreter can
//! then start finalizing (the script's `asyncio.run` returned) while the runtime thread still has to
//! let go of Python — a fatal error at exit. So every delivery is counted while in flight, and an
//! `atexit` hook ([`drain`]) waits, GIL released, until none is.

use crate::errors::ToPyErr;
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use pyo3::IntoPyObjectExt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// How often a blocking call looks for a signal (Ctrl-C) to act on.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// The one runtime every call runs on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("fileshare")
            .build()
            .unwrap_or_else(|e| panic!("cannot start the fileshare runtime: {e}"))
    })
}

/// Runs `fut` on the shared runtime with the GIL released. Every [`SIGNAL_CHECK`] it takes the GIL
/// back for a moment to run Python's signal handlers: a `KeyboardInterrupt` (or any exception a
/// handler raises) drops the future — an upload or download stops — and is raised.
pub fn run<T: Send, E: ToPyErr + Send>(py: Python<'_>, fut: impl Future<Output = Result<T, E>> + Send) -> PyResult<T> {
    enum Stop<E> {
        Failed(E),
        Interrupted(PyErr),
    }
    let outcome = py.detach(|| {
        runtime().block_on(async {
            tokio::pin!(fut);
            let mut ticks = tokio::time::interval(SIGNAL_CHECK);
            loop {
                tokio::select! {
                    result = &mut fut => return result.map_err(Stop::Failed),
                    _ = ticks.tick() => {
                        if let Err(interrupted) = Python::attach(|py| py.check_signals()) {
                            return Err(Stop::Interrupted(interrupted));
                        }
                    }
                }
            }
        })
    });
    outcome.map_err(|stop| match stop {
        Stop::Failed(e) => e.to_py(),
        Stop::Interrupted(e) => e,
    })
}

/// Counts a result on its way to asyncio, until dropped (delivered, or the task aborted).
struct InFlight;

impl InFlight {
    fn new() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts `fut` on the shared runtime; returns an asyncio future of its result (call from a running
/// loop). Cancelling that future (`asyncio.wait_for`, a cancelled task) aborts `fut`.
pub fn spawn<'py, T, E>(
    py: Python<'py>,
    fut: impl Future<Output = Result<T, E>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
    E: ToPyErr + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let future = event_loop.call_method0("create_future")?;
    let deliver = py.import("fileshare._asyncio")?.getattr("deliver")?.unbind();
    let (event_loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
    let in_flight = InFlight::new();
    let task = runtime().spawn(async move {
        let result = fut.await;
        Python::attach(|py| {
            let outcome = match result {
                Ok(value) => value.into_py_any(py).map(|v| (true, v)),
                Err(e) => Ok((false, e.to_py().into_value(py).into_any())),
            };
            let (ok, value) = outcome.unwrap_or_else(|e: PyErr| (false, e.into_value(py).into_any()));
            let scheduled = event_loop_ref
                .bind(py)
                .call_method1("call_soon_threadsafe", (deliver.bind(py), future_ref.bind(py), ok, value));
            if let Err(e) = scheduled {
                // The loop is closed: nobody awaits this any more.
                e.print(py);
            }
        });
        drop(in_flight);
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(
        py,
        None,
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            if args.get_item(0)?.call_method0("cancelled")?.is_truthy()? {
                abort.abort();
            }
            Ok(())
        },
    )?;
    future.call_method1("add_done_callback", (on_done,))?;
    Ok(future)
}

/// Waits (GIL released) until no result is being delivered, for at most `timeout` seconds; registered
/// with `atexit` by the package. Returns whether everything was delivered.
#[pyfunction]
#[pyo3(signature = (timeout = 5.0))]
pub fn drain(py: Python<'_>, timeout: f64) -> bool {
    let deadline = Instant::now() + Duration::from_secs_f64(timeout.clamp(0.0, 3600.0));
    py.detach(|| {
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    })
}
