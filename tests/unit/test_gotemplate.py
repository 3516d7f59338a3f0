"""Unit tests for layerlab.cli.format.gotemplate (Go text/template subset + docker funcs).

GO_CONSTANT_TEMPLATES were executed by a real Go binary (docker CLI 28.2.2,
go1.24.3, through ``docker context inspect -f``); they only use literals, so
they do not depend on the data.  Data-driven tests below follow Go's
documented ``text/template`` semantics with docker-shaped data.
"""

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerlab.cli.format.gotemplate import (
    HEADER_FUNCS,
    AnyMap,
    NilDict,
    NilList,
    StrMap,
    Template,
    TemplateError,
    go_json,
    go_quote,
    go_sprint,
    go_sprintf,
    go_sprintln,
    go_type_name,
    parse,
    render,
)

# (template, Go output or None, Go error or None)
GO_CONSTANT_TEMPLATES = [
    ('{{foo}}', None, 'template: :1: function "foo" not defined'),
    ('{{index "hello" 1}}', '101', None),
    ('{{if}}', None, 'template: :1: missing value for if'),
    ('{{end}}', None, 'template: :1: unexpected {{end}}'),
    ('{{"a"', None, 'template: :1: unclosed action'),
    ('{{$x}}', None, 'template: :1: undefined variable "$x"'),
    ('{{printf "%d" "s"}}', '%!d(string=s)', None),
    ('{{printf "%d %d" 1}}', '1 %!d(MISSING)', None),
    ('{{printf "%d" 1 2}}', '1%!(EXTRA int=2)', None),
    ('{{len 3}}', None, 'template: :1:2: executing "" at <len 3>: error calling len: len of type int'),
    ('{{print 1 2 "a" "b" 3}}', '1 2ab3', None),
    ('{{println 1 "a"}}', '1 a\n', None),
    ('{{title "hello wORLD foo-bar_baz o\'neil"}}', "Hello WORLD Foo-Bar_baz O'Neil", None),
    ('{{split "a,b,c" ","}}', '[a b c]', None),
    ('{{join (split "a,b" ",") "-"}}', 'a-b', None),
    ('{{truncate "héllo" 2}}', 'h\udcc3', None),
    ('{{pad "x" 2 3}}|', '  x   |', None),
    ('{{upper 3}}', None, 'template: :1:8: executing "" at <3>: expected string; found 3'),
    ('{{lower "ÀB"}}', 'àb', None),
    ('{{json "<a&b>\\u2028\\x08\\x0c\\x01"}}', '"<a&b>\\u2028\\b\\f\\u0001"', None),
    ("{{1.0}} {{1e6}} {{0x10}} {{'a'}} {{1_000}} {{-3}} {{010}} {{0o17}} {{0b101}} {{.5}} {{1.}} {{0x1p-2}}", '1 1e+06 16 97 1000 -3 8 15 5 0.5 1 0.25', None),
    ('{{nil}}', None, 'template: :1:2: executing "" at <nil>: nil is not a command'),
    ('{{eq 1 1.0}}', None, 'template: :1:2: executing "" at <eq 1 1.0>: error calling eq: incompatible types for comparison'),
    ('{{eq "a" "a" "b"}}', 'true', None),
    ('{{lt 1 2}} {{and 1 0 2}} {{or 0 "" "x"}} {{not 0}} {{and 1 2}} {{or 0 0}}', 'true 0 x true 2 0', None),
    ('{{- "a" -}}  {{- /* c */ -}}  b', 'ab', None),
    ('{{range $i, $e := split "a,b" ","}}{{$i}}={{$e}};{{end}}', '0=a;1=b;', None),
    ('{{slice "hello" 1 3}}', 'el', None),
    ('{{html "<a>&\\"\'"}}', '&lt;a&gt;&amp;&#34;&#39;', None),
    ('{{js "a\'b<>=\\n\\"é\\u2028"}}', 'a\\\'b\\u003C\\u003E\\u003D\\u000A\\"é\\u2028', None),
    ('{{urlquery "a b&c/é"}}', 'a+b%26c%2F%C3%A9', None),
    ('{{printf "%q %v %5s|%-5s|%05d|%x|%X|%o|%b|%c|%t|%8.3f|%+d|%U|%#U|%#x|%#o" "a\\"b" true "ab" "cd" 42 255 "hi" 8 5 65 false 3.14159 5 65 65 255 8}}', '"a\\"b" true    ab|cd   |00042|ff|6869|10|101|A|false|   3.142|+5|U+0041|U+0041 \'A\'|0xff|010', None),
    ('{{break}}', None, 'template: :1: {{break}} outside {{range}}'),
    ('{{range 3}}{{.}}{{end}}', '012', None),
    ('{{printf "%v" (split "a b" " ")}}', '[a b]', None),
    ('{{printf "%s" 5}} {{printf "%d" 2.5}}', '%!s(int=5) %!d(float64=2.5)', None),
    ('{{printf "%z" 1}}', '%!z(int=1)', None),
    ('{{printf "%!"}}', '%!!(MISSING)', None),
    ('{{printf "%"}}', '%!(NOVERB)', None),
    ('{{printf "%5.2q" "abc"}}', ' "ab"', None),
    ('{{"a" | len}}', '1', None),
    ('{{index (split "a,b" ",") 5}}', None, 'template: :1:2: executing "" at <index (split "a,b" ",") 5>: error calling index: index out of range: 5'),
    ('{{define "t"}}T{{.}}{{end}}{{template "t" 1}}', 'T1', None),
    ('{{template "nope"}}', None, 'template: :1:11: executing "" at <{{template "nope"}}>: template "nope" not defined'),
    ('{{"a" 1}}', None, 'template: :1:2: executing "" at <"a">: can\'t give argument to non-function "a"'),
    ('{{1 | 2}}', None, 'template: :1: non executable command in pipeline stage 2'),
    ('{{printf}}', None, 'template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0'),
    ('{{len}}', None, 'template: :1:2: executing "" at <len>: wrong number of args for len: want 1 got 0'),
    ('{{index}}', None, 'template: :1:2: executing "" at <index>: wrong number of args for index: want at least 1 got 0'),
    ('{{else}}', None, 'template: :1: unexpected {{else}}'),
    ('{{$x := 1}}{{$x = 2}}{{$x}}', '2', None),
    ('{{if 1}}a{{else if 0}}b{{else}}c{{end}}', 'a', None),
    ('{{if 0}}a{{else if 0}}b{{else}}c{{end}}', 'c', None),
    ('{{if 0}}a{{else if 1}}b{{else}}c{{end}}', 'b', None),
    ('{{printf "%v %v" 1e21 123456789.0}}', '1e+21 1.23456789e+08', None),
    ('{{printf "%6.2f|%-8v|%x" 3.14159 "ab" -255}}', '  3.14|ab      |-ff', None),
    ('{{printf "%d" (split "1 2" " ")}}', '[%!d(string=1) %!d(string=2)]', None),
    ('{{split "abc" ""}}', '[a b c]', None),
    ('{{json (split "" ",")}}', '[""]', None),
    ('{{title "élan ünïcode ñ"}}', 'Élan Ünïcode Ñ', None),
    ('{{join "x" ","}}', None, 'template: :1:7: executing "" at <"x">: can\'t handle "x" for arg of type []string'),
    ('{{printf "%s" nil}} {{print nil}}', '%!s(<nil>) <nil>', None),
    ('{{printf "%T %T %T %T" 1 "a" 1.5 true}}', 'int string float64 bool', None),
    ('{{len "héllo"}}', '6', None),
    ('{{range $i, $e := 3}}{{end}}', None, 'template: :1:18: executing "" at <3>: can\'t use 3 to iterate over more than one variable'),
    ('{{range $e := 3}}{{$e}}{{end}}', '012', None),
    ('{{range 0}}x{{else}}empty{{end}}', 'empty', None),
    ('{{range 5}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}', '012', None),
    ('{{range 5}}{{if eq . 3}}{{continue}}{{end}}{{.}}{{end}}', '0124', None),
    ('{{with 0}}x{{else with 2}}{{.}}{{end}}', '2', None),
    ('{{with $x := 5}}{{$x}}{{.}}{{end}}', '55', None),
    ('{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', '21', None),
    ('{{$x := 1}}{{if true}}{{$x = 2}}{{$x}}{{end}}{{$x}}', '22', None),
    ('{{/* unclosed', None, 'template: :1: unclosed comment'),
    ('{{/* x */ }}', None, 'template: :1: comment ends before closing delimiter'),
    ('{{ /* x */ }}', None, 'template: :1: unexpected "/" in command'),
    ('{{-/* x */-}}', None, 'template: :1: illegal number syntax: "-"'),
    ('{{- /* x */ -}}', '', None),
    ('a  {{- 3}}', 'a3', None),
    ('{{3 -}}  b', '3b', None),
    ('{{3-}}', None, 'template: :1: bad number syntax: "3-"'),
    ('{{- 3}}', '3', None),
    ('{{"\\z"}}', None, 'template: :1: invalid syntax'),
    ("{{'ab'}}", None, "template: :1: malformed character constant: 'ab'"),
    ('{{`raw\\n`}}', 'raw\\n', None),
    ('{{"unterminated}}', None, 'template: :1: unterminated quoted string'),
    ('{{)}}', None, 'template: :1: unexpected right paren'),
    ('{{(1}}', None, 'template: :1: unclosed left paren'),
    ('{{1 (2)}}', None, 'template: :1:2: executing "" at <1>: can\'t give argument to non-function 1'),
    ('{{printf "%d" 3 | printf "%s-%s" "a"}}', 'a-3', None),
    ('{{3 | printf "%d-%d" 4}}', '4-3', None),
    ('{{index "abc" -1}}', None, 'template: :1:2: executing "" at <index "abc" -1>: error calling index: index out of range: -1'),
    ('{{slice "abc" 2 1}}', None, 'template: :1:2: executing "" at <slice "abc" 2 1>: error calling slice: invalid slice index: 2 > 1'),
    ('{{slice "abc" 1 2 3}}', None, 'template: :1:2: executing "" at <slice "abc" 1 2 3>: error calling slice: cannot 3-index slice a string'),
    ('{{eq 1 "a"}}', None, 'template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison'),
    ('{{lt true false}}', None, 'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison'),
    ('{{lt "a" "b"}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}} {{ne 1 2}}', 'true true true false true', None),
    ('{{eq}}', None, 'template: :1:2: executing "" at <eq>: wrong number of args for eq: want at least 1 got 0'),
    ('{{not}}', None, 'template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 0'),
    ('{{and}}', None, 'template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0'),
    ('{{#}}', None, 'template: :1: unexpected "#" in command'),
    ('{{a b}}', None, 'template: :1: function "a" not defined'),
    ('{{printf "%08.3f|%-8.2f|%+.1e|% d|%x|%X" -3.14159 2.5 12345.678 5 "héllo" 3.5}}', '-003.142|2.50    |+1.2e+04| 5|68c3a96c6c6f|0X1.CP+01', None),
    ('{{printf "%10.4v|%-10s|%q" 3.14159 "x" \'x\'}}', "     3.142|x         |'x'", None),
    ('{{printf "%c%c" 0x1F600 65}}', '😀A', None),
    ('{{printf "%.0f %.0f %.0f %.1f" 0.5 1.5 2.5 0.25}}', '0 2 2 0.2', None),
    ('{{printf "%g %g %G %e" 100000.0 1000000.0 1e-5 0.0}}', '100000 1e+06 1E-05 0.000000e+00', None),
    ('{{printf "%v %v %v" 0.1 1e-05 -0.0}}', '0.1 1e-05 -0', None),
    ('{{printf "%t" 1}}', '%!t(int=1)', None),
    ('{{printf "%s %s" true (split "a" ",")}}', '%!s(bool=true) [a]', None),
    ('{{printf "%d%%" 50}}', '50%', None),
    ('{{printf "%*d|%-*d|%.*f" 5 1 4 2 2 3.14159}}', '    1|2   |3.14', None),
    ('{{json 1.5}} {{json 1e21}} {{json 1e-7}} {{json 100.0}} {{json 0.000001}} {{json -0.0}} {{json "é\\t"}} {{json true}} {{json nil}}', '1.5 1e+21 1e-7 100 0.000001 -0 "é\\t" true null', None),
    ('{{if 0.0}}t{{else}}f{{end}}{{if ""}}t{{else}}f{{end}}{{if "x"}}t{{end}}', 'fft', None),
    ('{{print "a" 1 2 "b" "c" true false}}', 'a1 2bctrue false', None),
    ('{{println}}', '\n', None),
    ('{{print}}', '', None),
    ('{{html 1 "<" 2}}', '1&lt;2', None),
    ('{{range $i, $e := split "a,b" ","}}{{$i}}{{end}}{{$i}}', None, 'template: :1: undefined variable "$i"'),
    ('{{if $x := 1}}{{$x}}{{end}}{{$x}}', None, 'template: :1: undefined variable "$x"'),
    ('{{range (split "a,b" ",")}}{{.}}{{else}}none{{end}}', 'ab', None),
    ('{{block "b" 5}}[{{.}}]{{end}}', '[5]', None),
    ('{{define "x"}}{{template "x" .}}{{end}}', '', None),
    ('{{"a"}}{{end}}', None, 'template: :1: unexpected {{end}}'),
    ('{{if 1}}{{else}}{{else}}{{end}}', None, 'template: :1: expected end; found {{else}}'),
    ('{{range 1}}{{else if 1}}{{end}}', None, 'template: :1: unexpected <if> in input'),
    ('{{template "x" 1 2}}', None, 'template: :1:11: executing "" at <{{template "x" 1 2}}>: template "x" not defined'),
    ('{{template x}}', None, 'template: :1: unexpected "x" in template clause'),
    ('{{$ := 1}}', '', None),
    ('{{$x := 1}}{{$x.Y}}', None, 'template: :1:15: executing "" at <$x.Y>: can\'t evaluate field Y in type int'),
    ('{{index 1 2}}', None, 'template: :1:2: executing "" at <index 1 2>: error calling index: can\'t index item of type int'),
    ('{{index "abc" "x"}}', None, 'template: :1:2: executing "" at <index "abc" "x">: error calling index: cannot index slice/array with type string'),
    ('{{truncate "abc" 1.0}}', 'a', None),
    ('{{truncate "abc" 1.5}}', None, 'template: :1:17: executing "" at <1.5>: expected integer; found 1.5'),
    ('{{truncate "abc" "1"}}', None, 'template: :1:17: executing "" at <"1">: expected integer; found "1"'),
    ('{{pad "" 1 1}}|', '|', None),
    ('{{split 1 ","}}', None, 'template: :1:8: executing "" at <1>: expected string; found 1'),
    ('{{len (split "a,b" ",")}}', '2', None),
    ('{{printf "%s" (printf "%d" 3)}}', '3', None),
    ('{{printf "%v" (index (split "a,b" ",") 0)}}', 'a', None),
    ('{{"\\u00e9\\x41\\101"}}', 'éAA', None),
    ('{{printf "%x" \'é\'}}', 'e9', None),
    ('{{printf "%q" "\\x00\\u00a0☺\\U0001F600"}}', '"\\x00\\u00a0☺😀"', None),
    ('{{printf "%+q" "é☺"}}', '"\\u00e9\\u263a"', None),
    ('{{printf "%#q" "a`b"}} {{printf "%#q" "ab"}}', '"a`b" `ab`', None),
    ('{{printf "%x|%X|%.2x|%x|%x|%.0x|%x|%.0x|%.1x|%.3x" 3.5 0.1 1.999 0.0 -2.0 1.5 5e-324 2.5 1.96875 1.0}}', '0x1.cp+01|0X1.999999999999AP-04|0x1.00p+01|0x0p+00|-0x1p+01|0x1p+01|0x1p-1074|0x1p+01|0x1.0p+01|0x1.000p+00', None),
    ('{{3+}}', None, 'template: :1: bad number syntax: "3+"'),
    ('{{print 1.5 2 "x" true nil}}', '1.5 2xtrue <nil>', None),
    ('{{printf "%v|%s|%d" (split "a,b" ",") (split "a,b" ",") 5}}', '[a b]|[a b]|5', None),
    ('{{printf "%-6s|%6s|%-6d|%06d|%+06d|%x|%#v" "ab" "ab" 42 42 42 "é" 5}}', 'ab    |    ab|42    |000042|+00042|c3a9|5', None),
    ('{{printf "%.3g|%.4g|%.3g|%.3g" 999.5 999.95 999999.0 0.0004567}}', '1e+03|1000|1e+06|0.000457', None),
    ('{{range $i, $c := "abc"}}{{end}}', None, 'template: :1:18: executing "" at <"abc">: range can\'t iterate over abc'),
    ('{{len (slice (split "a,b,c,d" ",") 1 3)}}', '2', None),
    ('{{index (split "a,b" ",") 1}}', 'b', None),
    ('{{- "x" }}\n{{ "y" -}}\n\n z', 'x\nyz', None),
    ('a{{/* c */}}b', 'ab', None),
    ('{{ 1 }}{{2}}{{ 3}}', '123', None),
    ('{{if and 1 (eq 2 2)}}yes{{end}}', 'yes', None),
    ('{{with $x := "v"}}{{$x}}-{{.}}{{end}}', 'v-v', None),
    ('{{"a" | printf "%s%s" "b" | printf "[%s]"}}', '[ba]', None),
    ('{{printf "%q" (split "a b" " ")}}', '["a" "b"]', None),
    ('{{upper "abc" | lower}}', 'abc', None),
    ('{{title "ǆemal ßtraße"}}', 'ǅemal ßtraße', None),
    ('{{upper "ßtraße"}}', 'ßTRAßE', None),
    ('{{lower "İSTANBUL"}}', 'istanbul', None),
    ('{{js "é\x01"}}', 'é\\u0001', None),
    ('{{json 1e-7}}|{{json 0.000001}}|{{json 123456789.0}}|{{json 1e20}}|{{json 1e21}}', '1e-7|0.000001|123456789|100000000000000000000|1e+21', None),
    ('{{json "\x7f\x80"}}', '"\x7f\x80"', None),
]

GO_CONSTANT_TEMPLATES += [
    ('{{eq (split "a" ",") (split "a" ",")}}', None, 'template: :1:2: executing "" at <eq (split "a" ",") (split "a" ",")>: error calling eq: non-comparable type [a]: []string'),
    ('{{eq nil nil}}', 'true', None),
    ('{{eq 1 nil}}', 'false', None),
    ('{{eq "a" (split "a" ",")}}', None, 'template: :1:2: executing "" at <eq "a" (split "a" ",")>: error calling eq: incompatible types for comparison'),
    ('{{lt nil 1}}', None, 'template: :1:2: executing "" at <lt nil 1>: error calling lt: invalid type for comparison'),
    ('{{printf "%x" (split "ab,c" ",")}}', '[6162 63]', None),
    ('{{printf "%x" (split "" "")}}', '[]', None),
    ('{{ne 1 2 3}}', None, 'template: :1:2: executing "" at <ne>: wrong number of args for ne: want 2 got 3'),
    ('{{printf "%5v|%-5v|" (split "a" ",") true}}', '[    a]|true |', None),
    ('{{eq 1 2 1}}', 'true', None),
    ('{{eq 1.5 1.5}}', 'true', None),
    ('{{eq true false true}}', 'true', None),
    ('{{- 1 -}}   {{- 2 }}  {{ 3 -}}  x', '12  3x', None),
    ('{{1   -}} a', '1a', None),
    ('{{printf "%08.3f|%+.2e|%x|%o" -1.5 0.0 -1 -8}}', '-001.500|+0.00e+00|-1|-10', None),
    ('{{printf "%6.2v" "abc"}}', '    ab', None),
    ('{{printf "%.1v" 3.14159}}', '3', None),
    ('{{printf "%v" 1e-320}}', '1e-320', None),
    ('{{printf "%e" 1e-320}}', '9.999889e-321', None),
    ('{{printf "%10.3e|%-10g|" 12345.678 0.5}}', ' 1.235e+04|0.5       |', None),
    ('{{printf "%c|%q|%U" 0x1F600 0x1F600 0x1F600}}', "😀|'😀'|U+1F600", None),
    ('{{printf "%s|%10s|" "日本" "日本"}}', '日本|        日本|', None),
    ('{{printf "% x|% X|%#x" "ab" "ab" "ab"}}', '61 62|61 62|0x6162', None),
    ('{{printf "% 05.1f|%+05.1f|%05.1f|% .2e|%+g|% g" 1.0 1.0 -1.0 2.0 3.0 -4.0}}',
     ' 01.0|+01.0|-01.0| 2.00e+00|+3|-4', None),
    ('{{printf "%v" 1e400}}', None, 'template: :1: illegal number syntax: "1e400"'),
]


@pytest.mark.parametrize("tmpl,expected,error", GO_CONSTANT_TEMPLATES,
                         ids=range(len(GO_CONSTANT_TEMPLATES)))
def test_constant_templates_match_go(tmpl, expected, error):
    if error is None:
        assert render(tmpl, None) == expected
    else:
        with pytest.raises(TemplateError) as ei:
            render(tmpl, None)
        assert str(ei.value) == error


# --- docker-shaped data ------------------------------------------------------------

IMAGE = {
    "Id": "sha256:" + "ab" * 32,
    "RepoTags": ["demo:latest", "demo:v1"],
    "Size": 7_750_000,
    "Config": {
        "Cmd": ["/bin/sh", "-c", "echo hi"],
        "Env": ["PATH=/usr/bin"],
        "Labels": {"com.example.version": "1.0", "maintainer": "me <me@example.com>"},
        "Volumes": NilDict(),
        "ExposedPorts": {"80/tcp": {}},
        "Healthcheck": None,
    },
    "RootFS": {"Type": "layers", "Layers": ["sha256:aaa", "sha256:bbb"]},
    "GraphDriver": {"Name": "overlay2", "Data": {"UpperDir": "/var/lib/docker/overlay2/x/diff"}},
    "Mounts": [{"Source": "/src", "Destination": "/dst", "RW": True},
               {"Source": "/a", "Destination": "/b", "RW": False}],
}


@pytest.mark.parametrize(
    "tmpl,expected",
    [
        ("{{.RootFS.Type}}", "layers"),
        ("{{json .RootFS.Layers}}", '["sha256:aaa","sha256:bbb"]'),
        ("{{.RootFS.Layers}}", "[sha256:aaa sha256:bbb]"),
        ("{{len .RootFS.Layers}}", "2"),
        ("{{index .RootFS.Layers 1}}", "sha256:bbb"),
        ('{{index .Config.Labels "com.example.version"}}', "1.0"),
        ('{{index .Config.Labels "missing"}}', ""),  # map[string]string zero value
        ("{{.Config.Labels.maintainer}}", "me <me@example.com>"),
        ("{{.Config.Labels.missing}}", "<no value>"),
        ("{{.Config.Labels}}", "map[com.example.version:1.0 maintainer:me <me@example.com>]"),
        ("{{json .Config.Labels}}",
         '{"com.example.version":"1.0","maintainer":"me <me@example.com>"}'),
        ("{{json .Config.Volumes}}", "null"),
        ("{{.Config.Volumes}}", "map[]"),
        ("{{.Config.Healthcheck}}", "<nil>"),
        ("{{json .Config.Healthcheck}}", "null"),
        ("{{.Config.ExposedPorts}}", "map[80/tcp:map[]]"),
        ('{{join .Config.Cmd " "}}', "/bin/sh -c echo hi"),
        ('{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}', "/src:/dst /a:/b "),
        ('{{range $i, $m := .Mounts}}{{$i}}={{$m.RW}};{{end}}', "0=true;1=false;"),
        ("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}",
         "com.example.version=1.0,maintainer=me <me@example.com>,"),
        ("{{.GraphDriver.Data.UpperDir}}", "/var/lib/docker/overlay2/x/diff"),
        ("{{.Size}}", "7750000"),
        ("{{if .Config.Healthcheck}}hc{{else}}no healthcheck{{end}}", "no healthcheck"),
        ("{{with .RootFS}}{{.Type}}{{end}}", "layers"),
        ("{{$.RootFS.Type}}{{range .Mounts}}{{$.Size}}{{end}}", "layers77500007750000"),
        ("{{.Nope}}", "<no value>"),
        ("{{range .RepoTags}}{{.}}\n{{end}}", "demo:latest\ndemo:v1\n"),
        ('{{(index .Mounts 0).Source}}', "/src"),
        ("{{.RootFS | len}}", "2"),
        ("{{printf \"%s has %d layers\" .RootFS.Type (len .RootFS.Layers)}}", "layers has 2 layers"),
        ("{{truncate .Id 19}}", "sha256:abababababab"),
    ],
)
def test_docker_inspect_style(tmpl, expected):
    assert render(tmpl, IMAGE) == expected


def test_json_of_whole_object_is_compact_sorted_and_not_html_escaped():
    out = render("{{json .Config}}", IMAGE)
    assert out == (
        '{"Cmd":["/bin/sh","-c","echo hi"],"Env":["PATH=/usr/bin"],"ExposedPorts":{"80/tcp":{}},'
        '"Healthcheck":null,"Labels":{"com.example.version":"1.0",'
        '"maintainer":"me <me@example.com>"},"Volumes":null}'
    )


def test_print_dict_and_nested_values():
    data = {"M": {"b": [1, 2], "a": {"x": True}, "c": None, "d": 1.5, "e": NilList()}}
    assert render("{{.M}}", data) == "map[a:map[x:true] b:[1 2] c:<nil> d:1.5 e:[]]"
    assert render("{{.}}", {"k": "v"}) == "map[k:v]"
    assert render("{{.}}", [1, "a", None, [2]]) == "[1 a <nil> [2]]"
    assert render("{{.}}", 1e6) == "1e+06"
    assert render("{{.}}", 123456.0) == "123456"


def test_missing_key_options():
    assert render("{{.A.B}}", {}) == "<no value>"
    assert render("{{.A}}", {}, missingkey="zero") == "<nil>"
    assert render("{{.A}}", StrMap(), missingkey="zero") == ""
    with pytest.raises(TemplateError) as ei:
        render("{{.A}}", {}, missingkey="error")
    assert str(ei.value) == 'template: :1:2: executing "" at <.A>: map has no entry for key "A"'
    with pytest.raises(ValueError):
        render("x", {}, missingkey="bogus")


def test_nil_pointer_and_wrong_type_errors():
    with pytest.raises(TemplateError) as ei:
        render("{{.Config.Healthcheck.Test}}", IMAGE)
    assert str(ei.value) == (
        'template: :1:9: executing "" at <.Config.Healthcheck.Test>: '
        "nil pointer evaluating interface {}.Test")
    with pytest.raises(TemplateError) as ei:
        render("{{.Size.X}}", IMAGE)
    assert str(ei.value) == ('template: :1:7: executing "" at <.Size.X>: '
                             "can't evaluate field X in type int")
    with pytest.raises(TemplateError) as ei:
        render("{{upper .Size}}", IMAGE)
    assert str(ei.value) == ('template: :1:8: executing "" at <.Size>: '
                             "wrong type for value; expected string; got int")
    with pytest.raises(TemplateError) as ei:
        render("{{index .Config.Labels 1}}", IMAGE)
    assert "error calling index: value has type int; should be string" in str(ei.value)
    with pytest.raises(TemplateError) as ei:
        render("{{.Config.Labels.x 1}}", IMAGE)
    assert "x is not a method but has arguments" in str(ei.value)


def test_nil_data():
    assert render("{{.}}|{{.A}}", None) == "<no value>|<no value>"


def test_index_on_any_map_missing_is_no_value():
    assert render('{{index . "x"}}', AnyMap(a="b")) == "<no value>"
    assert render('{{index . "x"}}', {"a": 1}) == "<no value>"
    assert render('{{index . "x"}}', {"a": "s"}) == ""  # all-string map acts as map[string]string


@dataclasses.dataclass
class _Port:
    PrivatePort: int
    Type: str = "tcp"


class _Ctx:
    """Like docker's formatter contexts: fields are methods."""

    def __init__(self):
        self.Names = ["/web"]
        self._secret = "hidden"

    def ID(self):
        return "0123456789ab"

    def Label(self, name):
        return {"a": "1"}.get(name, "")

    def Ports(self):
        return [_Port(80), _Port(53, "udp")]


def test_objects_attributes_and_methods():
    ctx = _Ctx()
    assert render("{{.ID}}", ctx) == "0123456789ab"
    assert render('{{.Label "a"}}|{{.Label "b"}}', ctx) == "1|"
    assert render("{{.Names}}", ctx) == "[/web]"
    assert render("{{range .Ports}}{{.PrivatePort}}/{{.Type}} {{end}}", ctx) == "80/tcp 53/udp "
    assert render("{{.Ports}}", ctx) == "[{80 tcp} {53 udp}]"
    assert render("{{json .Ports}}", ctx) == '[{"PrivatePort":80,"Type":"tcp"},{"PrivatePort":53,"Type":"udp"}]'
    with pytest.raises(TemplateError, match=r"can't evaluate field _secret in type _Ctx"):
        render("{{._secret}}", ctx)
    with pytest.raises(TemplateError, match=r"can't evaluate field Nope in type _Ctx"):
        render("{{.Nope}}", ctx)
    with pytest.raises(TemplateError, match=r"Names has arguments but cannot be invoked as function"):
        render("{{.Names 1}}", ctx)


def test_method_arity_is_checked():
    class C:
        def M(self, a, b):
            return a + b

        def V(self, *a):
            return len(a)

    assert render('{{.M "x" "y"}} {{.V 1 2 3}} {{"z" | .M "q"}}', C()) == "xy 3 qz"
    with pytest.raises(TemplateError) as ei:
        render("{{.M 1}}", C())
    assert str(ei.value) == 'template: :1:2: executing "" at <.M>: wrong number of args for M: want 2 got 1'


def test_pipelines_and_final_argument():
    assert render('{{.A | printf "%s-%s" "x"}}', {"A": "y"}) == "x-y"
    assert render("{{.A | json}}", {"A": ["<", ">"]}) == '["<",">"]'
    assert render("{{.A | len | printf \"%03d\"}}", {"A": "abc"}) == "003"


def test_trim_markers_and_comments():
    tmpl = "{{- range .L }}\n  {{ . -}}\n{{ end }}\n{{/* done */}}!"
    assert render(tmpl, {"L": [1, 2]}) == "\n  1\n  2\n!"
    assert render("a {{- /* x */ -}} b", {}) == "ab"


def test_variables_scoping():
    tmpl = "{{$x := 1}}{{range .L}}{{$x = .}}{{end}}{{$x}}"
    assert render(tmpl, {"L": [5, 6]}) == "6"
    with pytest.raises(TemplateError, match=r'^template: :1: undefined variable "\$y"$'):
        render("{{if 1}}{{$y := 1}}{{end}}{{$y}}", {})


def test_define_template_block():
    tmpl = '{{define "row"}}<{{.}}>{{end}}{{range .L}}{{template "row" .}}{{end}}'
    assert render(tmpl, {"L": ["a", "b"]}) == "<a><b>"
    assert render('{{block "b" .A}}[{{.}}]{{end}}', {"A": 1}) == "[1]"


def test_recursion_limit_is_an_error():
    with pytest.raises(TemplateError, match="exceeded maximum template depth"):
        render('{{define "x"}}{{template "x" .}}{{end}}{{template "x" 1}}', {})


def test_partial_output_on_error():
    with pytest.raises(TemplateError) as ei:
        render("before {{.A.B}} after", {"A": 1})
    assert ei.value.partial == "before "


def test_header_functions_are_identities():
    t = parse('{{json .A}} {{upper .A}} {{split .A ","}} {{pad .A 1 1}}|')
    assert t.with_funcs(HEADER_FUNCS).execute({"A": "Col"}) == "Col Col Col  Col |"
    assert t.execute({"A": "c,d"}) == '"c,d" C,D [c d]  c,d |'


def test_parse_reports_line_numbers():
    with pytest.raises(TemplateError, match=r'^template: :3: function "nope" not defined$'):
        parse("a\nb\n{{nope}}")
    with pytest.raises(TemplateError) as ei:
        render("line1\n  {{.A.B}}", {"A": 1})
    assert str(ei.value).startswith('template: :2:6: executing "" at <.A.B>')


def test_template_name_in_errors():
    with pytest.raises(TemplateError, match=r'^template: fmt:1: unclosed action$'):
        Template("{{", name="fmt")


# --- fmt / json helpers --------------------------------------------------------------

def test_go_sprint_spacing_rules():
    assert go_sprint(1, 2) == "1 2"
    assert go_sprint("a", 1, 2, "b") == "a1 2b"
    assert go_sprint(None, None) == "<nil> <nil>"
    assert go_sprintln("a", 1) == "a 1\n"


def test_go_sprintf_verbs():
    assert go_sprintf("%5.1f|%-4d|%q|%v|%T", 3.14159, 7, "x", [1, "a"], {"a": 1}) == (
        '  3.1|7   |"x"|[1 a]|map[string]interface {}')
    assert go_sprintf("%d %s") == "%!d(MISSING) %!s(MISSING)"
    assert go_sprintf("%s", None) == "%!s(<nil>)"
    assert go_sprintf("%v", None) == "<nil>"


def test_go_sprintf_inf_nan():
    inf, nan = float("inf"), float("nan")
    assert go_sprintf("%f|%08f|% f|%-6f|%6f|%+v|% f", inf, inf, nan, -inf, nan, nan, inf) == (
        "+Inf|    +Inf| NaN|-Inf  |   NaN|+NaN| Inf")


def test_go_quote():
    assert go_quote('a"b\\c\n\t\x00é😀') == '"a\\"b\\\\c\\n\\t\\x00é😀"'
    assert go_quote("\u00a0") == '"\\u00a0"'


def test_go_type_name():
    assert [go_type_name(v) for v in (1, 1.0, "s", True, ["a"], [1], {"a": "b"}, {"a": 1}, None)] == [
        "int", "float64", "string", "bool", "[]string", "[]interface {}", "map[string]string",
        "map[string]interface {}", "<nil>"]


def test_go_json_details():
    assert go_json({"b": 1, "a": [1.5, 1e21, 1e-7, None, True]}) == '{"a":[1.5,1e+21,1e-7,null,true],"b":1}'
    assert go_json("<&>") == '"<&>"'
    assert go_json("<&>", escape_html=True) == '"\\u003c\\u0026\\u003e"'
    assert go_json("\u2028\x08\x0c\x1f") == '"\\u2028\\b\\f\\u001f"'
    assert go_json(NilList()) == "null" and go_json([]) == "[]"
    with pytest.raises(ValueError):
        go_json(float("nan"))
    assert render("{{json .}}", float("inf")) == ""  # docker ignores the encode error


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_go_json_round_trips_through_python_json(value):
    out = go_json(value)
    assert _same(json.loads(out), value)  # Go writes big floats without exponent
    assert "\n" not in out


def _same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b and type(a) is type(b)


@settings(max_examples=200, deadline=None)
@given(st.text().filter(lambda s: "{{" not in s))
def test_text_without_actions_is_copied(text):
    assert render(text, {}) == text


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Z][a-zA-Z0-9]{0,6}", fullmatch=True), st.text(max_size=10),
                       min_size=1, max_size=5))
def test_field_lookup_matches_dict(data):
    for k, v in data.items():
        assert render("{{.%s}}" % k, data) == v
        assert render('{{index . "%s"}}' % k, data) == v
