"""The build context rules of layerlab/build/context.py: moby patternmatcher's .dockerignore
semantics, and what the client sends versus what COPY sees. (The real-engine check of the same
rules is conformance scenario 92-build-dockerignore-exceptions.)"""
from __future__ import annotations

import pytest

from layerlab.build.context import BuildContext, DockerIgnore, tar_entry_size


@pytest.mark.parametrize("pattern,path,excluded", [
    ("logs", "logs", True),
    ("logs", "logs/a/b.txt", True),           # a parent directory matching excludes the file
    ("logs", "src/logs", False),               # anchored at the context root (unlike .gitignore)
    ("/logs/", "logs/x", True),                # leading / and trailing / are cleaned away
    ("*.tmp", "a.tmp", True),
    ("*.tmp", "src/a.tmp", False),             # * stays inside one path element
    ("**/*.tmp", "src/deep/a.tmp", True),      # ** crosses elements...
    ("**/*.tmp", "a.tmp", True),               # ...including none
    ("src/**", "src/a/b", True),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b", True),
    ("file?.txt", "file1.txt", True),
    ("file?.txt", "file/.txt", False),
    ("[a-c].txt", "b.txt", True),               # a character class, not the literal "["
    ("[a-c].txt", "d.txt", False),
    ("a.b", "axb", False),                      # "." is literal
    ("x\\*y", "x*y", True),                     # backslash escapes
    ("x\\*y", "xzy", False),
])
def test_one_pattern(pattern, path, excluded):
    assert DockerIgnore.parse(pattern).excluded(path) is excluded


def test_the_last_matching_line_wins_and_exceptions_reinclude():
    ig = DockerIgnore.parse("# comment\n\nlogs\n!logs/keep.txt\n*.md\n!README.md\nREADME.md\n")
    assert ig.excluded("logs/drop.txt") and not ig.excluded("logs/keep.txt")
    assert ig.excluded("notes.md")
    assert ig.excluded("README.md")            # excluded again by the last line
    assert ig.walk_into("logs") and not ig.walk_into("src")


def test_dict_context_sends_the_excluded_dockerfile_but_copy_does_not_see_it():
    ctx = BuildContext.from_dict({
        ".dockerignore": "logs\n!logs/keep.txt\nDockerfile\n",
        "Dockerfile": "FROM x\n", "logs/keep.txt": "k", "logs/drop.txt": "d", "app.py": "print()\n"})
    assert sorted(ctx.files) == ["/.dockerignore", "/app.py", "/logs", "/logs/keep.txt"]
    # the tar: no logs/ entry (an excluded directory an exception reached into), the Dockerfile
    assert sorted(ctx.sent) == ["/.dockerignore", "/Dockerfile", "/app.py", "/logs/keep.txt"]
    assert ctx.tar_size() == 1024 + sum(tar_entry_size(n, s) for n, s in [
        (".dockerignore", 36), ("Dockerfile", 7), ("app.py", 8), ("logs/keep.txt", 1)])


def test_folder_context_is_walked_as_the_client_walks_it(tmp_path):
    (tmp_path / "logs" / "old").mkdir(parents=True)
    (tmp_path / "logs" / "keep.txt").write_text("keep\n")
    (tmp_path / "logs" / "old" / "rotated.txt").write_text("r\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("print()\n")
    (tmp_path / ".dockerignore").write_text("logs\n!logs/keep.txt\n")
    ctx = BuildContext.from_dir(str(tmp_path))
    assert sorted(ctx.files) == ["/.dockerignore", "/logs", "/logs/keep.txt", "/src", "/src/app.py"]
    assert "/logs" not in ctx.sent and "/logs/old" not in ctx.files


def test_long_and_non_ascii_names_get_a_pax_header():
    assert tar_entry_size("a" * 100, 0) == 512
    assert tar_entry_size("a" * 101, 0) == 512 + 512 + 512     # no slash to split at: PAX
    assert tar_entry_size("d" * 100 + "/" + "f" * 100, 0) == 512   # fits prefix + name
    assert tar_entry_size("café", 1) == 512 + 512 + 1024
