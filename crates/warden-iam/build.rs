//! Turns the vendored AWS managed policies (`data/aws-managed-policies.json`, 4.8 MB of
//! pretty-printed JSON) into a static table: every policy's metadata and its document
//! as compact JSON text, sorted by ARN. The server then neither parses nor copies the
//! file at run time: a lookup is a binary search, a document is a `&'static str` whose
//! pages are only touched when a policy is used, so start-up and idle memory do not pay
//! for 1,582 policies that most accounts never attach.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Map, Value};

const SOURCE: &str = "data/aws-managed-policies.json";

fn main() {
    println!("cargo::rerun-if-changed={SOURCE}");
    println!("cargo::rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(SOURCE).unwrap_or_else(|e| fail(&format!("reading {SOURCE}: {e}")));
    let all: Map<String, Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("parsing {SOURCE}: {e}")));
    let mut rows: Vec<Row> = all.iter().map(|(name, v)| Row::new(name, v)).collect();
    rows.sort_by(|a, b| a.arn.cmp(&b.arn));
    let mut by_name: Vec<usize> = (0..rows.len()).collect();
    by_name.sort_by(|&a, &b| rows.get(a).map(|r| &r.name).cmp(&rows.get(b).map(|r| &r.name)));

    let mut out = String::new();
    let _ = writeln!(out, "/// Every AWS managed policy, sorted by ARN.");
    let _ = writeln!(out, "static POLICIES: [AwsManagedPolicy; {}] = [", rows.len());
    for r in &rows {
        let _ = writeln!(
            out,
            "AwsManagedPolicy {{ name: {:?}, path: {:?}, arn: {:?}, id: {:?}, default_version: {:?}, \
             created: {:?}, updated: {:?}, document: {:?}, compiled: OnceLock::new() }},",
            r.name, r.path, r.arn, r.id, r.default_version, r.created, r.updated, r.document
        );
    }
    let _ = writeln!(out, "];");
    let _ = writeln!(out, "/// Indexes into `POLICIES`, in name order.");
    let _ = writeln!(out, "static BY_NAME: [u16; {}] = {:?};", rows.len(), by_name);
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR is not set")))
        .join("aws_managed_policies.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| fail(&format!("writing {}: {e}", dest.display())));
}

struct Row {
    name: String,
    path: String,
    arn: String,
    id: String,
    default_version: String,
    created: String,
    updated: String,
    document: String,
}

impl Row {
    fn new(name: &str, v: &Value) -> Row {
        let field = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| fail(&format!("{name}: {k} is missing or not a string")))
        };
        let path = field("Path");
        let document = v
            .get("Document")
            .map(|d| serde_json::to_string(d).unwrap_or_default())
            .unwrap_or_else(|| fail(&format!("{name}: Document is missing")));
        Row {
            arn: format!("arn:aws:iam::aws:policy{path}{name}"),
            id: stable_id(name),
            name: name.to_owned(),
            path,
            default_version: field("DefaultVersionId"),
            created: field("CreateDate"),
            updated: field("UpdateDate"),
            document,
        }
    }
}

/// A stable `ANPA...` ID derived from the name, so every account, every restart and
/// every build agree.
fn stable_id(name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::from("ANPA");
    for round in 0u8..17 {
        for b in name.bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let i = usize::try_from(h % 32).unwrap_or(0);
        out.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'A')));
    }
    out
}

fn fail(message: &str) -> ! {
    eprintln!("warden-iam build: {message}");
    std::process::exit(1)
}
