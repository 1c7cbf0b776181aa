//! The renderers: the same entries into Atom ([`atom`](mod@atom), the product), JSON Feed ([`json`]), RSS
//! 2.0 ([`rss`]), HTML pages and embeds ([`html`], from the values `page` works out for the
//! templates) and OPML ([`opml`]). Each is pure: values in, bytes out, the same bytes for the
//! same values.

pub mod atom;
mod chrome;
pub mod digest;
pub mod html;
pub mod i18n;
pub mod json;
pub mod library;
mod library_check;
pub mod opml;
mod page;
pub mod pager;
mod row;
pub mod rss;
pub mod sitemap;

pub use atom::{History, RenderError, atom, atom_document, atom_with_tombstones, feed_updated};
pub use library_check::check as check_library;

/// The small stylesheet that makes `feed.atom` readable in a browser (`feed.xsl`).
pub const FEED_XSL: &str = include_str!("feed.xsl");
