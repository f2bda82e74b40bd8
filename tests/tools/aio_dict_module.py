"""Writes a generated aio source file that defines one dict literal (the tables the
generators in this folder derive from CPython)."""


def write_dict_module(path, comments, name, entries):
    """Writes `path`: the `comments` lines (each without its `# `), then `name = {` with one
    `key: value` line per `(key, value)` of `entries` (both written with `repr`), then `}`."""
    out = [f"# {c}" for c in comments]
    out.append(f"{name} = {{")
    out.extend(f"    {key!r}: {value!r}," for key, value in entries)
    out.append("}")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
