use rand::Rng;

/// The kinds of unique ID AWS hands out, each with its documented four-letter prefix
/// (IAM User Guide, "Unique identifiers": "Understanding unique ID prefixes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    User,
    Role,
    Group,
    Policy,
    InstanceProfile,
    AccessKey,
    TemporaryAccessKey,
    ServerCertificate,
}

impl IdKind {
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::User => "AIDA",
            IdKind::Role => "AROA",
            IdKind::Group => "AGPA",
            IdKind::Policy => "ANPA",
            IdKind::InstanceProfile => "AIPA",
            IdKind::AccessKey => "AKIA",
            IdKind::TemporaryAccessKey => "ASIA",
            IdKind::ServerCertificate => "ASCA",
        }
    }

    /// Total length: 20 characters for access keys, 21 for the other unique IDs.
    fn len(self) -> usize {
        match self {
            IdKind::AccessKey | IdKind::TemporaryAccessKey => 20,
            _ => 21,
        }
    }
}

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new random ID of the given kind (prefix + upper-case base32 characters, as AWS's).
pub fn new_id(kind: IdKind) -> String {
    let mut rng = rand::thread_rng();
    let mut id = String::with_capacity(kind.len());
    id.push_str(kind.prefix());
    while id.len() < kind.len() {
        let i = rng.gen_range(0..UPPER_ALNUM.len());
        id.push(char::from(UPPER_ALNUM.get(i).copied().unwrap_or(b'A')));
    }
    id
}

/// A new 40-character secret access key drawn from AWS's alphabet (base64 characters).
pub fn new_secret_access_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = rand::thread_rng();
    (0..40)
        .map(|_| {
            char::from(
                ALPHABET
                    .get(rng.gen_range(0..ALPHABET.len()))
                    .copied()
                    .unwrap_or(b'A'),
            )
        })
        .collect()
}

/// `n` random characters of `[A-Za-z0-9]`, for request IDs, suffixes and the like.
pub fn random_alnum(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_length() {
        let u = new_id(IdKind::User);
        assert!(u.starts_with("AIDA") && u.len() == 21, "{u}");
        let k = new_id(IdKind::AccessKey);
        assert!(k.starts_with("AKIA") && k.len() == 20, "{k}");
        assert!(k.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(new_secret_access_key().len(), 40);
    }
}
