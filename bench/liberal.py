#!/usr/bin/env python3
"""How liberally feedbraid ingests broken and odd real-world feeds, compared with Python's feedparser.

For every document of the corpus (feedparser's own test suite: well-formed and ill-formed feeds,
encodings, entities, sanitizer cases, ...), this script

  1. serves the raw bytes over HTTP on 127.0.0.1 (Content-Type: application/xml, no charset, unless
     the document's own `Header:` comment lines name other headers, as feedparser's runtests.py does);
  2. parses it with feedparser through that same URL (the reference);
  3. runs `feedbraid run` with a one-source config pointing at it (fresh state, temp output);
  4. parses feedbraid's feed.atom with feedparser and compares.

Metrics (only over documents where feedparser finds >= 1 entry with a non-empty title):
  lost      feedparser found entries, feedbraid published 0 partner entries
  titles    recall of feedparser's entry titles (HTML-stripped, entity-decoded, whitespace-collapsed)
  links     recall of feedparser's entry links (stripped, percent-decoding-insensitive)
  html-text feedbraid title/summary/content whose *displayed text* holds literal markup
            (`<a `, `<p>`, `</p>`, `<br`, `&lt;`) that no entry of feedparser's reading shows
  invalid   feed.atom not well-formed (minidom / lxml), feedparser bozo on it, an href/src/id with
            raw whitespace, or a `urn:uuid:` id that is not a UUID

Usage:
  python3 bench/liberal.py [--bin target/release/feedbraid] [--corpus /work/corpus] [--only SUBSTR]
                           [--workers 2] [--json PATH]

Needs: feedparser (pip install feedparser); lxml is used when present.
"""

import argparse
import concurrent.futures
import glob
import gzip
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import xml.dom.minidom
import zlib

try:
    import feedparser
except ImportError:
    sys.exit("needs feedparser: pip install feedparser")
try:
    from lxml import etree as lxml_etree
except ImportError:  # optional
    lxml_etree = None

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TIMEOUT = 10.0
INCLUDE_UNTITLED = False

# --------------------------------------------------------------------------------------------
# corpus


def ensure_corpus(corpus):
    """Downloads and extracts feedparser's sdist (its tests/ folder) into corpus/dl if missing.
    Returns the list of test roots found."""
    dl = os.path.join(corpus, "dl")
    os.makedirs(dl, exist_ok=True)
    roots = sorted(glob.glob(os.path.join(dl, "feedparser-*", "tests")))
    roots += sorted(glob.glob(os.path.join(dl, "feedparser-*", "feedparser", "tests")))
    if roots:
        return roots
    for spec in ("feedparser", "feedparser==5.2.1"):
        r = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", "-d", dl, spec],
            capture_output=True, text=True)
        if r.returncode != 0:
            print(f"note: pip download {spec} failed (skipped): {r.stderr.strip().splitlines()[-1:]}",
                  file=sys.stderr)
    for arc in glob.glob(os.path.join(dl, "feedparser-*.tar.gz")):
        with tarfile.open(arc) as t:
            t.extractall(dl)
    roots = sorted(glob.glob(os.path.join(dl, "feedparser-*", "tests")))
    roots += sorted(glob.glob(os.path.join(dl, "feedparser-*", "feedparser", "tests")))
    if not roots:
        sys.exit("no corpus: could not get feedparser's sdist")
    return roots


# A few hand-written real-world oddities (the kind Go's gofeed tests carry), written to CORPUS/extra.
EXTRA = {
    "leading_whitespace_bom.xml": b"\xef\xbb\xbf\n\n  <?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Leading junk</title><link>http://example.com/a</link></item></channel></rss>",
    "html_entities_undeclared.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Caf&eacute; &ndash; na&iuml;ve&nbsp;title</title><link>http://example.com/b</link>"
        b"<description>&lt;p&gt;Hello &amp;mdash; world&lt;/p&gt;</description></item></channel></rss>",
    "bare_ampersand_link.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Q & A</title><link>http://example.com/c?x=1&y=2</link></item></channel></rss>",
    "cp1252_declared_latin1.xml": b"<?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>\x93Smart\x94 quotes \x96 dash</title><link>http://example.com/d</link></item></channel></rss>",
    "double_escaped_description.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Double</title><link>http://example.com/e</link>"
        b"<description>&amp;lt;p&amp;gt;Para&amp;lt;/p&amp;gt;</description></item></channel></rss>",
    "unclosed_tags_truncated.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>First</title><link>http://example.com/f1</link></item>"
        b"<item><title>Second</title><link>http://example.com/f2</link><description><p>open para",
    "link_with_spaces.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Spaced</title><link> http://example.com/a b c </link><guid>  id with spaces  </guid></item></channel></rss>",
    "atom_html_title.xml": b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title><id>urn:x</id>"
        b"<entry><title type='html'>&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title><id>urn:uuid:not-a-uuid</id>"
        b"<link href='/rel/path'/><content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'><p>Hi <a href='x'>there</a></p></div></content></entry></feed>",
    "rss_no_channel_wrapper.xml": b"<rss version='2.0'><item><title>Orphan item</title><link>http://example.com/g</link></item></rss>",
    "html_in_title_cdata.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title><![CDATA[<a href='http://x'>Linked</a> title]]></title><link>http://example.com/h</link></item></channel></rss>",
}


def ensure_extra(corpus):
    d = os.path.join(corpus, "extra")
    os.makedirs(d, exist_ok=True)
    for name, body in EXTRA.items():
        p = os.path.join(d, name)
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(body)
    return d


HEADER_RE = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.MULTILINE)
EXPECT_RE = re.compile(rb"^Expect:\s*(.*)$", re.MULTILINE)
DESC_RE = re.compile(rb"^Description:\s*(.*)$", re.MULTILINE)
# Headers that need a real HTTP conversation (redirects, 304s) we do not reproduce.
UNREPRODUCIBLE = {"status", "location"}


def documents(roots):
    """Yields (doc_id, path, served_bytes, headers, note) for each candidate document."""
    seen = set()
    for root in roots:
        for path in sorted(glob.glob(os.path.join(root, "**", "*"), recursive=True)):
            if not os.path.isfile(path) or path.endswith((".py", ".pyc")):
                continue
            rel = os.path.relpath(path, root)
            if os.path.basename(root) == "extra":
                rel = os.path.join("extra", rel)
            if rel in seen:  # same test file in two versions of the suite: keep the first
                continue
            seen.add(rel)
            with open(path, "rb") as f:
                raw = f.read()
            headers = {"Content-Type": "application/xml"}
            skip = None
            if rel.endswith(".gz"):
                headers["Content-Encoding"] = "gzip"
            elif rel.endswith(".z"):
                headers["Content-Encoding"] = "deflate"
            else:
                for k, v in HEADER_RE.findall(raw):
                    k = k.decode("latin-1").strip()
                    v = v.decode("latin-1").strip()
                    if k.lower() in UNREPRODUCIBLE:
                        skip = f"needs HTTP header {k}"
                    elif k.lower() == "content-type":
                        headers["Content-Type"] = v
                    else:
                        headers[k] = v
                d = DESC_RE.search(raw)
                if d and d.group(1).lower().startswith(b"http status"):
                    skip = "tests an HTTP status"
            yield rel, path, raw, headers, skip


# --------------------------------------------------------------------------------------------
# HTTP server


class Store:
    def __init__(self):
        self.docs = {}
        self.lock = threading.Lock()

    def put(self, key, raw, headers):
        with self.lock:
            self.docs[key] = (raw, headers)

    def get(self, key):
        with self.lock:
            return self.docs.get(key)

    def drop(self, key):
        with self.lock:
            self.docs.pop(key, None)


STORE = Store()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        key = urllib.parse.urlsplit(self.path).path
        doc = STORE.get(key)
        if doc is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        raw, headers = doc
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *a):
        pass


# --------------------------------------------------------------------------------------------
# comparison helpers

TAG_RE = re.compile(r"<[^>]*>")
WS_RE = re.compile(r"\s+")


def strip_html(s):
    return html.unescape(TAG_RE.sub(" ", s or ""))


def norm_title(s):
    """A title as a reader sees it: `s` is a feedparser entry (type-aware) or a plain string."""
    if isinstance(s, dict):
        s = displayed(s.get("title_detail")) if s.get("title_detail") is not None else s.get("title", "")
    else:
        s = strip_html(s)
    return WS_RE.sub(" ", s or "").strip()


def norm_link(s):
    s = (s or "").strip()
    prev = None
    while prev != s:  # percent-decoding-insensitive (twice-encoded too)
        prev, s = s, urllib.parse.unquote(s)
    return s


def displayed(detail):
    """What a reader shows for a feedparser text construct (dict with type/value) or plain str."""
    if detail is None:
        return ""
    if isinstance(detail, str):
        return detail
    v = detail.get("value", "") or ""
    t = (detail.get("type") or "").lower()
    if "html" in t:
        return html.unescape(TAG_RE.sub(" ", v))
    return v


MARKUP_PATTERNS = ["<a ", "<p>", "</p>", "<br", "&lt;"]


def entry_texts(e):
    """(field, displayed text) of an entry's title, summary and contents."""
    out = []
    if e.get("title_detail") is not None:
        out.append(("title", displayed(e.get("title_detail"))))
    if e.get("summary_detail") is not None:
        out.append(("summary", displayed(e.get("summary_detail"))))
    for i, c in enumerate(e.get("content", []) or []):
        out.append((f"content[{i}]", displayed(c)))
    return out


UUID_RE = re.compile(r"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def validity_problems(atom):
    probs = []
    try:
        xml.dom.minidom.parseString(atom)
    except Exception as ex:  # noqa: BLE001
        probs.append(f"minidom: {ex}")
    root = None
    if lxml_etree is not None:
        try:
            root = lxml_etree.fromstring(atom, lxml_etree.XMLParser(recover=False, resolve_entities=False))
        except Exception as ex:  # noqa: BLE001
            probs.append(f"lxml: {ex}")
    fp = feedparser.parse(atom)
    if fp.get("bozo"):
        probs.append(f"feedparser bozo: {fp.get('bozo_exception')!r}")
    if root is not None:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("href", "src", "uri"):
                v = el.get(attr)
                if v is not None and re.search(r"\s", v):
                    probs.append(f"raw whitespace in {attr}: {v!r}")
            local = el.tag.rsplit("}", 1)[-1]
            if local in ("id", "uri") and el.text is not None:
                v = el.text
                if re.search(r"\s", v.strip()) or v != v.strip():
                    probs.append(f"raw whitespace in <{local}>: {v!r}")
                if v.strip().lower().startswith("urn:uuid:") and not UUID_RE.match(v.strip()):
                    probs.append(f"bad urn:uuid id: {v!r}")
    else:  # fall back to feedparser's view
        for e in fp.entries:
            v = e.get("id", "")
            if re.search(r"\s", v):
                probs.append(f"raw whitespace in id: {v!r}")
            if v.lower().startswith("urn:uuid:") and not UUID_RE.match(v):
                probs.append(f"bad urn:uuid id: {v!r}")
            for l in e.get("links", []):
                if re.search(r"\s", l.get("href", "")):
                    probs.append(f"raw whitespace in href: {l.get('href')!r}")
    return probs, fp


def entry_links(e):
    out = []
    if e.get("link"):
        out.append(e["link"])
    return out


# --------------------------------------------------------------------------------------------
# one document

CONFIG = """[feed]
title = "Liberal bench"
id = "tag:bench.example.org,2026:feed"
link = "https://bench.example.org/"
self_url = "https://bench.example.org/feed.atom"
author = {{ name = "Bench" }}
max_entries = 10000

[fetch]
timeout = "8s"
connect_timeout = "2s"

[[source]]
name = "partner"
url = "{url}"
"""


def run_one(binary, port, n, rel, raw, headers):
    key = f"/d{n}/" + urllib.parse.quote(rel.replace(os.sep, "/"))
    url = f"http://127.0.0.1:{port}{key}"
    res = {"doc": rel, "headers": headers}
    m = DESC_RE.search(raw)
    res["description"] = m.group(1).decode("utf-8", "replace").strip() if m else None
    m = EXPECT_RE.search(raw)
    res["expect"] = m.group(1).decode("utf-8", "replace").strip() if m else None
    STORE.put(key, raw, headers)
    try:
        # reference: feedparser through the same HTTP response
        ref = feedparser.parse(url)
        ref_titles = [norm_title(e) for e in ref.entries]
        ref_titles = [t for t in ref_titles if t]
        if not ref_titles:
            if not (INCLUDE_UNTITLED and ref.entries):
                res["skip"] = "feedparser finds no entry with a title"
                return res
            res["untitled"] = True  # entries, but none with a title: secondary metrics only
        ref_links = [norm_link(l) for e in ref.entries for l in entry_links(e)]
        ref_links = [l for l in ref_links if l]
        res["ref_entries"] = len(ref.entries)
        res["ref_bozo"] = bool(ref.get("bozo"))
        res["ref_bozo_exception"] = repr(ref.get("bozo_exception")) if ref.get("bozo") else None

        tmp = tempfile.mkdtemp(prefix="liberal-")
        try:
            cfg = os.path.join(tmp, "feeds.toml")
            with open(cfg, "w") as f:
                f.write(CONFIG.format(url=url))
            out = os.path.join(tmp, "out")
            t0 = time.monotonic()
            try:
                p = subprocess.run(
                    [binary, "run", "--config", cfg, "--out", out, "--state", os.path.join(tmp, "state.db")],
                    capture_output=True, timeout=TIMEOUT)
                res["exit"] = p.returncode
                res["stderr"] = p.stderr.decode("utf-8", "replace")[-4000:]
            except subprocess.TimeoutExpired as ex:
                res["exit"] = None
                res["timeout"] = True
                res["stderr"] = (ex.stderr or b"").decode("utf-8", "replace")[-4000:]
            res["seconds"] = round(time.monotonic() - t0, 3)
            st_path = os.path.join(out, "status.json")
            if os.path.exists(st_path):
                with open(st_path, "rb") as f:
                    st = json.load(f)
                src = (st.get("sources") or [{}])[0]
                res["status"] = {k: src.get(k) for k in
                                 ("status", "detail", "failure", "recovered", "warnings", "entries")}
            atom_path = os.path.join(out, "feed.atom")
            atom = None
            if os.path.exists(atom_path):
                with open(atom_path, "rb") as f:
                    atom = f.read()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        STORE.drop(key)

    if atom is None:
        res.update(fb_entries=0, lost=True, invalid=[], html_text=[],
                   titles_total=len(ref_titles), titles_found=0,
                   links_total=len(ref_links), links_found=0)
        res["missing"] = "no feed.atom"
        return res

    probs, fb = validity_problems(atom)
    res["invalid"] = probs
    res["fb_entries"] = len(fb.entries)
    res["lost"] = len(fb.entries) == 0
    fb_titles = set(norm_title(e) for e in fb.entries)
    fb_links = set(norm_link(l) for e in fb.entries for l in entry_links(e))
    missing_titles = [t for t in ref_titles if t not in fb_titles]
    missing_links = [l for l in ref_links if l not in fb_links]
    res.update(titles_total=len(ref_titles), titles_found=len(ref_titles) - len(missing_titles),
               links_total=len(ref_links), links_found=len(ref_links) - len(missing_links),
               missing_titles=missing_titles[:5], missing_links=missing_links[:5],
               fb_titles=sorted(fb_titles)[:5], fb_links=sorted(fb_links)[:5])

    # HTML shown as text: a literal markup pattern in what feedbraid's entry displays that no
    # field of feedparser's reading of the source displays.
    ref_shown = " ".join(t for e in ref.entries for _, t in entry_texts(e))
    html_text = []
    for i, e in enumerate(fb.entries):
        for field, text in entry_texts(e):
            for pat in MARKUP_PATTERNS:
                if pat in text and pat not in ref_shown:
                    j = text.find(pat)
                    html_text.append(f"entry {i} {field}: {pat!r} in {text[max(0, j - 40):j + 60]!r}")
                    break
    res["html_text"] = html_text
    return res


# --------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "feedbraid"))
    ap.add_argument("--corpus", default="/work/corpus")
    ap.add_argument("--json", default=None, help="default: CORPUS/results.json")
    ap.add_argument("--only", default=None, help="only documents whose path contains this")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--include-untitled", action="store_true",
                    help="also run documents whose entries have no titles (e.g. the sanitizer cases); "
                         "reported separately from the headline numbers")
    args = ap.parse_args()
    global INCLUDE_UNTITLED
    INCLUDE_UNTITLED = args.include_untitled
    workers = max(1, min(2, args.workers))
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"no feedbraid binary at {binary} (cargo build --release, or --bin)")
    roots = ensure_corpus(args.corpus) + [ensure_extra(args.corpus)]

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()

    docs = [d for d in documents(roots) if not args.only or args.only in d[0]]
    results = []
    skipped = []
    jobs = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for n, (rel, path, raw, headers, skip) in enumerate(docs):
            if skip:
                skipped.append({"doc": rel, "skip": skip})
                continue
            jobs.append(pool.submit(run_one, binary, port, n, rel, raw, headers))
        for i, fut in enumerate(concurrent.futures.as_completed(jobs)):
            r = fut.result()
            (skipped if "skip" in r else results).append(r)
            if (i + 1) % 100 == 0:
                print(f"... {i + 1}/{len(jobs)}", file=sys.stderr)
    srv.shutdown()
    results.sort(key=lambda r: r["doc"])
    skipped.sort(key=lambda r: r["doc"])
    untitled = [r for r in results if r.get("untitled")]
    results = [r for r in results if not r.get("untitled")]

    def agg(rs):
        tt = sum(r["titles_total"] for r in rs)
        tf = sum(r["titles_found"] for r in rs)
        lt = sum(r["links_total"] for r in rs)
        lf = sum(r["links_found"] for r in rs)
        return {
            "documents": len(rs),
            "lost": sum(1 for r in rs if r["lost"]),
            "titles": f"{tf}/{tt}", "titles_pct": round(100.0 * tf / tt, 1) if tt else None,
            "links": f"{lf}/{lt}", "links_pct": round(100.0 * lf / lt, 1) if lt else None,
            "invalid": sum(1 for r in rs if r["invalid"]),
            "html_text": sum(1 for r in rs if r["html_text"]),
            "fatal": sum(1 for r in rs if r.get("exit") == 2),
            "timeouts": sum(1 for r in rs if r.get("timeout")),
        }

    groups = {}
    for r in results:
        g = r["doc"].split(os.sep)[0]
        if g in ("wellformed", "illformed"):
            g = os.sep.join(r["doc"].split(os.sep)[:2]) if r["doc"].count(os.sep) > 1 else g
        groups.setdefault(g, []).append(r)
    summary = {"total": agg(results), "by_group": {g: agg(rs) for g, rs in sorted(groups.items())},
               "skipped": len(skipped)}

    hdr = f"{'group':28} {'docs':>5} {'lost':>5} {'titles%':>8} {'links%':>7} {'invalid':>8} {'htmltxt':>8}"
    print(hdr)
    print("-" * len(hdr))
    for g, a in list(summary["by_group"].items()) + [("TOTAL", summary["total"])]:
        if g == "TOTAL":
            print("-" * len(hdr))
        print(f"{g:28} {a['documents']:>5} {a['lost']:>5} {str(a['titles_pct']):>8} {str(a['links_pct']):>7} "
              f"{a['invalid']:>8} {a['html_text']:>8}")
    t = summary["total"]
    print(f"\ndocuments {t['documents']} (skipped {len(skipped)}: not feeds / unreproducible headers); "
          f"partners lost {t['lost']}/{t['documents']}; titles {t['titles']} = {t['titles_pct']}%; "
          f"links {t['links']} = {t['links_pct']}%; invalid outputs {t['invalid']}; "
          f"HTML-as-text {t['html_text']}; fatal exits {t['fatal']}; timeouts {t['timeouts']}")
    if untitled:
        summary["untitled"] = u = agg(untitled)
        print(f"secondary, documents whose entries have no titles: {u['documents']}; entries lost "
              f"{u['lost']}; links {u['links']}; invalid {u['invalid']}; HTML-as-text {u['html_text']}; "
              f"fatal {u['fatal']}; timeouts {u['timeouts']}")
    for label, key in (("LOST", "lost"), ("INVALID", "invalid"), ("HTML-AS-TEXT", "html_text")):
        for part, rs in (("", results), (" [untitled]", untitled)):
            bad = [r for r in rs if r[key]]
            if not bad:
                continue
            print(f"\n{label}{part} ({len(bad)}):")
            for r in bad:
                st = r.get("status") or {}
                why = st.get("detail") or st.get("warnings") or st.get("recovered") or r.get("missing") or ""
                extra = r[key][0] if isinstance(r[key], list) else why
                print(f"  {r['doc']}: {str(extra)[:160]}")

    out = args.json or os.path.join(args.corpus, "results.json")
    with open(out, "w") as f:
        json.dump({"binary": binary, "summary": summary, "results": results, "untitled": untitled,
                   "skipped": skipped},
                  f, indent=1, ensure_ascii=False)
    print(f"\nper-document results: {out}")


if __name__ == "__main__":
    main()
