"""The audit of issue 15's promise about errors, over every field of every
example spec rather than the rows of the refusal table: each field is broken
in turn, and the refusal must name that field, as the user wrote it, at the
line and column of the broken value.

Three breakages per field, each a document of its own (one `gen` run reads
them all, since every bad document is reported):
- wrong type: a scalar or a list becomes a map, a map becomes a list;
- an unknown key added to every map, with the value of a key beside it
  (maps of free keys, like labels or `extraFlags`, may take it; a refusal
  must name that key, at the key when it is the key that is wrong);
- a bad value of the right type: a string becomes `Bad Value!`, a number -1
  and 99999999999.

A refusal by the schema's type (the first two) must be exactly at the broken
node. A bad value of the right type may be refused by a check that involves
another field (a request above its limit, a port two roles share): it must
then name a field, and a line and column, of the same document, and the
field path must exist in it; the cases where it names another field are
listed, so that a change in them shows up here.
"""

import copy
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from impala import BIN, ROOT

SPECS = sorted(
    [*ROOT.glob("examples/*/cluster.yaml"), *ROOT.glob("examples/*/specs/*.yaml")],
    key=lambda p: str(p),
)
LINE = re.compile(r"^error: (?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<path>.+?): (?P<message>.+)$")
UNKNOWN = "zzUnknownField"


def field_path(segments):
    """A path in the notation of impala-k8s's errors (src/spec/path.rs)."""
    out = ""
    for i, segment in enumerate(segments):
        if isinstance(segment, int):
            out += f"[{segment}]"
        else:
            out += segment if i == 0 else f".{segment}"
    return out


def nodes(node, path=()):
    """Every node below the root with its path, and its value node."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield (*path, key.value), key, value
            yield from nodes(value, (*path, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yield (*path, i), None, value
            yield from nodes(value, (*path, i))


def find(node, path):
    """The (key node, value node) at `path` in a composed document."""
    key = None
    for segment in path:
        if isinstance(node, yaml.MappingNode):
            key, node = next((k, v) for k, v in node.value if k.value == segment)
        else:
            key, node = None, node.value[segment]
    return key, node


def at(data, path):
    for segment in path[:-1]:
        data = data[segment]
    return data


def mutations(document):
    """(kind, path, changed document, path of the node the error must name)."""
    root = yaml.compose(yaml.safe_dump(document, sort_keys=False))
    for path, _, value in nodes(root):
        # metadata is the object's identity: apiVersion and kind are checked
        # by their own tests (tests/invalid_inputs.rs).
        if path[0] in ("apiVersion", "kind"):
            continue
        broken = copy.deepcopy(document)
        wrong = [1] if isinstance(value, yaml.MappingNode) else {"bad": 1}
        at(broken, path)[path[-1]] = wrong
        yield "type", path, broken, path
        if isinstance(value, yaml.MappingNode):
            broken = copy.deepcopy(document)
            siblings = at(broken, path)[path[-1]]
            # The value of a sibling, so that the key is what is wrong.
            siblings[UNKNOWN] = copy.deepcopy(next(iter(siblings.values()), "x"))
            yield "unknown", path, broken, (*path, UNKNOWN)
        elif isinstance(value, yaml.ScalarNode):
            current = at(document, path)[path[-1]]
            if isinstance(current, bool):
                continue
            bad = [-1, 99999999999] if isinstance(current, int) else ["Bad Value!"]
            for b in bad:
                broken = copy.deepcopy(document)
                at(broken, path)[path[-1]] = b
                yield "value", path, broken, path


def audit(tmp_path):
    """Every mutation of every example, written into files, and what gen said."""
    cases = []
    for spec in SPECS:
        source = yaml.safe_load(spec.read_text())
        name = f"{spec.parent.parent.name}-{spec.stem}" if spec.parent.name == "specs" else spec.parent.name
        texts, line = [], 1
        for n, (kind, path, broken, expect) in enumerate(mutations(source)):
            # Each document its own cluster name, so that the accepted ones
            # (free keys) do not collide.
            meta = broken.get("metadata")
            if isinstance(meta, dict) and isinstance(meta.get("name"), str) and path[:2] != ("metadata", "name"):
                meta["name"] = f"{meta['name']}-{n}"
            text = yaml.safe_dump(broken, sort_keys=False, allow_unicode=True, width=1000)
            key, node = find(yaml.compose(text), expect)
            cases.append({"file": f"{name}.yaml", "kind": kind, "path": field_path(path), "expect": field_path(expect),
                          "line": line + node.start_mark.line, "column": node.start_mark.column + 1,
                          "key": [line + key.start_mark.line, key.start_mark.column + 1] if key else None,
                          "first": line, "last": line + text.count("\n")})
            texts.append(text)
            line += text.count("\n") + 1  # the `---` line
        (tmp_path / f"{name}.yaml").write_text("---\n".join(texts))
    result = subprocess.run([BIN, "gen", "-f", str(tmp_path)], capture_output=True, text=True, timeout=600)
    return cases, result


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    return audit(tmp_path_factory.mktemp("error-paths"))


def refusals(cases, result):
    """Each case with the error lines gen printed for its document."""
    lines = result.stderr.splitlines()
    errors = [LINE.match(line) for line in lines if line.startswith("error: ")]
    assert all(errors), [l for l, m in zip(lines, errors) if not m][:5]
    by_file = {}
    for e in errors:
        by_file.setdefault(Path(e["file"]).name, []).append(e)
    for case in cases:
        case["errors"] = [e for e in by_file.get(case["file"], []) if case["first"] <= int(e["line"]) <= case["last"]]
    return cases


def test_every_broken_field_is_refused_at_its_place(audited):
    cases, result = audited
    assert result.returncode == 2 and result.stdout == ""
    cases = refusals(cases, result)
    wrong = []
    for case in cases:
        if case["kind"] == "value":
            continue
        if case["kind"] == "unknown" and not case["errors"]:
            continue  # a map of free keys took it
        got = [(e["path"], int(e["line"]), int(e["column"])) for e in case["errors"]]
        # An error about the key itself (unknown field, not a port, a role
        # or a resource name) stands at the key; one about its value, there.
        about_key = case["kind"] == "unknown" and any(UNKNOWN in e["message"] for e in case["errors"])
        where = case["key"] if about_key else [case["line"], case["column"]]
        if got != [(case["expect"], *where)]:
            wrong.append((case["file"], case["kind"], case["expect"], case["line"], case["column"], got))
    assert not wrong, "\n".join(map(str, wrong[:40])) + f"\n({len(wrong)} in all)"
    # Every type error is a refusal; most unknown keys are too.
    assert all(c["errors"] for c in cases if c["kind"] == "type")
    unknown = [c for c in cases if c["kind"] == "unknown"]
    assert sum(bool(c["errors"]) for c in unknown) > len(unknown) / 2


def test_a_bad_value_is_refused_at_its_field_or_a_field_it_is_checked_with(audited):
    cases, result = audited
    cases = refusals(cases, result)
    values = [c for c in cases if c["kind"] == "value"]
    elsewhere = set()
    for case in values:
        for e in case["errors"]:
            assert case["first"] <= int(e["line"]) <= case["last"], (case, e.group(0))
            if (e["path"], int(e["line"]), int(e["column"])) != (case["expect"], case["line"], case["column"]):
                elsewhere.add((case["path"], e["path"]))
    assert sum(bool(c["errors"]) for c in values) > len(values) / 4
    # A namenode names a nameservice of hdfsSite: renaming the nameservice
    # leaves the namenode wrong (src/spec/storage.rs).
    assert sorted(elsewhere) == [("spec.storage.hdfs.hdfsSite.dfs.nameservices", "spec.storage.hdfs.namenode")]
