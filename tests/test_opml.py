"""Feed lists: OPML 2.0 and newsboat urls files in, OPML 2.0 out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from termnews.feeds.opml import (
    ExportFeed,
    FeedListError,
    ImportedFeed,
    build_opml,
    is_feed_url,
    parse_feed_list,
    parse_newsboat,
    parse_opml,
)

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My reading</title></head>
  <body>
    <outline text="Loose" type="rss" xmlUrl="https://loose.example/feed"/>
    <outline text="Science">
      <outline text="Astronomy">
        <outline type="rss" title="Sky notes" text="ignored" xmlUrl="https://sky.example/rss"/>
      </outline>
      <outline type="rss" text="Lab log" xmlUrl="http://lab.example/atom.xml"/>
    </outline>
    <outline text="Local">
      <outline type="rss" text="Town hall" XMLURL="https://town.example/news.xml"/>
      <outline type="rss" text="Duplicate" xmlUrl="https://loose.example/feed"/>
      <outline type="rss" text="A file" xmlUrl="file:///etc/passwd"/>
    </outline>
  </body>
</opml>
"""


def test_opml_nested_folders_titles_and_duplicates() -> None:
    result = parse_feed_list(NESTED)
    assert result.format == "opml"
    assert result.feeds == (
        ImportedFeed("https://loose.example/feed", "Loose", ""),
        ImportedFeed("https://sky.example/rss", "Sky notes", "Science/Astronomy"),
        ImportedFeed("http://lab.example/atom.xml", "Lab log", "Science"),
        ImportedFeed("https://town.example/news.xml", "Town hall", "Local"),
    )
    assert len(result.notes) == 1 and "file:///etc/passwd" in result.notes[0]


@pytest.mark.parametrize("doc, message", [
    (b"<opml version='2.0'><body><outline xmlUrl='https://a.example/'>", "malformed OPML"),
    (b"<rss version='2.0'><channel/></rss>", "not an OPML document"),
    (b"<opml version='2.0'><head/></opml>", "no <body>"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
     b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b"<opml><body><outline text='&b;' xmlUrl='https://a.example/'/></body></opml>",
     "DTD or entity"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE opml SYSTEM "file:///etc/passwd">'
     b"<opml><body/></opml>", "DTD or entity"),
    (b"<opml><body><outline text='&undefined;' xmlUrl='https://a.example/'/></body></opml>",
     "malformed OPML"),
])
def test_bad_opml_is_refused_with_a_clear_reason(doc: bytes, message: str) -> None:
    with pytest.raises(FeedListError, match=message):
        parse_feed_list(doc)


def test_opml_in_utf16_with_bom() -> None:
    doc = ('<?xml version="1.0" encoding="UTF-16"?><opml version="2.0"><body>'
           '<outline text="Мир" xmlUrl="https://mir.example/rss"/></body></opml>')
    result = parse_feed_list(doc.encode("utf-16"))
    assert result.feeds == (ImportedFeed("https://mir.example/rss", "Мир", ""),)


def test_newsboat_urls_file() -> None:
    text = (
        "# my feeds\n"
        "\n"
        'https://a.example/rss.xml "news" "~Morning \\"paper\\"" tech\n'
        "http://b.example/atom  # trailing comment\n"
        'https://c.example/feed "!" "~Hidden one"\n'
        '"query:Unread:unread = \\"yes\\""\n'
        "exec:~/bin/make-feed\n"
        "filter:~/bin/clean:https://d.example/rss\n"
        "ftp://e.example/feed\n"
        "https://a.example/rss.xml other\n"
    )
    result = parse_newsboat(text)
    assert result.format == "newsboat"
    assert result.feeds == (
        ImportedFeed("https://a.example/rss.xml", 'Morning "paper"', "news"),
        ImportedFeed("http://b.example/atom", "", ""),
        ImportedFeed("https://c.example/feed", "Hidden one", ""),
    )
    notes = "\n".join(result.notes)
    assert "line 5: ignored hidden-feed tag '!'" in notes
    assert "line 6: skipped query feed" in notes
    assert "line 7: skipped exec feed" in notes
    assert "line 8: skipped filter feed" in notes
    assert "line 9: skipped 'ftp://e.example/feed'" in notes
    assert parse_feed_list(text.encode()).feeds == result.feeds


def test_binary_or_other_text_is_not_a_feed_list() -> None:
    with pytest.raises(FeedListError):
        parse_feed_list(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(FeedListError):
        parse_feed_list(b'{"feeds": ["https://a.example/"]}')


def test_feed_urls() -> None:
    assert is_feed_url("https://a.example/feed?x=1#y")
    assert is_feed_url("http://127.0.0.1:8080/a.xml")
    for bad in ("file:///etc/passwd", "/etc/passwd", "javascript:alert(1)", "https://",
                "https://a.example/a b", "https://a.example/\x1b[2J", "ftp://a.example/"):
        assert not is_feed_url(bad), bad


def test_export_round_trips_through_import() -> None:
    feeds = [
        ExportFeed("https://www.pravdareport.com/world/export.xml", "World",
                   ("Pravda.ru", "English")),
        ExportFeed("https://www.pravda.ru/world/export.xml", "Мир", ("Pravda.ru", "Русский")),
        ExportFeed("https://sky.example/rss", 'Sky & "notes" <b>', ("Science", "Astronomy")),
        ExportFeed("https://loose.example/feed?a=1&b=2", "Loose\x1b[31m"),
    ]
    doc = build_opml(feeds, now=datetime(2026, 11, 20, 12, tzinfo=UTC))
    assert doc.startswith(b"<?xml")
    assert b"\x1b" not in doc
    assert b"<dateCreated>Fri, 20 Nov 2026 12:00:00 GMT</dateCreated>" in doc
    assert doc.count(b'text="Pravda.ru"') == 1  # one outlet outline holding both editions
    back = parse_opml(doc)
    assert back.feeds == (
        ImportedFeed("https://www.pravdareport.com/world/export.xml", "World",
                     "Pravda.ru/English"),
        ImportedFeed("https://www.pravda.ru/world/export.xml", "Мир", "Pravda.ru/Русский"),
        ImportedFeed("https://sky.example/rss", 'Sky & "notes" <b>', "Science/Astronomy"),
        ImportedFeed("https://loose.example/feed?a=1&b=2", "Loose[31m", ""),
    )
