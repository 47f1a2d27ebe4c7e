//! The master key that seals secrets at rest: from the configuration, or a key file in
//! the data directory created with mode 0600 on first start.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use rand::RngCore;
use zeroize::Zeroizing;

/// Parses a 32-byte key given as 64 hex characters or base64.
pub fn parse_master_key(text: &str) -> anyhow::Result<Zeroizing<[u8; 32]>> {
    use base64::Engine;
    let text = text.trim();
    let bytes = Zeroizing::new(match hex::decode(text) {
        Ok(b) => b,
        Err(_) => base64::engine::general_purpose::STANDARD
            .decode(text)
            .context("the master key must be 32 bytes as hex or base64")?,
    });
    let key: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| anyhow::anyhow!("the master key must be exactly 32 bytes, got {}", bytes.len()))?;
    Ok(Zeroizing::new(key))
}

pub fn load_or_create_master_key(path: &Path) -> anyhow::Result<Zeroizing<[u8; 32]>> {
    match std::fs::read_to_string(path) {
        Ok(text) => return parse_master_key(&text).with_context(|| format!("reading {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => bail!("reading {}: {e}", path.display()),
    }
    let mut key = Zeroizing::new([0u8; 32]);
    rand::thread_rng().fill_bytes(key.as_mut());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    let encoded = Zeroizing::new(hex::encode(key.as_ref()));
    file.write_all(encoded.as_bytes())?;
    file.sync_all()?;
    Ok(key)
}
