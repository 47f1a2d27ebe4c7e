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

/// Bits 46..7 of the first six decoded bytes of an access key ID carry the account.
const ACCOUNT_MASK: u64 = 0x7fff_ffff_ff80;

/// A new access key ID (`AKIA...` or `ASIA...`) that carries its account as AWS's do:
/// the 16 characters after the prefix are the base32 (RFC 4648) form of 10 bytes whose
/// first six, read big-endian, hold the account ID in bits 46..7, the rest random.
/// That is what lets GetAccessKeyInfo name the account of any key, even one this
/// server never issued (the scheme is public: "Access key ID" in AWS's security blog,
/// "AWS access key ID formats"; `aws sts get-access-key-info` decodes it the same way).
pub fn new_access_key_id(kind: IdKind, account: &crate::AccountId) -> String {
    let account: u64 = account.as_str().parse().unwrap_or(0);
    let mut bytes = [0u8; 10];
    rand::thread_rng().fill(&mut bytes);
    let mut head = [0u8; 8];
    if let (Some(dst), Some(src)) = (head.get_mut(2..), bytes.get(..6)) {
        dst.copy_from_slice(src);
    }
    let head =
        (u64::from_be_bytes(head) & !ACCOUNT_MASK & 0xffff_ffff_ffff) | ((account << 7) & ACCOUNT_MASK);
    if let (Some(dst), Some(src)) = (bytes.get_mut(..6), head.to_be_bytes().get(2..)) {
        dst.copy_from_slice(src);
    }
    let mut id = String::with_capacity(20);
    id.push_str(match kind {
        IdKind::TemporaryAccessKey => "ASIA",
        _ => "AKIA",
    });
    // 80 bits, five at a time, most significant first.
    let bits = bytes.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
    for i in (0..16).rev() {
        let index = usize::try_from((bits >> (i * 5)) & 0x1f).unwrap_or(0);
        id.push(char::from(UPPER_ALNUM.get(index).copied().unwrap_or(b'A')));
    }
    id
}

/// The account an access key ID names (see [`new_access_key_id`]); `None` unless the ID
/// is 20 characters of a known key prefix followed by base32.
pub fn account_of_access_key_id(id: &str) -> Option<crate::AccountId> {
    let (prefix, rest) = (id.get(..4)?, id.get(4..)?);
    if id.len() != 20 || !matches!(prefix, "AKIA" | "ASIA" | "ABIA" | "ACCA") {
        return None;
    }
    let mut bits: u128 = 0;
    for c in rest.bytes() {
        let v = UPPER_ALNUM.iter().position(|&a| a == c)?;
        bits = (bits << 5) | u128::try_from(v).ok()?;
    }
    let head = u64::try_from(bits >> 32).ok()?;
    let account = (head & ACCOUNT_MASK) >> 7;
    format!("{account:012}").parse().ok()
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

    #[test]
    fn access_key_ids_carry_their_account() {
        for account in ["123456789012", "000000000001", "999999999999", "111122223333"] {
            let account: crate::AccountId = account.parse().unwrap();
            for kind in [IdKind::AccessKey, IdKind::TemporaryAccessKey] {
                let id = new_access_key_id(kind, &account);
                assert_eq!(id.len(), 20, "{id}");
                assert!(id.starts_with(kind.prefix()), "{id}");
                assert!(id.bytes().all(|b| UPPER_ALNUM.contains(&b)), "{id}");
                assert_eq!(account_of_access_key_id(&id), Some(account.clone()), "{id}");
            }
        }
    }

    #[test]
    fn decodes_aws_published_examples() {
        // The IAM User Guide's example key and the account AWS's own tool reports for it.
        assert_eq!(
            account_of_access_key_id("AKIAIOSFODNN7EXAMPLE").map(|a| a.to_string()),
            Some("581039954779".into())
        );
        assert_eq!(
            account_of_access_key_id("AKIAWARDENTESTROOT01"),
            None,
            "not base32 (0 and 1)"
        );
        assert_eq!(
            account_of_access_key_id("AIDAIOSFODNN7EXAMPLE"),
            None,
            "not a key prefix"
        );
        assert_eq!(account_of_access_key_id("AKIA"), None);
        assert_eq!(account_of_access_key_id("AKIAIOSFODNN7EXAMPLEX"), None);
    }
}
