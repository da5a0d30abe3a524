#!/usr/bin/env python3
"""Generate pmlint's first-name data files from the 1990 US Census name lists.

Inputs
  * dist.male.first and dist.female.first from the PyPI package `names`
    0.3.0 (US Census Bureau 1990 name files; lines are "NAME freq cumfreq rank").
  * An English word list, by default /usr/share/dict/american-english
    from Debian's `wamerican` package.

Outputs (in --out-dir, by default rules/data/ next to this script's parent)
  * first-names.txt          census first names that are NOT common words
  * common-word-names.txt    census first names that ARE common words
                             ("will", "may", "mark", ...): these only count
                             as people when the context says so.

Both files are lower-case ASCII, de-duplicated, sorted in byte order, one
name per line, LF endings, no header, so that Rust can binary-search the
result of `lines()`. The output depends only on the input files: running the
script twice gives byte-identical files.

A name is a "common word" when its lower-case form is an entry of the word
list written entirely in lower case (an entry that exists only capitalised,
such as "Alice", is a proper noun and does not count), or when it is in
TECH_WORDS below.

Usage
  python3 scripts/gen-names.py MALE_FILE FEMALE_FILE [--dict PATH] [--out-dir DIR]
  python3 scripts/gen-names.py            # finds the files of an installed `names`

See rules/data/README.md for how to fetch the inputs.
"""

import argparse
import hashlib
import importlib.util
import os
import re
import sys

DEFAULT_DICT = "/usr/share/dict/american-english"

# SHA-256 of the census files shipped in names-0.3.0.tar.gz (PyPI).
EXPECTED_SHA256 = {
    "dist.male.first": "0a5078ef6effe3b483d15b0f7f95047662126c9bfb624ecd5e5b978fc0f2470b",
    "dist.female.first": "bd2f310fc4e5d5e5ea122c9d4342c9821145823118eb20db1647f305ec77b358",
}

# Tech words that clash with first names in postmortems but that the
# dictionary has only capitalised (or not at all). A word here affects the
# output only if it is in the census lists; the others are kept to record
# that they were checked.
TECH_WORDS = {
    # In the census lists, missing from the dictionary as lower case:
    "athena": "Amazon Athena (query service)",
    "aurora": "Amazon Aurora (database)",
    "cassandra": "Apache Cassandra (database)",
    "travis": "Travis CI",
    # Checked, NOT in the 1990 census first-name lists (no effect today):
    "apollo": "Apollo GraphQL",
    "chef": "Chef (configuration management)",
    "hermes": "Hermes (JavaScript engine)",
    "jenkins": "Jenkins CI server",
    "kafka": "Apache Kafka",
    "mercury": "Mercury (various tools)",
    "phoenix": "Phoenix (Elixir web framework)",
    "puppet": "Puppet (configuration management)",
}

NAME_RE = re.compile(r"^[A-Z]+$")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def read_census(path):
    """Return the set of lower-case names in a census dist.*.first file."""
    names = set()
    with open(path, encoding="ascii") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 4 or not NAME_RE.match(fields[0]):
                sys.exit(f"{path}:{lineno}: unexpected line {line!r}")
            names.add(fields[0].lower())
    if not names:
        sys.exit(f"{path}: no names found")
    return names


def read_lowercase_words(path):
    """Return the set of dictionary entries written entirely in lower case."""
    words = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = line.strip()
            if w and w == w.lower() and w != w.upper():
                words.add(w)
    return words


def find_census_files():
    """Locate dist.male.first / dist.female.first of an installed `names`."""
    spec = importlib.util.find_spec("names")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            "census files not given and the `names` package is not installed;\n"
            "pass MALE_FILE FEMALE_FILE (see rules/data/README.md)"
        )
    d = list(spec.submodule_search_locations)[0]
    return os.path.join(d, "dist.male.first"), os.path.join(d, "dist.female.first")


def write_list(path, items):
    data = "".join(w + "\n" for w in sorted(items, key=lambda s: s.encode("ascii")))
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(data)


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("male", nargs="?", help="path to dist.male.first")
    p.add_argument("female", nargs="?", help="path to dist.female.first")
    p.add_argument("--dict", default=DEFAULT_DICT, help=f"word list (default {DEFAULT_DICT})")
    p.add_argument("--out-dir", default=os.path.join(repo, "rules", "data"))
    p.add_argument("--no-verify", action="store_true",
                   help="accept census files whose SHA-256 differs from names 0.3.0")
    args = p.parse_args()

    if (args.male is None) != (args.female is None):
        p.error("give both MALE_FILE and FEMALE_FILE, or neither")
    male, female = (args.male, args.female) if args.male else find_census_files()

    for path in (male, female):
        want = EXPECTED_SHA256.get(os.path.basename(path))
        got = sha256(path)
        if want != got and not args.no_verify:
            sys.exit(f"{path}: SHA-256 {got} is not that of names 0.3.0 "
                     f"({want}); use --no-verify to accept it")

    census = read_census(male) | read_census(female)
    words = read_lowercase_words(args.dict)

    common = {n for n in census if n in words or n in TECH_WORDS}
    plain = census - common

    os.makedirs(args.out_dir, exist_ok=True)
    write_list(os.path.join(args.out_dir, "first-names.txt"), plain)
    write_list(os.path.join(args.out_dir, "common-word-names.txt"), common)

    tech_hits = sorted(w for w in TECH_WORDS if w in census)
    tech_dict = sorted(w for w in tech_hits if w in words)
    print(f"census names: {len(census)}; first-names.txt: {len(plain)}; "
          f"common-word-names.txt: {len(common)}", file=sys.stderr)
    print(f"TECH_WORDS in census: {', '.join(tech_hits) or 'none'}"
          + (f" (also in dictionary: {', '.join(tech_dict)})" if tech_dict else ""),
          file=sys.stderr)


if __name__ == "__main__":
    main()
