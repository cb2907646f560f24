"""Schema migrations. Append new steps; never edit a step that has shipped.

``{s}`` stands for the schema name the file is attached as (``main`` or ``state``).
"""

from __future__ import annotations

CACHE_MIGRATIONS: list[str] = [
    # 1: feeds, articles, alternates and the full-text search index.
    """
    CREATE TABLE {s}.feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        outlet TEXT NOT NULL DEFAULT '',
        edition TEXT NOT NULL DEFAULT '',
        section TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        fetched_at REAL,
        http_status INTEGER,
        error TEXT,
        fail_count INTEGER NOT NULL DEFAULT 0,
        next_fetch_at REAL
    );
    CREATE TABLE {s}.articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key TEXT NOT NULL UNIQUE,
        guid TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        editor TEXT NOT NULL DEFAULT '',
        published REAL,
        fetched_at REAL NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        content_html TEXT NOT NULL DEFAULT '',
        categories TEXT NOT NULL DEFAULT '',
        image_url TEXT NOT NULL DEFAULT '',
        image_caption TEXT NOT NULL DEFAULT '',
        image_credit TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        full_text TEXT NOT NULL DEFAULT '',
        full_text_error TEXT,
        full_text_at REAL
    );
    CREATE INDEX {s}.articles_published ON articles(published DESC, id DESC);
    CREATE INDEX {s}.articles_feed_published ON articles(feed_id, published DESC, id DESC);
    CREATE INDEX {s}.articles_url ON articles(url);
    CREATE TABLE {s}.alternates (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        lang TEXT NOT NULL,
        url TEXT NOT NULL,
        PRIMARY KEY (article_id, lang, url)
    ) WITHOUT ROWID;
    CREATE INDEX {s}.alternates_url ON alternates(url);
    CREATE VIRTUAL TABLE {s}.articles_fts USING fts5(
        title, summary, full_text, categories,
        content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER {s}.articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, full_text, categories)
        VALUES (new.id, new.title, new.summary, new.full_text, new.categories);
    END;
    CREATE TRIGGER {s}.articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, full_text, categories)
        VALUES ('delete', old.id, old.title, old.summary, old.full_text, old.categories);
    END;
    CREATE TRIGGER {s}.articles_au AFTER UPDATE OF title, summary, full_text, categories
    ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, full_text, categories)
        VALUES ('delete', old.id, old.title, old.summary, old.full_text, old.categories);
        INSERT INTO articles_fts(rowid, title, summary, full_text, categories)
        VALUES (new.id, new.title, new.summary, new.full_text, new.categories);
    END;
    """,
    # 2: keys of articles the cache limits removed, so a feed that still carries them
    # does not bring them back as new on every refresh (prune.py writes and expires them).
    """
    CREATE TABLE {s}.pruned (
        key TEXT PRIMARY KEY,
        at REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX {s}.pruned_at ON pruned(at);
    """,
    # 3: the plain text of the feed's own article body becomes searchable (body_text, last
    # so the earlier columns keep their bm25 weight positions). Rows stored before keep ''.
    """
    ALTER TABLE {s}.articles ADD COLUMN body_text TEXT NOT NULL DEFAULT '';
    DROP TRIGGER {s}.articles_ai;
    DROP TRIGGER {s}.articles_ad;
    DROP TRIGGER {s}.articles_au;
    DROP TABLE {s}.articles_fts;
    CREATE VIRTUAL TABLE {s}.articles_fts USING fts5(
        title, summary, full_text, categories, body_text,
        content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER {s}.articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, summary, full_text, categories, body_text)
        VALUES (new.id, new.title, new.summary, new.full_text, new.categories, new.body_text);
    END;
    CREATE TRIGGER {s}.articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, full_text, categories,
                                 body_text)
        VALUES ('delete', old.id, old.title, old.summary, old.full_text, old.categories,
                old.body_text);
    END;
    CREATE TRIGGER {s}.articles_au AFTER UPDATE OF title, summary, full_text, categories,
        body_text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, full_text, categories,
                                 body_text)
        VALUES ('delete', old.id, old.title, old.summary, old.full_text, old.categories,
                old.body_text);
        INSERT INTO articles_fts(rowid, title, summary, full_text, categories, body_text)
        VALUES (new.id, new.title, new.summary, new.full_text, new.categories, new.body_text);
    END;
    INSERT INTO {s}.articles_fts(articles_fts) VALUES ('rebuild');
    """,
    # 4: new rows are indexed in bulk by cache.store_entries (one INSERT … SELECT per feed):
    # the per-row insert trigger cost three times as much (10,000 rows: 0.31 s -> 0.09 s).
    """
    DROP TRIGGER {s}.articles_ai;
    """,
    # 5: one story in two feeds (an "all news" feed and a section feed) is one article for
    # the reader. dup_of is the first earlier row with the same non-empty link in another
    # feed (NULL for a first copy), dup_feed that row's feed; views spanning several feeds
    # hide a later copy whose earlier copy they show (store/cache.py). store_entries sets
    # them for new rows (a seek on articles_url: url = ? AND rowid < ?). The partial index
    # holds only the copies (with their key for the marks), so a count subtracts the hidden
    # ones from the index alone.
    # When a row goes (prune), the rows that pointed at it point at the next earlier copy,
    # or become first copies.
    """
    ALTER TABLE {s}.articles ADD COLUMN dup_of INTEGER;
    ALTER TABLE {s}.articles ADD COLUMN dup_feed INTEGER;
    UPDATE {s}.articles AS a SET (dup_of, dup_feed) = (
        SELECT d.id, d.feed_id FROM {s}.articles d
        WHERE d.url = a.url AND d.feed_id != a.feed_id AND d.id < a.id ORDER BY d.id LIMIT 1)
    WHERE a.url != '' AND EXISTS (
        SELECT 1 FROM {s}.articles d
        WHERE d.url = a.url AND d.feed_id != a.feed_id AND d.id < a.id);
    CREATE INDEX {s}.articles_dups ON articles(feed_id, dup_feed, key) WHERE dup_of IS NOT NULL;
    CREATE TRIGGER {s}.articles_dup_ad AFTER DELETE ON articles WHEN old.url != '' BEGIN
        UPDATE articles SET (dup_of, dup_feed) = (
            SELECT d.id, d.feed_id FROM articles d
            WHERE d.url = old.url AND d.feed_id != articles.feed_id AND d.id < articles.id
            ORDER BY d.id LIMIT 1)
        WHERE url = old.url AND dup_of = old.id;
    END;
    """,
    # 6: a copy needs the same title as well as the same link. Some feeds link every item
    # to their home page; with the link alone, all those stories were one story.
    """
    UPDATE {s}.articles SET dup_of = NULL, dup_feed = NULL WHERE dup_of IS NOT NULL;
    UPDATE {s}.articles AS a SET (dup_of, dup_feed) = (
        SELECT d.id, d.feed_id FROM {s}.articles d
        WHERE d.url = a.url AND d.title = a.title AND d.feed_id != a.feed_id AND d.id < a.id
        ORDER BY d.id LIMIT 1)
    WHERE a.url != '' AND EXISTS (
        SELECT 1 FROM {s}.articles d
        WHERE d.url = a.url AND d.title = a.title AND d.feed_id != a.feed_id AND d.id < a.id);
    DROP TRIGGER {s}.articles_dup_ad;
    CREATE TRIGGER {s}.articles_dup_ad AFTER DELETE ON articles WHEN old.url != '' BEGIN
        UPDATE articles SET (dup_of, dup_feed) = (
            SELECT d.id, d.feed_id FROM articles d
            WHERE d.url = old.url AND d.title = articles.title
            AND d.feed_id != articles.feed_id AND d.id < articles.id
            ORDER BY d.id LIMIT 1)
        WHERE url = old.url AND dup_of = old.id;
    END;
    """,
    # 7: search understands the languages. The index stores each word folded (ё = е, ß = ss,
    # accents dropped outside Cyrillic) and, where it differs, its Snowball stem in the
    # article's language (terms.py): "улице" is indexed as "улице улиц". index_lang is that
    # language, fixed when the row is stored so the index can always be rebuilt as it was
    # made. The index reads its text through a view that calls tn_index() (a Python
    # function every connection registers, store/db.py), so 'rebuild' and the integrity
    # check see what was indexed; triggers give 'delete' the same text.
    """
    ALTER TABLE {s}.articles ADD COLUMN index_lang TEXT NOT NULL DEFAULT '';
    UPDATE {s}.articles AS a SET index_lang = tn_lang(COALESCE(NULLIF(a.language, ''),
        (SELECT f.edition FROM {s}.feeds f WHERE f.id = a.feed_id)));
    DROP TRIGGER {s}.articles_ad;
    DROP TRIGGER {s}.articles_au;
    DROP TABLE {s}.articles_fts;
    CREATE VIEW {s}.articles_fts_text AS
        SELECT id, tn_index(title, index_lang) AS title, tn_index(summary, index_lang) AS summary,
               tn_index(full_text, index_lang) AS full_text,
               tn_index(categories, index_lang) AS categories,
               tn_index(body_text, index_lang) AS body_text
        FROM articles;
    CREATE VIRTUAL TABLE {s}.articles_fts USING fts5(
        title, summary, full_text, categories, body_text,
        content='articles_fts_text', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    );
    CREATE TRIGGER {s}.articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, full_text, categories,
                                 body_text)
        VALUES ('delete', old.id, tn_index(old.title, old.index_lang),
                tn_index(old.summary, old.index_lang), tn_index(old.full_text, old.index_lang),
                tn_index(old.categories, old.index_lang), tn_index(old.body_text, old.index_lang));
    END;
    CREATE TRIGGER {s}.articles_au AFTER UPDATE OF title, summary, full_text, categories,
        body_text, index_lang ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, summary, full_text, categories,
                                 body_text)
        VALUES ('delete', old.id, tn_index(old.title, old.index_lang),
                tn_index(old.summary, old.index_lang), tn_index(old.full_text, old.index_lang),
                tn_index(old.categories, old.index_lang), tn_index(old.body_text, old.index_lang));
        INSERT INTO articles_fts(rowid, title, summary, full_text, categories, body_text)
        SELECT id, title, summary, full_text, categories, body_text FROM articles_fts_text
        WHERE id = new.id;
    END;
    INSERT INTO {s}.articles_fts(articles_fts) VALUES ('rebuild');
    """,
    # 8: how many articles each feed holds, kept by triggers in the same statement as every
    # insert and delete (a cascade from a removed feed included), so it cannot drift. Counts
    # of a view and the sidebar's unread counts read it instead of walking the feed index
    # (all of it for Everything: 33 ms and 78 ms at 1,000,000 articles, growing with the
    # cache; now a read of the feeds table).
    """
    ALTER TABLE {s}.feeds ADD COLUMN article_count INTEGER NOT NULL DEFAULT 0;
    UPDATE {s}.feeds SET article_count = (
        SELECT count(*) FROM {s}.articles a WHERE a.feed_id = feeds.id);
    CREATE TRIGGER {s}.articles_count_ai AFTER INSERT ON articles BEGIN
        UPDATE feeds SET article_count = article_count + 1 WHERE id = new.feed_id;
    END;
    CREATE TRIGGER {s}.articles_count_ad AFTER DELETE ON articles BEGIN
        UPDATE feeds SET article_count = article_count - 1 WHERE id = old.feed_id;
    END;
    CREATE TRIGGER {s}.articles_count_au AFTER UPDATE OF feed_id ON articles
    WHEN new.feed_id IS NOT old.feed_id BEGIN
        UPDATE feeds SET article_count = article_count - 1 WHERE id = old.feed_id;
        UPDATE feeds SET article_count = article_count + 1 WHERE id = new.feed_id;
    END;
    """,
    # 9: the cache limits (max_articles, keep_days) apply only to articles that have left
    # their feed: in_feed marks the rows the feed's last document carried (store_entries
    # keeps it; the partial index lists them per feed). Rows stored before count as left
    # until their feed's next document. Tombstones of pruned articles go: nothing a feed
    # still carries is kept out of the cache, so the ones pruned that way come back.
    """
    ALTER TABLE {s}.articles ADD COLUMN in_feed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX {s}.articles_in_feed ON articles(feed_id, key) WHERE in_feed = 1;
    DROP TABLE {s}.pruned;
    """,
    # 10: English, French, Portuguese and Spanish words are indexed by their dictionary
    # form where the dictionary knows them, by their stem otherwise (terms.py, lemmas.py):
    # the index is made again from the same view.
    """
    INSERT INTO {s}.articles_fts(articles_fts) VALUES ('rebuild');
    """,
]

STATE_MIGRATIONS: list[str] = [
    # 1: profiles, subscriptions, marks, preferences, reading history.
    """
    CREATE TABLE {s}.profiles (
        name TEXT PRIMARY KEY,
        created_at REAL NOT NULL
    );
    CREATE TABLE {s}.subscriptions (
        profile TEXT NOT NULL,
        feed_url TEXT NOT NULL,
        outlet TEXT NOT NULL,
        edition TEXT NOT NULL,
        section TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        folder TEXT NOT NULL DEFAULT '',
        added_at REAL NOT NULL,
        PRIMARY KEY (profile, feed_url)
    ) WITHOUT ROWID;
    CREATE TABLE {s}.marks (
        profile TEXT NOT NULL,
        key TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        read_at REAL,
        starred_at REAL,
        PRIMARY KEY (profile, key)
    ) WITHOUT ROWID;
    CREATE INDEX {s}.marks_starred ON marks(profile, starred) WHERE starred = 1;
    CREATE TABLE {s}.prefs (
        profile TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (profile, name)
    ) WITHOUT ROWID;
    CREATE TABLE {s}.history (
        profile TEXT NOT NULL,
        seq INTEGER NOT NULL,
        key TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (profile, seq)
    ) WITHOUT ROWID;
    """,
    # 2: sync with a server (termnews.sync). The journal holds local changes not yet on
    # the server, written in the same transaction as the change itself; a row goes only
    # once the server took it. sync_items is what the server said about each of its
    # entries (its id, the local article key once that article is here, and the read and
    # starred state last seen there: the base of a three-way merge); sync_feeds the
    # feeds both sides had at the last sync. Per profile, like everything here.
    """
    CREATE TABLE {s}.sync_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        profile TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        value INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX {s}.sync_journal_key ON sync_journal(profile, kind, key);
    CREATE TABLE {s}.sync_items (
        profile TEXT NOT NULL,
        remote_id INTEGER NOT NULL,
        feed_url TEXT NOT NULL,
        hash TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        key TEXT,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (profile, remote_id)
    ) WITHOUT ROWID;
    CREATE INDEX {s}.sync_items_key ON sync_items(profile, key);
    CREATE INDEX {s}.sync_items_open ON sync_items(profile, feed_url) WHERE key IS NULL;
    CREATE TABLE {s}.sync_feeds (
        profile TEXT NOT NULL,
        feed_url TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        remote_url TEXT NOT NULL,
        category TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (profile, feed_url)
    ) WITHOUT ROWID;
    """,
    # 3: the order the reader brought their feeds in (an OPML or urls file's order, then
    # each feed added after): the sidebar's default order. Rows before this step keep the
    # order they were listed in (outlet, edition, time added, URL).
    """
    ALTER TABLE {s}.subscriptions ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
    UPDATE {s}.subscriptions AS t SET position = r.n FROM (
        SELECT profile, feed_url, row_number() OVER (
            PARTITION BY profile ORDER BY outlet, edition, added_at, feed_url) AS n
        FROM {s}.subscriptions) AS r
    WHERE r.profile = t.profile AND r.feed_url = t.feed_url;
    """,
]
