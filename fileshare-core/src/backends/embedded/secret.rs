//! The persisted signing key of the local store.

use crate::{Error, Result};
use std::path::Path;

const BACKEND: &str = "local-disk";

/// Reads the 32-byte key at `path`, creating it (mode 0600) if it does not exist yet.
pub(super) async fn load_or_create(path: &Path) -> Result<[u8; 32]> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::storage(BACKEND, e))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => {
                let key: [u8; 32] = rand::random();
                file.write_all(&key).and_then(|_| file.sync_all()).map_err(|e| Error::storage(BACKEND, e))?;
                Ok(key)
            }
            // Created earlier (or by a concurrent process): use it.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let bytes = std::fs::read(&path).map_err(|e| Error::storage(BACKEND, e))?;
                bytes
                    .try_into()
                    .map_err(|_| Error::storage(BACKEND, format!("{} is not a 32-byte key", path.display())))
            }
            Err(e) => Err(Error::storage(BACKEND, e)),
        }
    })
    .await
    .map_err(|e| Error::storage(BACKEND, e))?
}
