// Sprig cases: each template is rendered by our sprigFuncs() and, in
// sprig.test.ts, by the real Sprig (sprig-ref); fixtures/sprig-cases.jsonl
// holds Go's results so the comparison runs without Go too.

export interface SprigCase {
  name: string;
  template: string;
  data?: unknown;
}

const D = { s: 'Hello World', n: 3, f: 1.5, l: ['b', 'a', 'c', 'a'], m: { a: 1, b: 'x', c: [1, 2] }, e: '', z: 0, nil: null, t: true, ips: '10.0.0.1,10.0.0.2' };

const T: [string, string][] = [
  // §5.4's list first
  ['default', '{{ default "d" .e }}|{{ default "d" .s }}|{{ default 5 .z }}|{{ default "x" .nil }}|{{ default "x" .missing }}|{{ "v" | default "d" }}|{{ default "d" }}'],
  ['join', '{{ join "," .l }}|{{ join "-" "abc" }}|{{ join "," (list 1 nil 2) }}|{{ join "," .nil }}'],
  ['split', '{{ $p := split "," .ips }}{{ $p._0 }} {{ $p._1 }} {{ len $p }}|{{ split "" "ab" }}'],
  ['splitList', '{{ splitList "," .ips }}|{{ splitList "," "" }}|{{ len (splitList "" "abc") }}'],
  ['splitn', '{{ splitn "," 2 "a,b,c" }}|{{ splitn "," 0 "a,b" }}'],
  ['list', '{{ list 1 "a" nil .t }}|{{ list }}|{{ printf "%T" (list) }}'],
  ['append', '{{ append .l "z" }}|{{ append (list) 1 }}|{{ mustAppend (list 1) 2 }}|{{ push (list 1) 2 }}'],
  ['append-err', '{{ append "x" 1 }}'],
  ['prepend', '{{ prepend .l "z" }}'],
  ['without', '{{ without .l "a" }}|{{ without (list 1 2 3 2) 2 3 }}'],
  ['hasKey', '{{ hasKey .m "a" }} {{ hasKey .m "q" }} {{ hasKey (dict) "" }}'],
  ['lower-upper', '{{ lower "ÀbC" }} {{ upper "straße" }} {{ lower .s }}'],
  ['trim', '{{ trim "  a b \n\t" }}|{{ trim "" }}'],
  ['regexMatch', '{{ regexMatch "^[a-z]+[0-9]+$" "node12" }} {{ regexMatch "(?i)^NODE" "node1" }} {{ regexMatch "a.c" "xxabcxx" }}'],
  ['regexMatch-bad', '{{ regexMatch "(" "x" }}'],
  ['regexSplit', '{{ regexSplit "[,;]+" "a,b;;c" -1 }}|{{ regexSplit "z" "a,b" -1 }}|{{ regexSplit "," "a,b,c" 2 }}|{{ regexSplit "," "" -1 }}|{{ regexSplit "x*" "axxb" -1 }}'],
  ['substr', '{{ substr 0 5 .s }}|{{ substr 6 100 .s }}|{{ substr -1 3 .s }}|{{ substr 3 -1 .s }}'],
  ['cat', '{{ cat "a" 1 nil .t (list 1 2) }}|{{ cat }}'],
  ['toJson', '{{ toJson .m }}|{{ toJson .l }}|{{ toJson "<&>" }}|{{ toJson .nil }}|{{ toJson 1.5 }}|{{ toJson (dict "k" (list 1 "x" nil)) }}'],
  ['toPrettyJson', '{{ toPrettyJson .m }}|{{ toPrettyJson (list) }}|{{ toPrettyJson (dict) }}'],
  ['toRawJson', '{{ toRawJson (dict "h" "<a&b>") }}'],
  ['fromJson', '{{ $j := fromJson "{\\"a\\":1,\\"b\\":[true,null,\\"x\\"],\\"c\\":2.5}" }}{{ $j.a }} {{ $j.b }} {{ $j.c }} {{ typeOf $j.a }}|{{ fromJson "bad" }}'],
  ['dict', '{{ dict "a" 1 "b" "x" }}|{{ dict "odd" }}|{{ dict 1 2 }}|{{ (dict "a" 1).a }}'],
  ['set-unset', '{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}|{{ unset $d "a" }}|{{ set (dict) "k" "v" }}'],
  ['empty', '{{ empty "" }} {{ empty 0 }} {{ empty .nil }} {{ empty (list) }} {{ empty (dict) }} {{ empty .s }} {{ empty false }} {{ empty .missing }} {{ empty 0.0 }}'],
  ['ternary', '{{ ternary "y" "n" true }} {{ ternary "y" "n" false }} {{ true | ternary 1 2 }}'],
  ['coalesce', '{{ coalesce .e .z .s }}|{{ coalesce .e .nil }}|{{ coalesce }}'],
  // strings
  ['abbrev', '{{ abbrev 5 "hello world" }}|{{ abbrev 3 "hello" }}|{{ abbrev 20 "short" }}|{{ abbrevboth 5 10 "1234 5678 9123" }}'],
  ['trunc', '{{ trunc 5 .s }}|{{ trunc -5 .s }}|{{ trunc 50 .s }}|{{ trunc 0 .s }}'],
  ['title', '{{ title "hello world-foo bar_baz" }}|{{ untitle "Hello World" }}'],
  ['repeat', '{{ repeat 3 "ab" }}|{{ repeat 0 "x" }}'],
  ['trimAll', '{{ trimAll "$" "$5.00$" }}|{{ trimall "ab" "abcba" }}|{{ trimSuffix "-" "x-" }}|{{ trimPrefix "-" "-x" }}|{{ trimPrefix "" "x" }}'],
  ['nospace', '{{ nospace " a b\tc\n" }}'],
  ['initials', '{{ initials "First Try  again" }}'],
  ['swapcase', '{{ swapcase "This Is A.Test" }}'],
  ['case', '{{ snakecase "FirstName" }} {{ kebabcase "FirstName" }} {{ camelcase "http_server" }} {{ camelcase "_my_field" }} {{ snakecase "a b" }}'],
  ['wrap', '{{ wrap 5 "Hello World this is long" }}|{{ wrapWith 5 "\t" "Hello World" }}|{{ wrap 3 "abcdefgh" }}|{{ wrapWith 3 "|" "abcdefgh" }}'],
  ['contains', '{{ contains "World" .s }} {{ hasPrefix "Hell" .s }} {{ hasSuffix "x" .s }}'],
  ['quote', '{{ quote "a\\"b" 1 nil }}|{{ squote "a" 2 }}|{{ quote }}'],
  ['indent', '{{ indent 2 "a\nb" }}|{{ nindent 4 "x" }}'],
  ['replace', '{{ replace " " "-" .s }}|{{ "aaa" | replace "a" "b" }}|{{ replace "" "-" "ab" }}'],
  ['plural', '{{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }}'],
  ['sums', '{{ sha1sum "abc" }} {{ sha256sum "abc" }} {{ adler32sum "Wikipedia" }}'],
  ['toString', '{{ toString 1 }} {{ toString .t }} {{ toString .l }} {{ toString .nil }} {{ toString 1.5 }}'],
  ['toStrings', '{{ toStrings (list 1 "a" nil) }} {{ toStrings "x" }}'],
  ['b64', '{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b64dec "%%%" }} {{ b32enc "hello" }} {{ b32dec "NBSWY3DP" }}'],
  ['sortAlpha', '{{ sortAlpha .l }} {{ sortAlpha (list 3 1 2) }} {{ sortAlpha "x" }}'],
  // conversions & math
  ['atoi', '{{ atoi "42" }} {{ atoi "x" }} {{ atoi "-7" }}'],
  ['int', '{{ int "0x10" }} {{ int "010" }} {{ int 3.9 }} {{ int "3.0" }} {{ int "3.5" }} {{ int .t }} {{ int64 "12" }} {{ int .nil }}'],
  ['float64', '{{ float64 "1.5" }} {{ float64 2 }} {{ float64 "x" }} {{ typeOf (float64 2) }}'],
  ['add', '{{ add 1 2 "3" }} {{ add1 5 }} {{ sub 10 3 }} {{ div 7 2 }} {{ mod 7 3 }} {{ mul 2 3 4 }} {{ add }} {{ add 1.9 1 }}'],
  ['div0', '{{ div 1 0 }}'],
  ['maxmin', '{{ max 1 5 3 }} {{ min 4 2 8 }} {{ biggest 1 2 }} {{ maxf 1.5 2 }} {{ minf 1.5 -2 }}'],
  ['floats', '{{ addf 0.1 0.2 }} {{ add1f 1.5 }} {{ subf 1 0.9 }} {{ mulf 1.1 3 }} {{ divf 1 3 }} {{ divf 10 4 }} {{ addf }}'],
  ['round', '{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round 1.45 1 0.6 }}'],
  ['seq', '{{ seq 3 }}|{{ seq 2 5 }}|{{ seq 0 2 6 }}|{{ seq 5 2 }}|{{ seq -2 }}|{{ seq }}'],
  ['until', '{{ until 3 }} {{ until -2 }} {{ untilStep 0 10 3 }} {{ untilStep 5 0 -2 }} {{ untilStep 0 5 -1 }}'],
  ['toDecimal', '{{ toDecimal "0777" }} {{ toDecimal 17 }} {{ toDecimal "9" }}'],
  // defaults / reflection
  ['all-any', '{{ all 1 "a" .t }} {{ all 1 "" }} {{ any 0 "" }} {{ any 0 "x" }} {{ all }} {{ any }}'],
  ['compact', '{{ compact (list 1 0 "" "a" nil false) }}'],
  ['typeOf', '{{ typeOf 1 }} {{ typeOf "x" }} {{ typeOf .l }} {{ typeOf .m }} {{ typeOf .nil }} {{ typeOf 1.5 }} {{ typeOf .t }}'],
  ['kindOf', '{{ kindOf 1 }} {{ kindOf "x" }} {{ kindOf .l }} {{ kindOf .m }} {{ kindOf .nil }} {{ kindIs "map" .m }} {{ typeIs "int" 1 }} {{ typeIsLike "string" "x" }}'],
  ['deepEqual', '{{ deepEqual (list 1 2) (list 1 2) }} {{ deepEqual .m .m }} {{ deepEqual 1 "1" }} {{ deepEqual (dict "a" 1) (dict "a" 2) }}'],
  ['deepCopy', '{{ $c := deepCopy .m }}{{ $_ := set $c "a" 9 }}{{ $c.a }} {{ .m.a }}'],
  // paths
  ['paths', '{{ base "/a/b.txt" }} {{ dir "/a/b.txt" }} {{ clean "a//b/../c/" }} {{ ext "x.tar.gz" }} {{ isAbs "/x" }} {{ base "" }} {{ dir "x" }} {{ base "/" }} {{ clean "/../a" }}'],
  // dicts & lists
  ['get', '{{ get .m "b" }}|{{ get .m "nope" }}'],
  ['pluck', '{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }}'],
  ['keys', '{{ keys .m | sortAlpha }} {{ values (dict "a" 1) }}'],
  ['pick-omit', '{{ pick .m "a" "c" "zz" }} {{ omit .m "a" }}'],
  ['merge', '{{ $a := dict "x" 1 "y" "" "n" (dict "p" 1) }}{{ merge $a (dict "y" 2 "z" 3 "n" (dict "p" 9 "q" 2)) }}|{{ mergeOverwrite (dict "x" 1 "y" 1) (dict "y" 2) }}'],
  ['dig', '{{ dig "a" "b" "def" (dict "a" (dict "b" "found")) }} {{ dig "a" "x" "def" (dict "a" (dict "b" 1)) }}'],
  ['first-last', '{{ first .l }} {{ last .l }} {{ rest .l }} {{ initial .l }} {{ first (list) }} {{ rest (list) }}'],
  ['reverse-uniq', '{{ reverse .l }} {{ uniq .l }} {{ uniq (list 1 1 "1") }}'],
  ['has', '{{ has "a" .l }} {{ has "q" .l }} {{ has 1 .nil }} {{ mustHas 2 (list 1 2) }}'],
  ['slice', '{{ slice .l 1 }} {{ slice .l 1 3 }} {{ slice .l }} {{ slice (list) }}'],
  ['concat', '{{ concat .l (list 1) (list) }}'],
  ['chunk', '{{ chunk 2 (list 1 2 3 4 5) }} {{ chunk 3 (list) }}'],
  ['tuple', '{{ tuple 1 "a" }}'],
  // regex
  ['regexFind', '{{ regexFind "[0-9]+" "abc123def456" }}|{{ regexFindAll "[0-9]+" "a1b22c333" -1 }}|{{ regexFindAll "[0-9]" "a1b2c3" 2 }}|{{ regexFind "z" "abc" }}'],
  ['regexReplace', '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}|{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}|{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}|{{ regexReplaceAll "(?P<n>[0-9])" "a1b2" "<$n>" }}|{{ regexReplaceAll "x*" "abc" "-" }}'],
  ['regexQuote', '{{ regexQuoteMeta "1.5+2=[x]" }}'],
  // env/misc
  ['fail', '{{ fail "boom" }}'],
  ['hello', '{{ hello }}'],
  ['mustFirst-err', '{{ mustFirst "x" }}'],
  ['concat-err', '{{ concat "x" }}'],
  ['wrongtype', '{{ repeat "x" "y" }}'],
  ['date-epoch', '{{ date "2006-01-02 15:04" 0 | len }} {{ dateInZone "2006-01-02T15:04:05Z07:00 Mon Jan" 86400 "UTC" }} {{ htmlDateInZone 1700000000 "UTC" }} {{ unixEpoch (now) | len }}'],
];

export const SPRIG_CASES: SprigCase[] = T.map(([name, template]) => ({ name, template, data: D }));
SPRIG_CASES.push(
  ...([
    ['mustRegexMatch-bad', '{{ mustRegexMatch "(" "x" }}'],
    ['regexFind-bad', '{{ regexFind "(" "x" }}'],
    ['untitle-words', '{{ untitle "ABC Def\tGhi" }}'],
  ] as [string, string][]).map(([name, template]) => ({ name, template, data: D })),
);
