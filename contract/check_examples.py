#!/usr/bin/env python3
"""Checks that every example in openapi/openapi.json is valid against its schema (JSON Schema 2020-12, as OpenAPI
3.1 uses), and that every operation shows one: a request-body example where it takes a body, and an example of
each 2xx JSON response type. Run by .ci/contract with the schemathesis environment's jsonschema_rs."""

import json
import pathlib
import sys

import jsonschema_rs

SPEC = pathlib.Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def main():
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    # Components become $defs so that $refs resolve inside one schema document.
    defs = json.loads(json.dumps(schemas).replace("#/components/schemas/", "#/$defs/"))

    def validator(schema):
        schema = json.loads(json.dumps(schema).replace("#/components/schemas/", "#/$defs/"))
        return jsonschema_rs.Draft202012Validator({**schema, "$defs": defs})

    def has_example(schema):
        ref = schema.get("$ref", "").rsplit("/", 1)[-1]
        if not ref:
            return "example" in schema or "examples" in schema
        component = schemas.get(ref, {})
        if "example" in component:
            return True
        items = component.get("properties", {}).get("items", {}).get("items", {})
        return ref.startswith("Page_") and has_example(items)

    problems = []
    for name, schema in schemas.items():
        for example in ([schema["example"]] if "example" in schema else []) + schema.get("examples", []):
            for error in validator(schema).iter_errors(example):
                problems.append(f"components.schemas.{name}: example: {error.message}")
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            where = f"{method.upper()} {path}"
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                if not has_example(content.get("schema", {})) and "example" not in content:
                    problems.append(f"{where}: the {media} request body has no example")
            for status, response in op["responses"].items():
                content = response.get("content", {}).get("application/json")
                if status.startswith("2") and content and not has_example(content.get("schema", {})):
                    problems.append(f"{where}: the {status} response has no example")
            for p in op.get("parameters", []):
                for example in [p["example"]] if "example" in p else []:
                    for error in validator(p.get("schema", {})).iter_errors(example):
                        problems.append(f"{where}: parameter {p['name']} example: {error.message}")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s) with the examples of openapi/openapi.json")
        sys.exit(1)
    print("every example is valid against its schema; every operation shows its request and response")


if __name__ == "__main__":
    main()
