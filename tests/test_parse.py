"""Unit tests for stagify/dockerfile/parse.py and the parts of stagify/dockerfile/model.py it builds on."""

from __future__ import annotations

import pytest

from stagify.dockerfile.model import Flag, Heredoc, Keyword, arg_pairs, env_pairs, split_words, substitute
from stagify.dockerfile.parse import decode, exec_form, parse, split_flags
from stagify.errors import StagifyError

PATH = "ctx/Dockerfile"


def parse_error(data: str | bytes, path: str = PATH) -> StagifyError:
    with pytest.raises(StagifyError) as info:
        parse(data, path)
    return info.value


def assert_error_at(err: StagifyError, line: int | None, *words: str, path: str = PATH) -> None:
    """The error names the path and line (or only the path) and says what is wrong."""
    assert err.path == path
    assert err.line == line
    where = path if line is None else f"{path}:{line}"
    assert str(err) == f"{where}: {err.message}"
    for word in words:
        assert word in err.message


def keywords(src: str) -> list[Keyword]:
    return [ins.keyword for ins in parse(src).instructions]


# --- line numbers --------------------------------------------------------------------------


def test_line_numbers_are_one_based() -> None:
    df = parse("FROM alpine\nRUN true\n")
    assert [(i.line, i.end_line) for i in df.instructions] == [(1, 1), (2, 2)]


def test_first_instruction_after_blank_lines_and_comments_has_its_real_line() -> None:
    df = parse("\n\n# one\n# two\n\nFROM alpine\n")
    assert df.instructions[0].line == 6
    assert df.instructions[0].end_line == 6


def test_multi_line_instruction_spans_line_to_end_line() -> None:
    df = parse("FROM alpine\nRUN apk add \\\n    curl \\\n    git\nCMD sh\n")
    run, cmd = df.instructions[1], df.instructions[2]
    assert (run.line, run.end_line) == (2, 4)
    assert (cmd.line, cmd.end_line) == (5, 5)


def test_line_numbers_follow_the_directive_block() -> None:
    df = parse("# syntax=docker/dockerfile:1\n# check=error=true\n\nFROM alpine\n")
    assert df.instructions[0].line == 4


# --- comments ------------------------------------------------------------------------------


def test_comments_above_an_instruction_stay_attached() -> None:
    df = parse("FROM alpine\n# install tools\n# (curl only)\nRUN apk add curl\nCMD sh\n")
    run = df.instructions[1]
    assert run.comments == ("# install tools", "# (curl only)")
    assert df.instructions[0].comments == ()
    assert df.instructions[2].comments == ()


def test_blank_lines_between_comment_groups_collapse_to_one_empty_entry() -> None:
    df = parse("# first\n\n\n\n# second\n# third\n\nFROM alpine\n")
    assert df.instructions[0].comments == ("# first", "", "# second", "# third")


def test_blank_lines_before_the_first_comment_are_not_kept() -> None:
    df = parse("FROM alpine\n\n\n# why\nRUN true\n")
    assert df.instructions[1].comments == ("# why",)


def test_trailing_comments_after_the_last_instruction_go_to_the_dockerfile() -> None:
    df = parse("FROM alpine\nCMD sh\n# the end\n\n# really\n\n")
    assert df.trailing_comments == ("# the end", "", "# really")
    assert df.instructions[-1].comments == ()


def test_no_trailing_comments_gives_an_empty_tuple() -> None:
    assert parse("FROM alpine\nCMD sh\n").trailing_comments == ()


def test_comments_inside_a_continued_run_stay_in_raw_not_in_comments() -> None:
    src = "FROM alpine\nRUN apk add \\\n  # the client\n  curl\n"
    run = parse(src).instructions[1]
    assert run.comments == ()
    assert "# the client" in run.raw
    assert run.raw == "RUN apk add \\\n  # the client\n  curl"
    assert "#" not in run.args
    assert (run.line, run.end_line) == (2, 4)


# --- parser directives ---------------------------------------------------------------------


def test_directives_at_the_top_are_recognised() -> None:
    df = parse("# syntax=docker/dockerfile:1.7\n#check=skip=JSONArgsRecommended\nFROM alpine\n")
    assert [(d.name, d.value, d.line) for d in df.directives] == [
        ("syntax", "docker/dockerfile:1.7", 1),
        ("check", "skip=JSONArgsRecommended", 2),
    ]
    assert df.directives[1].raw == "#check=skip=JSONArgsRecommended"
    assert df.instructions[0].comments == ()


def test_directive_names_are_case_insensitive() -> None:
    df = parse("# SYNTAX = docker/dockerfile:1\nFROM alpine\n")
    assert [(d.name, d.value) for d in df.directives] == [("syntax", "docker/dockerfile:1")]


@pytest.mark.parametrize(
    "src",
    [
        "# a comment\n# syntax=docker/dockerfile:1\nFROM alpine\n",
        "\n# syntax=docker/dockerfile:1\nFROM alpine\n",
    ],
    ids=["after-comment", "after-blank-line"],
)
def test_a_directive_after_a_comment_or_blank_line_is_an_ordinary_comment(src: str) -> None:
    df = parse(src)
    assert df.directives == ()
    assert "# syntax=docker/dockerfile:1" in df.instructions[0].comments


def test_a_directive_after_an_instruction_is_an_ordinary_comment() -> None:
    df = parse("FROM alpine\n# escape=`\nRUN echo \\\n  hi\n")
    assert df.directives == ()
    assert df.escape == "\\"
    run = df.instructions[1]
    assert run.comments == ("# escape=`",)
    assert (run.line, run.end_line) == (3, 4)


def test_an_unknown_directive_name_ends_the_directive_block() -> None:
    df = parse("# syntax=docker/dockerfile:1\n# foo=bar\n# escape=`\nFROM alpine\n")
    assert [d.name for d in df.directives] == ["syntax"]
    assert df.escape == "\\"
    assert df.instructions[0].comments == ("# foo=bar", "# escape=`")


def test_a_duplicated_directive_is_an_error_on_its_second_line() -> None:
    err = parse_error("# syntax=a\n# syntax=b\nFROM alpine\n")
    assert_error_at(err, 2, "syntax", "twice")


def test_an_invalid_escape_character_is_an_error() -> None:
    err = parse_error("# escape=x\nFROM alpine\n")
    assert_error_at(err, 1, "escape")


def test_backtick_escape_makes_backtick_the_continuation_character() -> None:
    src = "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nWORKDIR C:\\\nRUN dir `\n    C:\\\n"
    df = parse(src)
    assert df.escape == "`"
    assert [(d.name, d.value) for d in df.directives] == [("escape", "`")]
    workdir, run = df.instructions[1], df.instructions[2]
    # A trailing backslash no longer continues the line ...
    assert workdir.keyword is Keyword.WORKDIR
    assert (workdir.line, workdir.end_line) == (3, 3)
    assert workdir.args == "C:\\"
    # ... and a trailing backtick does.
    assert run.keyword is Keyword.RUN
    assert (run.line, run.end_line) == (4, 5)
    assert run.raw == "RUN dir `\n    C:\\"


def test_backtick_escape_as_second_directive_still_applies() -> None:
    df = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine\nRUN echo `\n  hi\n")
    assert df.escape == "`"
    assert (df.instructions[1].line, df.instructions[1].end_line) == (4, 5)


# --- global ARGs and FROM ------------------------------------------------------------------


def test_global_args_before_from_are_allowed_and_listed() -> None:
    df = parse("ARG GO=1.22\nARG BASE\nFROM golang:${GO}\nARG INSIDE=1\n")
    assert [i.args for i in df.global_args] == ["GO=1.22", "BASE"]
    assert df.arg_defaults() == {"GO": "1.22", "BASE": None}


@pytest.mark.parametrize(
    "written",
    ["golang:${GO}", "golang:$GO", "golang:${GO:-1.0}"],
)
def test_from_variables_are_resolved_from_arg_defaults(written: str) -> None:
    df = parse(f"ARG GO=1.22\nFROM {written}\n")
    image = df.stages[0].image
    assert image.written == written
    assert image.resolved == "golang:1.22"


def test_from_default_is_used_when_the_arg_has_no_value() -> None:
    df = parse("ARG GO\nFROM golang:${GO:-1.21}-alpine\n")
    assert df.stages[0].image.resolved == "golang:1.21-alpine"
    assert df.stages[0].image.written == "golang:${GO:-1.21}-alpine"


def test_arg_defaults_can_use_earlier_args_and_later_args_win() -> None:
    df = parse('ARG REG=docker.io\nARG IMG="${REG}/library/golang"\nARG REG=ghcr.io\nFROM $IMG\n')
    assert df.arg_defaults() == {"REG": "ghcr.io", "IMG": "docker.io/library/golang"}
    assert df.stages[0].image.resolved == "docker.io/library/golang"


def test_an_arg_inside_a_stage_does_not_resolve_a_later_from() -> None:
    df = parse("FROM alpine\nARG TAG=3.20\nFROM alpine:${TAG}\n")
    assert "TAG" not in df.arg_defaults()
    assert df.stages[1].image.resolved == "alpine:"


def test_from_as_gives_the_stage_an_alias() -> None:
    df = parse("FROM golang:1.22 AS build\nRUN go build\nFROM alpine as final\nCOPY --from=build /a /a\n")
    assert [s.alias for s in df.stages] == ["build", "final"]
    assert [s.image.written for s in df.stages] == ["golang:1.22", "alpine"]


def test_from_without_alias_has_none() -> None:
    stage = parse("FROM alpine\n").stages[0]
    assert stage.alias is None
    assert stage.platform is None


def test_from_platform_flag_is_split_from_the_image() -> None:
    df = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n")
    stage = df.stages[0]
    assert stage.platform == "$BUILDPLATFORM"
    assert stage.image.written == "golang:1.22"
    assert stage.alias == "build"
    assert stage.from_.flags == (Flag(name="platform", value="$BUILDPLATFORM"),)


def test_stages_split_the_instructions_at_each_from() -> None:
    df = parse("ARG V=1\nFROM golang AS build\nRUN a\nRUN b\nFROM alpine\nCOPY --from=build /x /x\nCMD x\n")
    assert [s.index for s in df.stages] == [0, 1]
    assert [s.from_.line for s in df.stages] == [2, 5]
    assert [[i.keyword for i in s.instructions] for s in df.stages] == [
        [Keyword.RUN, Keyword.RUN],
        [Keyword.COPY, Keyword.CMD],
    ]
    assert len(df.instructions) == 7


# --- keywords, newlines, BOM ----------------------------------------------------------------


def test_lowercase_instructions_parse_to_the_uppercase_keyword() -> None:
    df = parse("from alpine as base\nrun echo hi\nCoPy a b\n")
    assert [i.keyword for i in df.instructions] == [Keyword.FROM, Keyword.RUN, Keyword.COPY]
    assert df.instructions[0].raw == "from alpine as base"
    assert df.stages[0].alias == "base"


def test_crlf_input_records_crlf_newline_and_strips_carriage_returns() -> None:
    df = parse("FROM alpine\r\n# note\r\nRUN echo \\\r\n  hi\r\nCMD sh\r\n# end\r\n")
    assert df.newline == "\r\n"
    run = df.instructions[1]
    assert run.comments == ("# note",)
    assert (run.line, run.end_line) == (3, 4)
    assert "\r" not in run.raw
    assert df.trailing_comments == ("# end",)


def test_lf_input_records_lf_newline() -> None:
    assert parse("FROM alpine\nCMD sh\n").newline == "\n"


def test_utf8_bom_in_bytes_is_accepted() -> None:
    df = parse(b"\xef\xbb\xbfFROM alpine\nRUN true\n")
    assert df.bom is True
    assert df.instructions[0].keyword is Keyword.FROM
    assert df.instructions[0].line == 1
    assert df.stages[0].image.written == "alpine"


def test_utf8_bom_in_str_is_accepted() -> None:
    df = parse("\ufeffFROM alpine\n")
    assert df.bom is True
    assert df.instructions[0].raw == "FROM alpine"


def test_no_bom_is_recorded_as_false() -> None:
    assert parse(b"FROM alpine\n").bom is False
    assert parse("FROM alpine\n").bom is False


def test_decode_returns_text_and_bom_flag() -> None:
    assert decode(b"\xef\xbb\xbfFROM x\n", PATH) == ("FROM x\n", True)
    assert decode("FROM é\n".encode(), PATH) == ("FROM é\n", False)


# --- heredocs ------------------------------------------------------------------------------


def test_heredoc_body_is_kept_verbatim_and_not_parsed_as_instructions() -> None:
    src = "FROM alpine\nRUN <<EOF\nFROM nope\necho hi\nEOF\nCMD sh\n"
    df = parse(src)
    assert keywords(src) == [Keyword.FROM, Keyword.RUN, Keyword.CMD]
    assert len(df.stages) == 1
    run = df.instructions[1]
    assert run.raw == "RUN <<EOF\nFROM nope\necho hi\nEOF"
    assert run.heredocs == (Heredoc(delimiter="EOF", body="FROM nope\necho hi", strip_tabs=False),)
    assert (run.line, run.end_line) == (2, 2)
    assert df.instructions[2].line == 6


def test_dash_heredoc_strips_tabs_from_the_terminator() -> None:
    src = "FROM alpine\nRUN <<-EOF\n\techo hi\n\tEOF\nCMD sh\n"
    df = parse(src)
    run = df.instructions[1]
    assert run.heredocs == (Heredoc(delimiter="EOF", body="\techo hi", strip_tabs=True),)
    assert run.raw == "RUN <<-EOF\n\techo hi\n\tEOF"
    assert df.instructions[2].line == 5


def test_a_tab_indented_terminator_does_not_close_a_plain_heredoc() -> None:
    err = parse_error("FROM alpine\nRUN <<EOF\n\techo hi\n\tEOF\n")
    assert_error_at(err, 2, "heredoc", "EOF")


def test_quoted_heredoc_delimiter_is_unquoted() -> None:
    df = parse('FROM alpine\nRUN <<"EOF" sh\necho $HOME\nEOF\n')
    run = df.instructions[1]
    assert run.heredocs == (Heredoc(delimiter="EOF", body="echo $HOME"),)
    assert run.args == '<<"EOF" sh'


def test_two_heredocs_in_one_run_are_read_in_order() -> None:
    src = "FROM alpine\nRUN <<A cat && <<B cat\nfirst\nA\nsecond\nB\nCMD sh\n"
    df = parse(src)
    run = df.instructions[1]
    assert [(h.delimiter, h.body) for h in run.heredocs] == [("A", "first"), ("B", "second")]
    assert run.raw == "RUN <<A cat && <<B cat\nfirst\nA\nsecond\nB"
    assert df.instructions[2].line == 7


def test_copy_heredoc_creates_a_file_body() -> None:
    df = parse("FROM alpine\nCOPY <<EOF /etc/motd\nhello\nRUN not an instruction\nEOF\nRUN cat /etc/motd\n")
    copy = df.instructions[1]
    assert copy.keyword is Keyword.COPY
    assert copy.heredocs == (Heredoc(delimiter="EOF", body="hello\nRUN not an instruction"),)
    assert copy.args == "<<EOF /etc/motd"
    assert [i.line for i in df.instructions] == [1, 2, 6]


def test_exec_form_run_has_no_heredoc() -> None:
    df = parse('FROM alpine\nRUN ["echo", "<<EOF"]\nCMD sh\n')
    assert df.instructions[1].heredocs == ()
    assert df.instructions[1].exec_form == ("echo", "<<EOF")
    assert df.instructions[2].line == 3


# --- continuations -------------------------------------------------------------------------


def test_blank_lines_inside_a_continuation_do_not_end_the_instruction() -> None:
    df = parse("FROM alpine\nRUN echo a \\\n\n  && echo b \\\n\n\n  && echo c\nCMD sh\n")
    run = df.instructions[1]
    assert (run.line, run.end_line) == (2, 7)
    assert "echo c" in run.args
    assert [i.keyword for i in df.instructions] == [Keyword.FROM, Keyword.RUN, Keyword.CMD]
    assert df.instructions[2].line == 8


def test_a_ten_thousand_line_continuation_parses() -> None:
    body = "".join(f"  && echo {i} \\\n" for i in range(10_000))
    df = parse("FROM alpine\nRUN true \\\n" + body + "  && true\nCMD sh\n")
    run = df.instructions[1]
    assert (run.line, run.end_line) == (2, 10_003)
    assert "echo 9999" in run.args
    assert df.instructions[2].line == 10_004


# --- exec form and flags -------------------------------------------------------------------


def test_exec_form_instruction_gives_the_json_array() -> None:
    cmd = parse('FROM alpine\nCMD ["a", "b"]\n').instructions[1]
    assert cmd.exec_form == ("a", "b")
    assert cmd.is_exec_form


@pytest.mark.parametrize(
    "cmd",
    ["CMD ['a']", "CMD echo hi", 'CMD ["a", 1]', 'CMD ["a"'],
    ids=["single-quotes", "shell-form", "non-string-item", "unterminated"],
)
def test_non_json_arguments_are_shell_form(cmd: str) -> None:
    ins = parse(f"FROM alpine\n{cmd}\n").instructions[1]
    assert ins.exec_form is None
    assert not ins.is_exec_form


@pytest.mark.parametrize(
    "args, expected",
    [
        ('["a","b"]', ("a", "b")),
        ('  ["sh", "-c", "x"]  ', ("sh", "-c", "x")),
        ("[]", ()),
        ("['a']", None),
        ('{"a": 1}', None),
        ('[["a"]]', None),
        ("echo [x]", None),
    ],
)
def test_exec_form_function(args: str, expected: tuple[str, ...] | None) -> None:
    assert exec_form(args) == expected


def test_run_flags_are_split_from_the_command() -> None:
    src = "FROM alpine\nRUN --mount=type=cache,target=/root/.cache --network=host go build ./...\n"
    run = parse(src).instructions[1]
    assert run.flags == (
        Flag(name="mount", value="type=cache,target=/root/.cache"),
        Flag(name="network", value="host"),
    )
    assert run.args == "go build ./..."


def test_copy_flags_are_split_from_the_sources() -> None:
    copy = parse("FROM alpine\nCOPY --from=build --chmod=755 app /usr/local/bin/app\n").instructions[1]
    assert copy.flags == (Flag(name="from", value="build"), Flag(name="chmod", value="755"))
    assert copy.args == "app /usr/local/bin/app"


def test_instruction_flag_returns_value_empty_for_bare_and_none_when_absent() -> None:
    copy = parse("FROM alpine\nCOPY --link --from=build a b\n").instructions[1]
    assert copy.flag("from") == "build"
    assert copy.flag("link") == ""
    assert copy.flag("chown") is None


def test_flags_of_instructions_without_flags_stay_in_args() -> None:
    env = parse("FROM alpine\nENV --x=1\n").instructions[1]
    assert env.flags == ()
    assert env.args == "--x=1"


def test_double_dash_after_the_command_is_not_a_flag() -> None:
    assert split_flags("--mount=type=secret,id=x make --jobs=4") == (
        (Flag(name="mount", value="type=secret,id=x"),),
        "make --jobs=4",
    )


def test_healthcheck_flags_are_split_and_none_needs_no_command() -> None:
    df = parse("FROM alpine\nHEALTHCHECK --interval=5s CMD true\n")
    hc = df.instructions[1]
    assert hc.flag("interval") == "5s"
    assert hc.args == "CMD true"
    assert parse("FROM alpine\nHEALTHCHECK NONE\n").instructions[1].args == "NONE"


def test_quoted_flag_value_with_a_space_stays_one_flag() -> None:
    run = parse('FROM alpine\nRUN --mount=type=bind,source="my dir",target=/src make\n').instructions[1]
    assert [f.name for f in run.flags] == ["mount"]
    assert run.args == "make"


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("src", ["", "   \n\t\n\n", b"", b"\xef\xbb\xbf"], ids=["empty", "whitespace", "bytes", "bom"])
def test_an_empty_file_is_an_error_without_a_line(src: str | bytes) -> None:
    assert_error_at(parse_error(src), None, "empty")


def test_a_file_of_only_comments_is_an_error_without_a_line() -> None:
    assert_error_at(parse_error("# just\n# comments\n\n"), None, "comments")


def test_a_file_of_only_directives_is_an_error() -> None:
    err = parse_error("# syntax=docker/dockerfile:1\n")
    assert err.line is None
    assert str(err).startswith(f"{PATH}: ")


def test_a_file_without_from_is_an_error_at_its_first_instruction() -> None:
    err = parse_error("# c\nARG A=1\nARG B=2\n")
    assert_error_at(err, 2, "FROM")


def test_an_instruction_before_from_other_than_arg_is_an_error() -> None:
    err = parse_error("ARG A=1\nRUN echo hi\nFROM alpine\n")
    assert_error_at(err, 2, "RUN", "FROM")


def test_an_unknown_instruction_is_an_error_naming_it() -> None:
    err = parse_error("FROM alpine\n\nCOPPY a b\n")
    assert_error_at(err, 3, '"COPPY"')


def test_a_nul_byte_is_binary_data() -> None:
    err = parse_error(b"FROM alpine\nRUN a\n\x00\x01\x02\n")
    assert_error_at(err, 3, "binary")


def test_invalid_utf8_names_the_line_of_the_bad_byte() -> None:
    err = parse_error(b"FROM alpine\nRUN a\nRUN caf\xe9\n")
    assert_error_at(err, 3, "UTF-8")


def test_invalid_utf8_after_a_bom_names_the_line_of_the_bad_byte() -> None:
    err = parse_error(b"\xef\xbb\xbfFROM alpine\n\xff\n")
    assert_error_at(err, 2, "UTF-8")


def test_unterminated_continuation_at_end_of_file_is_an_error_at_its_start() -> None:
    err = parse_error("FROM alpine\nRUN echo a \\\n  && echo b \\\n")
    assert_error_at(err, 2, "continuation")


def test_continuation_followed_only_by_blank_and_comment_lines_is_unterminated() -> None:
    err = parse_error("FROM alpine\nRUN echo \\\n\n# nothing\n")
    assert_error_at(err, 2, "continuation")


def test_unterminated_heredoc_is_an_error_at_its_instruction() -> None:
    err = parse_error("FROM alpine\nCMD sh\nRUN <<EOF\necho hi\nEOFX\n")
    assert_error_at(err, 3, "heredoc", "EOF")


@pytest.mark.parametrize("src", ["FROM alpine\nCMD\n", "FROM alpine\nCMD"], ids=["newline", "no-newline"])
def test_an_instruction_without_arguments_on_the_last_line_is_an_error(src: str) -> None:
    assert_error_at(parse_error(src), 2, "CMD", "arguments")


def test_an_instruction_without_arguments_mid_file_is_an_error() -> None:
    assert_error_at(parse_error("FROM alpine\nWORKDIR   \nCMD sh\n"), 2, "WORKDIR")


def test_run_with_only_flags_is_an_error() -> None:
    assert_error_at(parse_error("FROM alpine\nRUN --network=none\n"), 2, "RUN", "flags")


@pytest.mark.parametrize("from_line", ["FROM a b c", "FROM a AS", "FROM a b", "FROM a AS b c"])
def test_a_malformed_from_is_an_error(from_line: str) -> None:
    err = parse_error(f"ARG X=1\n{from_line}\n")
    assert_error_at(err, 2, "FROM")


def test_error_path_is_the_one_given() -> None:
    err = parse_error("", path="some/where/Containerfile")
    assert str(err) == "some/where/Containerfile: " + err.message


# --- model helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, values, expected",
    [
        ("${A:+alt}", {"A": "1"}, "alt"),
        ("${A:+alt}", {}, ""),
        ("${A:+alt}", {"A": ""}, ""),
        ("${A+alt}", {"A": ""}, "alt"),
        ("${U}", {}, ""),
        ("$U/x", {}, "/x"),
        ("${N}", {"N": None}, ""),
        ("${A-x}", {"A": ""}, ""),
        ("${A:-x}", {"A": ""}, "x"),
        ("${A-x}", {}, "x"),
        ("${A-x}", {"A": None}, "x"),
        ("${A:-x}", {"A": "v"}, "v"),
        ("$A$B", {"A": "1", "B": "2"}, "12"),
        ("${A}_$A-", {"A": "v"}, "v_v-"),
        ("no vars", {"A": "v"}, "no vars"),
    ],
)
def test_substitute(text: str, values: dict[str, str | None], expected: str) -> None:
    assert substitute(text, values) == expected


def test_substitute_keeps_an_escaped_dollar_literal() -> None:
    assert substitute(r"\$A", {"A": "x"}) == "$A"


def test_substitute_expands_a_variable_inside_a_default() -> None:
    assert substitute("${A:-${B}}", {"B": "b"}) == "b"


def test_arg_pairs() -> None:
    assert arg_pairs("A=1 B C=\"x y\" D='q'") == [("A", "1"), ("B", None), ("C", "x y"), ("D", "q")]


def test_env_pairs_key_value_form() -> None:
    assert env_pairs("A=1 B=\"x y\" C='$q r' D=") == [("A", "1"), ("B", "x y"), ("C", "$q r"), ("D", "")]


def test_env_pairs_legacy_form_takes_the_rest_of_the_line() -> None:
    assert env_pairs("PATH /usr/local/bin:/usr/bin  extra") == [("PATH", "/usr/local/bin:/usr/bin  extra")]


def test_env_pairs_legacy_form_separated_by_a_tab() -> None:
    assert env_pairs("GOPATH\t/go") == [("GOPATH", "/go")]


def test_split_words_keeps_quoted_spaces_and_escapes_together() -> None:
    assert split_words("a \"b c\" 'd e'  f\\ g") == ["a", '"b c"', "'d e'", "f\\ g"]


def test_split_words_of_blank_text_is_empty() -> None:
    assert split_words("   ") == []
