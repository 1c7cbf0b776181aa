//! The bottom layer: small, pure text rules that every stage shares. The characters XML allows
//! (`xml`), the one entity decoder (`entities`), plain-text fields (`plain`), the one
//! escaper ([`escape`]), language tags ([`lang`]), links and their cleaning (`links`), e-mail
//! addresses ([`email`]) and HTML nesting bounds ([`depth`]).
//! ([`xml`]), the one entity decoder ([`entities`]), plain-text fields ([`plain`]), the one
//! escaper ([`escape`]), language tags ([`lang`]), links and their cleaning ([`links`]), HTML
//! nesting bounds ([`depth`]) and the characters a name may not hold ([`controls`]).
//!
//! What belongs here: functions over strings and URLs with no knowledge of feeds, entries or
//! configuration. What may not: any `crate::` import outside `text` itself (this layer imports
//! nothing of ours, so that every other layer may import it).

pub mod controls;
pub mod depth;
pub mod email;
pub(crate) mod entities;
pub mod escape;
pub mod lang;
pub(crate) mod links;
pub(crate) mod plain;
pub mod slug;
pub(crate) mod xml;
