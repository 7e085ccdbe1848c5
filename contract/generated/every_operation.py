"""Checks that a generated client has a function for every operation of openapi/openapi.json.

A generator that cannot read an operation's schema skips it with at most a warning; counting the generated
functions against the spec's operation ids is what catches it.

Usage: python every_operation.py SPEC GENERATOR DIR
  GENERATOR: openapi-python-client (DIR: the package), python (DIR: the package), typescript-fetch (DIR: the output)
"""

import json
import pathlib
import re
import sys

spec, generator, out = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
operations = {
    op["operationId"]
    for item in json.load(open(spec))["paths"].values()
    for op in item.values()
    if isinstance(op, dict) and "operationId" in op
}


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


if generator == "openapi-python-client":
    # One module per operation, each with sync_detailed().
    generated = {
        p.stem for p in (out / "api").glob("*/*.py") if p.stem != "__init__" and "def sync_detailed(" in p.read_text()
    }
elif generator == "python":
    generated = {m for p in (out / "api").glob("*.py") for m in re.findall(r"def (\w+)_with_http_info\(", p.read_text())}
elif generator == "typescript-fetch":
    generated = {
        snake(m) for p in (out / "apis").glob("*.ts") for m in re.findall(r"async (\w+)Raw\(", p.read_text())
    }
else:
    sys.exit(f"unknown generator {generator}")

missing = sorted(operations - generated)
if missing:
    sys.exit(f"{generator}: {len(missing)} of {len(operations)} operations not generated: {', '.join(missing)}")
print(f"{generator}: all {len(operations)} operations generated")
