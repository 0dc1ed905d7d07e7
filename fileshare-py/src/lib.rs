//! `fileshare._fileshare`: the native module behind the `fileshare` Python package.
//!
//! The same Rust logic as the service — `FileShare` over the memory, embedded (disk + SQLite) or AWS
//! (S3 + DynamoDB) backends — as Python classes; and `Client`, a client of a running service over
//! the Rust client library. One tokio runtime serves every call; blocking
//! methods release the GIL while they wait; async ones return asyncio futures ([`bridge`]); errors
//! become the exceptions of `fileshare._errors`.

mod bridge;
mod classes;
mod client;
mod core;
mod errors;
mod links;
mod quota;
mod types;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _fileshare(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<classes::FileShare>()?;
    m.add_class::<classes::AsyncFileShare>()?;
    m.add_class::<classes::FileIterator>()?;
    m.add_class::<types::FileInfo>()?;
    m.add_class::<types::ShareInfo>()?;
    m.add_class::<types::UploadTicket>()?;
    m.add_class::<types::Page>()?;
    m.add_class::<types::SharePage>()?;
    m.add_class::<links::Link>()?;
    m.add_class::<links::CreatedLink>()?;
    m.add_class::<links::LinkDetails>()?;
    m.add_class::<quota::Quota>()?;
    m.add_class::<quota::Usage>()?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<client::Session>()?;
    m.add_class::<client::Account>()?;
    m.add_function(wrap_pyfunction!(bridge::drain, m)?)?;
    Ok(())
}
