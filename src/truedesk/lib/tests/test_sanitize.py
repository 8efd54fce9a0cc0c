import pytest

from truedesk.lib.sanitize import html_to_text, sanitize_html


def test_the_allowed_formatting_survives():
    html = (
        "<h2>Steps</h2><p>Press <b>reset</b> and <em>wait</em>.</p>"
        "<ul><li>one</li></ul><blockquote>quoted</blockquote><pre><code>x=1</code></pre>"
    )
    assert sanitize_html(html) == html


def test_links_keep_safe_targets_and_get_a_protective_rel():
    assert sanitize_html('<a href="https://example.com/a" title="t">x</a>') == (
        '<a href="https://example.com/a" title="t" rel="noopener noreferrer nofollow">x</a>'
    )
    assert 'href="mailto:help@example.com"' in sanitize_html(
        '<a href="mailto:help@example.com">m</a>'
    )


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        "<svg onload=alert(1)><script>alert(1)</script></svg>",
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        "<scr<script>ipt>alert(1)</script>",
        '<p onclick="alert(1)" style="background:url(javascript:alert(1))">p</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<object data="x.swf"></object><embed src="x.swf">',
        "<style>body{display:none}</style>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        '<form action="https://evil.example"><input name=p></form>',
        "<!--<script>alert(1)</script>-->",
        '<base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<a href="//evil.example/">x</a>',
    ],
)
def test_xss_payloads_come_out_inert(payload):
    clean = sanitize_html(payload).lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "vbscript:",
        "data:",
        "<img",
        "<svg",
        "<iframe",
        "<object",
        "<embed",
        "<style",
        "style=",
        "<form",
        "<input",
        "<base",
        "<meta",
        "evil.example",
        "<math",
    ):
        assert needle not in clean, (payload, clean)


def test_images_are_dropped_entirely():
    assert sanitize_html('<p>hi<img src="https://tracker.example/pixel.gif"></p>') == "<p>hi</p>"


def test_empty_input_gives_empty_output():
    assert sanitize_html("") == ""
    assert html_to_text("") == ""


def test_text_keeps_paragraphs_and_drops_code():
    html = (
        "<p>Hello&nbsp;&amp;  <b>welcome</b></p><p>Line   two<br>three</p>"
        "<script>steal()</script><style>p{}</style>"
    )
    assert html_to_text(html) == "Hello & welcome\nLine two\nthree"


def test_text_decodes_entities_into_plain_text_that_must_still_be_escaped():
    assert html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;") == "<script>alert(1)</script>"


def test_text_collapses_runs_of_blank_lines():
    assert html_to_text("<p>a</p>\n\n\n\n<p>b</p>") == "a\n\nb"
