#!/usr/bin/env python3
"""Fail when a Markdown file of the repository links to something the
repository does not hold: a relative link to a missing file, an anchor no
heading of the target makes, a path that climbs out of the repository, or a
web address other than the sidecar's own on localhost. The documentation is
read from a clone, so everything it points at must be in the clone.

Usage: scripts/check-docs.py   (from anywhere; `make test` runs it)
"""
import os
import re
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), ".."))
LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>]+)>")
LOCAL_HOSTS = ("http://127.0.0.1", "http://localhost")


def slug(heading):
    """The anchor GitHub makes of a heading: lower case, punctuation
    dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        found, fenced = set(), False
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("```"):
                    fenced = not fenced
                elif not fenced and re.match(r"#{1,6} ", line):
                    found.add(slug(line.lstrip("#")))
        cache[path] = found
    return cache[path]


def problems(md):
    path = os.path.join(ROOT, md)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for m in LINK.finditer(text):
        link = m.group(1) or m.group(2)
        if link.startswith(("http://", "https://")):
            if not link.startswith(LOCAL_HOSTS):
                yield f"{md}: links outside the repository: {link}"
            continue
        target, _, anchor = link.partition("#")
        dest = os.path.realpath(os.path.join(os.path.dirname(path), target)) if target else path
        if not (dest + os.sep).startswith(ROOT + os.sep):
            yield f"{md}: links outside the repository: {link}"
        elif not os.path.exists(dest):
            yield f"{md}: no such file: {link}"
        elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
            yield f"{md}: no heading makes the anchor #{anchor}: {link}"


def main():
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "*.md"], check=True,
                           capture_output=True, text=True).stdout.split()
    bad = [p for md in files for p in problems(md)]
    for p in bad:
        print(p, file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
