//! Running Rust futures for Python: one shared tokio runtime, blocking calls with the GIL released,
//! and awaitables for asyncio.
//!
//! Awaitables are bridged here rather than with `pyo3-async-runtimes`: delivering a result calls
//! `loop.call_soon_threadsafe`, which releases the GIL inside its socket write. The interpreter can
//! then start finalizing (the script's `asyncio.run` returned) while the runtime thread still has to
//! let go of Python — a fatal error at exit. So every delivery is counted while in flight, and an
//! `atexit` hook ([`drain`]) waits, GIL released, until none is.

use crate::errors::to_py;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

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

/// Runs `fut` on the shared runtime with the GIL released.
pub fn run<T: Send>(py: Python<'_>, fut: impl Future<Output = fileshare_core::Result<T>> + Send) -> PyResult<T> {
    py.detach(|| runtime().block_on(fut)).map_err(to_py)
}

/// Starts `fut` on the shared runtime; returns an asyncio future of its result (call from a running loop).
pub fn spawn<'py, T>(
    py: Python<'py>,
    fut: impl Future<Output = fileshare_core::Result<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let future = event_loop.call_method0("create_future")?;
    let deliver = py.import("fileshare._asyncio")?.getattr("deliver")?.unbind();
    let (event_loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    runtime().spawn(async move {
        let result = fut.await;
        Python::attach(|py| {
            let outcome = match result {
                Ok(value) => value.into_py_any(py).map(|v| (true, v)),
                Err(e) => Ok((false, to_py(e).into_value(py).into_any())),
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
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    });
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
