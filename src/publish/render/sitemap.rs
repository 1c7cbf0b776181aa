//! `sitemap.xml` (every page for people, by absolute URL: `index.html`, each view's page, the
//! digests' index, the library's month, topic and partner pages) and `robots.txt` (everything allowed, the sitemap named), so that search
//! engines find the library. Pure: the config in, two files out.

use crate::config::Config;
use crate::pool::views::{FeedView, Renderer, sibling};
use crate::text::escape::escape;

/// The pages `sitemap.xml` lists.
pub fn pages(cfg: &Config, views: &[FeedView]) -> Vec<String> {
    let mut out: Vec<String> = views
        .iter()
        .filter(|v| v.renderers.contains(&Renderer::Page))
        .map(|v| v.url(&cfg.feed.self_url, Renderer::Page))
        .collect();
    if cfg.digest.is_some() {
        out.push(sibling(&cfg.feed.self_url, "digest/index.html").to_string());
    }
    out
}

/// `sitemap.xml` (the sitemaps.org protocol): [`pages`], then `more` (the library's pages, by
/// their path in the output).
pub fn sitemap(cfg: &Config, views: &[FeedView], more: &[String]) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let more = more
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| sibling(&cfg.feed.self_url, f).to_string());
    for url in pages(cfg, views).into_iter().chain(more) {
        s.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(&url)));
    }
    s.push_str("</urlset>\n");
    s.into_bytes()
}

/// `robots.txt`.
pub fn robots(cfg: &Config) -> Vec<u8> {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        sibling(&cfg.feed.self_url, "sitemap.xml")
    )
    .into_bytes()
}
