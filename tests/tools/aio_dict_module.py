"""Writes a generated aio source file that defines dict literals (the tables the
generators in this folder derive from CPython)."""


def write_dict_module(path, comments, name, entries, more=(), tail=()):
    """Writes `path`: the `comments` lines (each without its `# `), then `name = {` with one
    `key: value` line per `(key, value)` of `entries` (both written with `repr`), then `}`;
    then each further `(name, entries)` dict of `more` the same way, then the `tail` lines
    (code that completes the module) as they are."""
    out = [f"# {c}".rstrip() for c in comments]
    for dict_name, dict_entries in ((name, entries), *more):
        out.append(f"{dict_name} = {{")
        out.extend(f"    {key!r}: {value!r}," for key, value in dict_entries)
        out.append("}")
    out.extend(tail)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
