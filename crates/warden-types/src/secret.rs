use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A secret string (secret access key, password, token): redacted in `Debug` and
/// `Display`, zeroized on drop and compared in constant time.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(Zeroizing::new(s.into()))
    }

    /// The secret itself; callers must not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}
impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_eq_works() {
        let s = Secret::new("wJalrXUtnFEMI");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(s, Secret::new("wJalrXUtnFEMI"));
        assert_ne!(s, Secret::new("other"));
    }
}
