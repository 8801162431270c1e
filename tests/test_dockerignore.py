"""Unit tests for stagify/context/dockerignore.py: moby's matching rules and merging into the user's file."""

from __future__ import annotations

import pytest

from stagify.context.dockerignore import HEADER, clean, compile_glob, is_ignored, merge, parse_rules


def ignored(text: str, path: str) -> bool:
    return is_ignored(parse_rules(text), path)


# --- clean and parse_rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("./a//b/", "a/b"),
        ("/secret", "secret"),
        ("  build/  ", "build"),
        ("a/../b", "b"),
        ("/", ""),
        ("./", ""),
        ("*.log", "*.log"),
    ],
)
def test_clean_normalises_patterns_like_moby(pattern: str, expected: str) -> None:
    assert clean(pattern) == expected


def test_comments_and_blank_lines_are_not_rules() -> None:
    rules = parse_rules("# a comment\n\n   \n*.log\n  # indented comment\n!keep.log\n")
    assert [(r.pattern, r.exclude) for r in rules] == [("*.log", True), ("keep.log", False)]


def test_a_comment_line_does_not_ignore_a_file_of_that_name() -> None:
    assert not ignored("# secret\n", "# secret")
    assert not ignored("# secret\n", "secret")


def test_crlf_lines_are_read_as_patterns() -> None:
    rules = parse_rules("build\r\n!build/keep\r\n")
    assert [(r.pattern, r.exclude) for r in rules] == [("build", True), ("build/keep", False)]


# --- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["/secret.txt", "./secret.txt", "secret.txt", "secret.txt/"])
def test_patterns_are_relative_to_the_context_root(pattern: str) -> None:
    assert ignored(pattern, "secret.txt")
    assert not ignored(pattern, "sub/secret.txt")


def test_paths_are_cleaned_before_matching() -> None:
    assert ignored("build", "./build/out.o")
    assert ignored("build", "/build")


def test_the_context_root_itself_is_never_ignored() -> None:
    assert not ignored("*\n**\n", ".")
    assert not ignored("*\n", "")


@pytest.mark.parametrize(
    "path, expected",
    [("app.log", True), ("logs/app.log", False), ("app.log.gz", False)],
)
def test_star_does_not_cross_a_slash(path: str, expected: bool) -> None:
    assert ignored("*.log", path) is expected


@pytest.mark.parametrize(
    "path, expected",
    [("a.txt", True), ("ab.txt", False), (".txt", False), ("a/b.txt", False)],
)
def test_question_mark_matches_one_character_but_not_a_slash(path: str, expected: bool) -> None:
    assert ignored("?.txt", path) is expected


def test_question_mark_between_names_does_not_match_a_slash() -> None:
    assert ignored("a?b", "axb")
    assert not ignored("a?b", "a/b")


def test_star_in_a_middle_segment_matches_one_folder() -> None:
    assert ignored("src/*/gen.go", "src/api/gen.go")
    assert not ignored("src/*/gen.go", "src/api/v1/gen.go")


@pytest.mark.parametrize(
    "path, expected",
    [("main.go", True), ("cmd/app/main.go", True), ("cmd/app/main.gox", False), ("main_go", False)],
)
def test_double_star_prefix_crosses_any_number_of_folders(path: str, expected: bool) -> None:
    assert ignored("**/*.go", path) is expected


@pytest.mark.parametrize(
    "path, expected",
    [("a/b", True), ("a/x/b", True), ("a/x/y/b", True), ("a/x/b/file", True), ("c/a/b", False), ("a/bb", False)],
)
def test_double_star_in_the_middle_crosses_folders(path: str, expected: bool) -> None:
    assert ignored("a/**/b", path) is expected


def test_double_star_alone_matches_everything() -> None:
    assert ignored("**", "a")
    assert ignored("**", "a/b/c")


def test_a_pattern_matching_a_folder_excludes_everything_under_it() -> None:
    assert ignored("node_modules", "node_modules/pkg/index.js")
    assert ignored("docs/*", "docs/api/v1/index.md")
    assert not ignored("node_modules", "web/node_modules/pkg/index.js")
    assert not ignored("node_modules", "node_modules_backup")


def test_exclamation_mark_re_includes_a_path() -> None:
    text = "*.md\n!README.md\n"
    assert ignored(text, "CHANGELOG.md")
    assert not ignored(text, "README.md")


def test_the_last_matching_line_wins() -> None:
    assert ignored("!README.md\n*.md\n", "README.md")
    assert not ignored("*.md\n!README.md\n", "README.md")
    assert ignored("*.md\n!README.md\nREADME.md\n", "README.md")


def test_a_file_can_be_re_included_from_an_excluded_folder() -> None:
    text = "docs\n!docs/keep.md\n"
    assert ignored(text, "docs/other.md")
    assert not ignored(text, "docs/keep.md")


def test_a_path_no_rule_matches_is_kept() -> None:
    assert not ignored("*.log\nbuild\n", "src/main.go")
    assert not is_ignored((), "anything")


@pytest.mark.parametrize(
    "path, expected",
    [("filea.txt", True), ("fileb.txt", True), ("filed.txt", False), ("file/.txt", False)],
)
def test_character_classes_match_one_listed_character(path: str, expected: bool) -> None:
    assert ignored("file[abc].txt", path) is expected


def test_character_ranges_are_supported() -> None:
    assert ignored("v[0-9].tar", "v7.tar")
    assert not ignored("v[0-9].tar", "vx.tar")


def test_glob_regex_escapes_regex_metacharacters() -> None:
    regex = compile_glob("a.b+(c)")
    assert regex.match("a.b+(c)")
    assert not regex.match("axbb(c)")


def test_glob_regex_backslash_escapes_a_wildcard() -> None:
    regex = compile_glob("a\\*b")
    assert regex.match("a*b")
    assert not regex.match("axb")


def test_glob_regex_matches_whole_paths_only() -> None:
    regex = compile_glob("*.go")
    assert regex.match("main.go")
    assert not regex.match("main.go.bak")
    assert not regex.match("cmd/main.go")


# --- merge ---------------------------------------------------------------------------------


def test_merge_into_no_file_writes_the_header_and_the_lines() -> None:
    assert merge(None, [".git", "*.log"], []) == f"{HEADER}\n.git\n*.log\n"


def test_merge_keeps_the_users_text_verbatim_at_the_top() -> None:
    existing = "# my rules\n/tmp   \n\n!keep\n"
    out = merge(existing, [".git"], [])
    assert out.startswith(existing)
    assert out == existing + f"\n{HEADER}\n.git\n"


def test_merge_appends_only_the_missing_lines() -> None:
    out = merge("node_modules\n.git\n", [".git", "node_modules", ".env"], [])
    assert out == f"node_modules\n.git\n\n{HEADER}\n.env\n"


@pytest.mark.parametrize("written", ["/.idea", "./.idea", ".idea/", "  .idea  "])
def test_merge_does_not_repeat_a_line_present_in_another_spelling(written: str) -> None:
    out = merge(f"{written}\n", [".idea", ".vscode"], [])
    assert out == f"{written}\n\n{HEADER}\n.vscode\n"
    assert out.count("idea") == 1


@pytest.mark.parametrize("wanted", ["/.idea", "./.idea", ".idea/"])
def test_merge_compares_wanted_lines_in_cleaned_form_too(wanted: str) -> None:
    assert merge(".idea\n", [wanted], []) == ".idea\n"


def test_merge_does_not_repeat_a_wanted_line_listed_twice() -> None:
    assert merge("", ["*.log", "*.log"], []) == f"{HEADER}\n*.log\n"


def test_merge_does_not_count_a_commented_out_line_as_present() -> None:
    assert merge("# .git\n", [".git"], []) == f"# .git\n\n{HEADER}\n.git\n"


def test_merge_skips_a_line_that_would_exclude_a_protected_path() -> None:
    out = merge("", ["*.go", ".env", "config.yaml"], ["main.go", "config.yaml"])
    assert out == f"{HEADER}\n.env\n"


def test_merge_skips_a_line_that_would_exclude_a_folder_above_a_protected_path() -> None:
    out = merge("", ["src", "vendor", "tmp"], ["src/main.go", "./vendor/"])
    assert out == f"{HEADER}\ntmp\n"


def test_merge_keeps_a_line_that_only_looks_like_a_protected_path() -> None:
    # "*.go" does not cross "/", so it cannot exclude cmd/app/main.go.
    out = merge("", ["*.go"], ["cmd/app/main.go"])
    assert out == f"{HEADER}\n*.go\n"


def test_merge_ignores_the_context_root_as_a_protected_path() -> None:
    assert merge("", ["*.log"], [".", "./", ""]) == f"{HEADER}\n*.log\n"


@pytest.mark.parametrize("existing", ["build\n.git\n", "build\r\n.git\r\n", "", None])
def test_merge_with_nothing_new_returns_the_text_unchanged(existing: str | None) -> None:
    wanted = [".git", "build"] if existing else []
    newline = "\r\n" if existing and "\r\n" in existing else "\n"
    assert merge(existing, wanted, [], newline) == (existing or "")


def test_merge_when_every_wanted_line_is_protected_returns_the_text_unchanged() -> None:
    assert merge("a\n", ["src"], ["src/main.go"]) == "a\n"


@pytest.mark.parametrize(
    "existing, newline",
    [(None, "\n"), ("", "\n"), ("user\n", "\n"), ("user", "\n"), ("user\r\n# more\r\n", "\r\n")],
)
def test_merging_the_result_again_changes_nothing(existing: str | None, newline: str) -> None:
    wanted = [".git", "*.log", "src", ".env"]
    protected = ["src/main.go"]
    once = merge(existing, wanted, protected, newline)
    assert once != (existing or "")
    assert merge(once, wanted, protected, newline) == once


def test_a_second_merge_with_new_lines_does_not_repeat_the_header() -> None:
    once = merge("user\n", [".git"], [])
    twice = merge(once, [".git", ".env"], [])
    assert twice.startswith(once)
    assert twice.count(HEADER) == 1
    assert twice.endswith(".env\n")


def test_merge_into_a_file_without_trailing_newline() -> None:
    assert merge("build", [".git"], []) == f"build\n\n{HEADER}\n.git\n"


@pytest.mark.parametrize("existing", ["", "\n", "  \n\n"])
def test_merge_into_a_blank_file_adds_no_separator_line(existing: str) -> None:
    assert merge(existing, [".git"], []) == f"{existing}{HEADER}\n.git\n"


def test_merge_writes_crlf_when_asked() -> None:
    out = merge("build\r\n", [".git", "*.log"], [], "\r\n")
    assert out == f"build\r\n\r\n{HEADER}\r\n.git\r\n*.log\r\n"
    assert "\n" not in out.replace("\r\n", "")


def test_merge_recognises_present_lines_in_a_crlf_file() -> None:
    out = merge(".git\r\n", [".git", ".env"], [], "\r\n")
    assert out == f".git\r\n\r\n{HEADER}\r\n.env\r\n"
