#!/usr/bin/env python3
"""Captures real response examples for openapi/examples.json from a newman run of the Postman collection.

The service's response schemas get their `example` from that file (src/app/openapi/rules.rs), so each example is a body the
service really answered against demo data, not one written by hand. CI checks every example in the document
against its schema (contract/check_examples.py), so a schema change that makes one untrue fails until the file is
captured again:

    cargo run -- serve --demo &              # a fresh demo database
    contract/node_modules/.bin/newman run postman/reintegra.postman_collection.json \
        -e postman/local.postman_environment.json --reporters json --reporter-json-export /tmp/newman.json
    python3 postman/capture_examples.py /tmp/newman.json

Each type keeps the example it already has; a type seen for the first time takes the first 2xx body of an operation
answering it (a page's first item for `Page_<T>`), and the components nested in it take their values there. Access
tokens are shortened.

`Qualification` was written by hand from the run's IPZS: a qualification request needs the trial month's last
week, which a Postman run against today's clock cannot reach. The schema check holds it to the same standard.
"""

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "openapi.json"
OUT = ROOT / "openapi" / "examples.json"


def templates(spec):
    """(method, compiled path regex, operation) for every operation."""
    out = []
    for path, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                out.append((method.upper(), re.compile(pattern), op))
    # Literal segments win over parameters (`/persons/{id}` vs a longer literal path).
    out.sort(key=lambda t: t[1].pattern.count("[^/]+"))
    return out


def response_type(op, status):
    response = op["responses"].get(str(status), {})
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def body_of(execution):
    stream = execution.get("response", {}).get("stream")
    if not stream:
        return None
    data = bytes(stream["data"]) if isinstance(stream, dict) else bytes(stream)
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def refs_of(schema):
    """The component a property schema names, directly, as array items, or as one of a nullable union."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array" or "items" in schema:
        return refs_of(schema.get("items", {}))
    for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):
        found = refs_of(alternative)
        if found:
            return found
    return None


def collect(spec, name, body, examples):
    """Keeps `body` as the example of `name`, and its nested values as examples of the components they are."""
    schema = spec["components"]["schemas"].get(name, {})
    if "example" not in schema:
        examples.setdefault(name, body)
    if not isinstance(body, dict):
        return
    for prop, prop_schema in schema.get("properties", {}).items():
        value = body.get(prop)
        nested = refs_of(prop_schema)
        if nested is None or value in (None, [], {}):
            continue
        if isinstance(value, list):
            value = value[0]
        if isinstance(value, dict):
            collect(spec, nested, value, examples)


def main(report_path):
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    ops = templates(spec)
    report = json.loads(pathlib.Path(report_path).read_text(encoding="utf-8"))
    examples = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    for execution in report["run"]["executions"]:
        request = execution.get("request", {})
        status = execution.get("response", {}).get("code", 0)
        if not 200 <= status < 300:
            continue
        path = "/" + "/".join(request.get("url", {}).get("path", []))
        method = request.get("method", "GET")
        op = next((o for m, rx, o in ops if m == method and rx.match(path)), None)
        if op is None:
            continue
        name = response_type(op, status)
        body = body_of(execution)
        if not name or body is None:
            continue
        if name.startswith("Page_"):
            name, items = name[len("Page_"):], body.get("items") or []
            if not items:
                continue
            body = items[0]
        if name == "TokenResponse" and "access_token" in body:
            body = dict(body, access_token=body["access_token"][:24] + "…")
        collect(spec, name, body, examples)
    OUT.write_text(json.dumps(dict(sorted(examples.items())), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(examples)} response examples in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1])
