//! Arguments as Python gives them: what to upload (a path, bytes, or a binary file object),
//! aware datetimes, listing scopes, and a progress callback that can stop its transfer.

use crate::errors::invalid;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use fileshare_client::{Progress, Scope, UploadSource};
use futures_util::StreamExt;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use tokio_util::sync::CancellationToken;

/// Bytes read from a Python file object at a time.
const READ_CHUNK: usize = 1024 * 1024;

/// An aware datetime (a naive one is ambiguous: refused with `InvalidInput`).
pub struct Aware(pub DateTime<Utc>);

impl<'a, 'py> FromPyObject<'a, 'py> for Aware {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        obj.extract::<DateTime<Utc>>()
            .map(Aware)
            .map_err(|_| invalid("expires_at", "must be a timezone-aware datetime"))
    }
}

/// A listing's scope: ``"owned"``, ``"shared"`` or ``"all"``.
pub struct ScopeArg(pub Scope);

impl<'a, 'py> FromPyObject<'a, 'py> for ScopeArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        match obj.extract::<String>()?.as_str() {
            "owned" => Ok(ScopeArg(Scope::Owned)),
            "shared" => Ok(ScopeArg(Scope::Shared)),
            "all" => Ok(ScopeArg(Scope::All)),
            _ => Err(invalid("scope", "must be owned, shared or all")),
        }
    }
}

/// What to upload.
pub enum Source {
    /// A file on disk (``str`` or ``os.PathLike``).
    Path(PathBuf),
    /// ``bytes``, ``bytearray`` or ``memoryview`` (``bytes`` without a copy).
    Bytes(Bytes),
    /// A binary file object: read in order with ``read(n)``; its size from ``seek``/``tell``
    /// where it can, else the ``size`` argument.
    Stream { file: Py<PyAny>, size: Option<u64> },
}

impl<'a, 'py> FromPyObject<'a, 'py> for Source {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Ok(Source::Bytes(Bytes::from_owner(obj.extract::<PyBackedBytes>()?)));
        }
        if obj.is_instance_of::<PyMemoryView>() {
            let copy = obj.call_method0("tobytes")?.extract::<PyBackedBytes>()?;
            return Ok(Source::Bytes(Bytes::from_owner(copy)));
        }
        if obj.hasattr("read")? {
            return Ok(Source::Stream { file: obj.to_owned().unbind(), size: remaining(&obj)? });
        }
        obj.extract::<PathBuf>()
            .map(Source::Path)
            .map_err(|_| pyo3::exceptions::PyTypeError::new_err("upload takes a path, bytes, or a binary file object"))
    }
}

/// What is left to read of a seekable file object, leaving its position where it was.
fn remaining(file: &Borrowed<'_, '_, PyAny>) -> PyResult<Option<u64>> {
    let seekable = file.hasattr("seekable")? && file.call_method0("seekable")?.is_truthy()?;
    if !seekable {
        return Ok(None);
    }
    let here: u64 = file.call_method0("tell")?.extract()?;
    let end: u64 = file.call_method1("seek", (0, 2))?.extract()?;
    file.call_method1("seek", (here,))?;
    Ok(Some(end.saturating_sub(here)))
}

impl Source {
    /// The client's source: `name` names bytes and streams (a stream's own ``name`` is used when
    /// it has one).
    pub fn into_upload(self, name: Option<String>, size: Option<u64>) -> PyResult<UploadSource> {
        Ok(match self {
            Source::Path(path) => UploadSource::Path(path),
            Source::Bytes(data) => {
                let name = name.ok_or_else(|| invalid("name", "is required to upload bytes"))?;
                UploadSource::Bytes { name, data }
            }
            Source::Stream { file, size: seen } => {
                let size = size.or(seen).ok_or_else(|| invalid("size", "is required for a stream that cannot seek"))?;
                let name = match name {
                    Some(name) => name,
                    None => stream_name(&file)?,
                };
                UploadSource::Reader { name, size, reader: Box::new(python_reader(file, size)) }
            }
        })
    }
}

/// A file object's own name (``open()``'s files have one), without its directories.
fn stream_name(file: &Py<PyAny>) -> PyResult<String> {
    Python::attach(|py| {
        let name = file.bind(py).getattr("name").ok().and_then(|n| n.extract::<PathBuf>().ok());
        name.and_then(|n| n.file_name().and_then(|n| n.to_str()).map(str::to_owned))
            .ok_or_else(|| invalid("name", "is required: the stream has no file name"))
    })
}

/// A Python file object as an async reader of its next `size` bytes: a blocking thread takes the
/// GIL for each ``read``, a chunk at a time, two chunks ahead at most, and never reads past `size`
/// (the rest of the stream stays for the caller). An exception ``read`` raises travels inside the
/// I/O error, to be raised again as it was.
fn python_reader(file: Py<PyAny>, size: u64) -> impl tokio::io::AsyncRead + Send + Unpin + 'static {
    let (chunks, received) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(2);
    tokio::task::spawn_blocking(move || {
        let mut left = size;
        while left > 0 {
            let want = left.min(READ_CHUNK as u64);
            let chunk = Python::attach(|py| -> PyResult<Bytes> {
                let data = file.bind(py).call_method1("read", (want,))?.extract::<PyBackedBytes>()?;
                Ok(Bytes::from_owner(data))
            });
            let chunk = chunk.map_err(std::io::Error::other);
            let last = matches!(&chunk, Ok(data) if data.is_empty()) || chunk.is_err();
            if let Ok(data) = &chunk {
                left = left.saturating_sub(data.len() as u64);
            }
            if chunks.blocking_send(chunk).is_err() || last {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(received, |mut received| async move {
        received.recv().await.map(|chunk| (chunk, received))
    });
    tokio_util::io::StreamReader::new(stream.boxed())
}

/// A Python progress callback, ``progress(done, total)``: if it raises, its transfer stops and the
/// exception is raised from the call that started it.
pub struct Watch {
    progress: Option<Progress>,
    stop: Arc<Stop>,
}

#[derive(Default)]
struct Stop {
    token: CancellationToken,
    error: Mutex<Option<PyErr>>,
}

impl Watch {
    /// Watches with `callback`, if any.
    pub fn new(callback: Option<Py<PyAny>>) -> Self {
        let stop = Arc::<Stop>::default();
        let progress = callback.map(|callback| {
            let stop = stop.clone();
            Progress::new(move |p| {
                if stop.token.is_cancelled() {
                    return;
                }
                if let Err(raised) = Python::attach(|py| callback.call1(py, (p.done, p.total)).map(drop)) {
                    stop.error.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(raised);
                    stop.token.cancel();
                }
            })
        });
        Self { progress, stop }
    }

    /// The client's progress callback.
    pub fn progress(&self) -> Option<Progress> {
        self.progress.clone()
    }

    /// `transfer`'s result, or the callback's exception if it raised (the transfer is dropped).
    pub async fn guard<T>(
        &self,
        transfer: impl std::future::Future<Output = Result<T, super::Failure>>,
    ) -> Result<T, super::Failure> {
        tokio::select! {
            result = transfer => result,
            () = self.stop.token.cancelled() => {
                let raised = self.stop.error.lock().unwrap_or_else(PoisonError::into_inner).take();
                Err(super::Failure::Python(raised.unwrap_or_else(|| {
                    pyo3::exceptions::PyRuntimeError::new_err("the progress callback stopped the transfer")
                })))
            }
        }
    }
}
