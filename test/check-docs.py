#!/usr/bin/env python3
"""Parse every doc/*.rst page with docutils and fail on what Sphinx would warn about.

Checks: malformed tables, unbalanced inline markup, bad indentation and the other docutils
errors and warnings; every :doc:`target` names a page of doc/. Sphinx's own roles and
directives (doc, ref, toctree, highlight, code-block) are accepted without Sphinx, which
Debian's ns-3 packages do not need.

    test/check-docs.py [doc dir]        (exit 1 and one line per problem when any)
"""
import io
import os
import re
import sys

try:
    import docutils.core
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives, roles
    from docutils.parsers.rst.directives.body import CodeBlock
except ImportError:
    sys.stderr.write("check-docs: docutils missing (Debian: apt-get install python3-docutils)\n")
    sys.exit(2)


class Ignored(Directive):
    """A Sphinx directive whose content does not matter here (toctree, highlight)."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {
        "maxdepth": directives.unchanged,
        "caption": directives.unchanged,
        "linenothreshold": directives.unchanged,
    }

    def run(self):
        return []


def text_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [nodes.literal(rawtext, text)], []


DOC_RE = re.compile(r":doc:`(?:[^`<]*<)?([^`>]+)>?`")
CITATION_RE = re.compile(r"^\.\. \[([^\]]+)\]", re.M)
UNKNOWN_RE = re.compile(r'Unknown target name: "([^"]+)"')


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    doc = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "doc")
    directives.register_directive("toctree", Ignored)
    directives.register_directive("highlight", Ignored)
    directives.register_directive("code-block", CodeBlock)
    for name in ("doc", "ref", "term", "file", "command"):
        roles.register_local_role(name, text_role)
    pages = sorted(f for f in os.listdir(doc) if f.endswith(".rst"))
    if not pages:
        print(f"check-docs: no .rst page in {doc}")
        return 1
    # Sphinx resolves citations across pages: [label]_ may cite a ".. [label]" of another page.
    citations = set()
    for page in pages:
        with open(os.path.join(doc, page), encoding="utf-8") as f:
            citations.update(c.lower() for c in CITATION_RE.findall(f.read()))
    problems = []
    for page in pages:
        path = os.path.join(doc, page)
        with open(path, encoding="utf-8") as f:
            source = f.read()
        messages = io.StringIO()
        docutils.core.publish_doctree(
            source,
            source_path=path,
            settings_overrides={
                "report_level": 2,
                "halt_level": 5,
                "warning_stream": messages,
                "file_insertion_enabled": False,
                "raw_enabled": False,
            },
        )
        for line in messages.getvalue().splitlines():
            unknown = UNKNOWN_RE.search(line)
            if unknown and unknown.group(1).lower() in citations:
                continue
            if re.search(r"\((WARNING|ERROR|SEVERE)/\d\)", line):
                problems.append(line)
        for target in DOC_RE.findall(source):
            if not os.path.exists(os.path.join(doc, target.strip() + ".rst")):
                problems.append(f"{path}: :doc:`{target}`: no page {target}.rst in {doc}")
    for p in problems:
        print(p)
    print(f"check-docs: {len(pages)} pages, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
